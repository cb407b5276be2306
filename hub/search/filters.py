"""Hard filters of a search request as engine clauses, keyed by filter name (pure).

Keys of facet filters equal their facet names (`FACET_FILTERS`, `AGE_FACET`), so the facet
aggregations can leave a facet's own filter out (`hub.search.facets`).
"""

from __future__ import annotations

from typing import Any

from hub.core.places import Place
from hub.search.request import Near, SearchRequest

Clause = dict[str, Any]
FACET_FILTERS = ("topics", "kinds", "languages", "cost", "accessibility", "online", "district")
AGE_FACET = "age_groups"


def filter_clauses(request: SearchRequest, place: Place | None = None) -> dict[str, Clause]:
    """One clause per active filter, keyed by filter (facet filters by their facet name)."""
    out: dict[str, Clause] = {}
    if request.municipality:
        out["municipality"] = served_in(request.municipality)
    if place:
        out["place"] = residence_clause(place, request.radius_km)
    if request.district:
        out["district"] = {"terms": {"district_ags": request.district}}
    if request.near:
        out["near"] = near_clause(request.near)
    age = age_clause(request.age_months, request.pregnancy)
    if age:
        out[AGE_FACET] = age
    for name, field in (("topics", "topics"), ("kinds", "kind"), ("languages", "languages")):
        values = getattr(request, name)
        if values:
            out[name] = {"terms": {field: values}}
    if request.cost:
        out["cost"] = {"terms": {"cost": list(request.cost)}}
    if request.accessibility:
        out["accessibility"] = {"terms": {"accessibility": request.accessibility}}
    if request.online is not None:
        out["online"] = {"term": {"online": request.online}}
    return out


def served_in(ags: list[str]) -> Clause:
    """A location in one of the municipalities, or an online offer published from there."""
    online_there = {"bool": {"filter": [{"term": {"online": True}}, {"terms": {"area_ags": ags}}]}}
    return {
        "bool": {
            "should": [{"terms": {"location_ags": ags}}, online_there],
            "minimum_should_match": 1,
        }
    }


def residence_clause(place: Place, km: float) -> Clause:
    """Around a place of residence: a location there or within `km` of its centre, or an
    online offer published for it or its district (a parent's town is small; help nearby
    counts)."""
    point = Near(lat=place.lat, lon=place.lon, km=km)
    districts = sorted({ags[:5] for ags in place.ags})
    online_here = {
        "bool": {"filter": [{"term": {"online": True}}, {"terms": {"district_ags": districts}}]}
    }
    there = {"terms": {"location_ags": list(place.ags)}}
    return {
        "bool": {
            "should": [there, near_clause(point), online_here],
            "minimum_should_match": 1,
        }
    }


def near_clause(near: Near) -> Clause:
    """A location within the radius (great-circle); online offers have no point."""
    point = {"lat": near.lat, "lon": near.lon}
    return {"geo_distance": {"distance": f"{near.km}km", "geo": point, "distance_type": "arc"}}


def age_clause(age_months: int | None, pregnancy: bool | None) -> Clause | None:
    """The age within [age_min, age_max] (open ends); pregnancy-only offers never match an age."""
    clauses: list[Clause] = []
    if age_months is not None:
        clauses.append(age_within(age_months))
    if pregnancy:
        clauses.append({"term": {"pregnancy": True}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"bool": {"filter": clauses}}


def age_within(months: int) -> Clause:
    """The age within the offer's range; open ends match, pregnancy-only offers do not."""

    def bound(field: str, op: str) -> Clause:
        missing = {"bool": {"must_not": {"exists": {"field": field}}}}
        return {
            "bool": {
                "should": [{"range": {field: {op: months}}}, missing],
                "minimum_should_match": 1,
            }
        }

    pregnancy_only = {
        "bool": {
            "filter": [
                {"term": {"pregnancy": True}},
                {
                    "bool": {
                        "must_not": [
                            {"exists": {"field": "age_min_months"}},
                            {"exists": {"field": "age_max_months"}},
                        ]
                    }
                },
            ]
        }
    }
    return {
        "bool": {
            "filter": [bound("age_min_months", "lte"), bound("age_max_months", "gte")],
            "must_not": [pregnancy_only],
        }
    }
