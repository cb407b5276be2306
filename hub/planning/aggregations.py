"""Engine aggregation bodies of the planning figures (pure: dicts in, dicts out).

Every figure is one aggregation over the offer alias, never a scan of documents: counts per
topic × age group (with stale and online apart), counts per municipality for comparisons, and
reach as one `filters` bucket per population point (a `geo_distance` query each, answered by
the engine's point index), batched so a state-wide request stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hub.core.vocab import vocabulary
from hub.planning.reach import PopulationPoint

Key = tuple[str, str]
TOPIC_SIZE = 100


def _missing(field: str) -> dict[str, Any]:
    return {"bool": {"must_not": {"exists": {"field": field}}}}


def age_group_clause(min_months: int, max_months: int) -> dict[str, Any]:
    """Offers whose age range overlaps [min, max) months, open ends matching as in the search;
    an upper bound equal to the group's start ("up to 12 months") stays in the younger group."""
    pregnancy_only = {
        "bool": {
            "filter": [
                {"term": {"pregnancy": True}},
                _missing("age_min_months"),
                _missing("age_max_months"),
            ]
        }
    }
    starts_before_end = {
        "bool": {
            "should": [
                {"range": {"age_min_months": {"lt": max_months}}},
                _missing("age_min_months"),
            ],
            "minimum_should_match": 1,
        }
    }
    reaches_group = {
        "bool": {
            "should": [
                {"range": {"age_max_months": {"gt": min_months}}},
                {"range": {"age_min_months": {"gte": min_months}}},
                _missing("age_max_months"),
            ],
            "minimum_should_match": 1,
        }
    }
    return {"bool": {"filter": [starts_before_end, reaches_group], "must_not": [pregnancy_only]}}


def age_group_filters() -> dict[str, Any]:
    """One filter per age group of the vocabulary (pregnancy: the offer's pregnancy flag)."""
    filters: dict[str, Any] = {}
    for term in vocabulary("age_groups").terms.values():
        if term.extra.get("pregnancy"):
            filters[term.code] = {"term": {"pregnancy": True}}
        else:
            lo, hi = int(str(term.extra["min_months"])), int(str(term.extra["max_months"]))
            filters[term.code] = age_group_clause(lo, hi)
    return filters


def _cells(sub: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """terms on topics → filters per age group (the matrix's two axes)."""
    groups: dict[str, Any] = {"filters": {"filters": age_group_filters()}}
    if sub:
        groups["aggs"] = dict(sub)
    return {"terms": {"field": "topics", "size": TOPIC_SIZE}, "aggs": {"groups": groups}}


def _in_area(members: Iterable[str]) -> dict[str, Any]:
    codes = list(members)
    return {
        "bool": {
            "should": [
                {"terms": {"location_ags": codes}},
                {"terms": {"area_ags": codes}},
            ],
            "minimum_should_match": 1,
        }
    }


def counts_body(members: Iterable[str], stale_before: str) -> dict[str, Any]:
    """In-person offers held in or for the area per cell (stale apart), online offers apart.

    Online offers count for an area when their source serves it or they name no area."""
    codes = list(members)
    online_for_area = {
        "bool": {
            "filter": [{"term": {"online": True}}],
            "should": [
                {"terms": {"area_ags": codes}},
                {"bool": {"must_not": {"exists": {"field": "area_ags"}}}},
            ],
            "minimum_should_match": 1,
        }
    }
    stale = {"stale": {"filter": {"range": {"updated_at": {"lt": stale_before}}}}}
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {"match_all": {}},
        "aggs": {
            "in_person": {
                "filter": {
                    "bool": {"filter": [_in_area(codes)], "must_not": [{"term": {"online": True}}]}
                },
                "aggs": {"cells": _cells(stale)},
            },
            "online": {"filter": online_for_area, "aggs": {"cells": _cells()}},
        },
    }


def per_municipality_body(size: int = 500) -> dict[str, Any]:
    """In-person offers per municipality per cell, state-wide (for medians and comparisons)."""
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {"bool": {"must_not": [{"term": {"online": True}}]}},
        "aggs": {
            "places": {
                "terms": {"field": "location_ags", "size": size},
                "aggs": {"cells": _cells()},
            }
        },
    }


def reach_body(points: Iterable[PopulationPoint], km: float) -> dict[str, Any]:
    """One bucket per population point: in-person offers within `km`, per cell."""
    filters = {
        p.id: {"geo_distance": {"distance": f"{km}km", "geo": {"lat": p.lat, "lon": p.lon}}}
        for p in points
    }
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {
            "bool": {
                "filter": [{"exists": {"field": "geo"}}],
                "must_not": [{"term": {"online": True}}],
            }
        },
        "aggs": {"points": {"filters": {"filters": filters}, "aggs": {"cells": _cells()}}},
    }


def read_cells(agg: Mapping[str, Any], sub: str | None = None) -> dict[Key, int]:
    """(topic, age group) → doc count (or the count of sub-aggregation `sub`) of a `_cells` agg."""
    out: dict[Key, int] = {}
    for topic in agg.get("buckets", []):
        for name, group in topic["groups"]["buckets"].items():
            count = group[sub]["doc_count"] if sub else group["doc_count"]
            if count:
                out[(str(topic["key"]), str(name))] = int(count)
    return out


def read_counts(answer: Mapping[str, Any]) -> tuple[dict[Key, int], dict[Key, int], dict[Key, int]]:
    """(in-person counts, of them stale, online counts) from a `counts_body` answer."""
    aggs = answer["aggregations"]
    cells = aggs["in_person"]["cells"]
    return read_cells(cells), read_cells(cells, "stale"), read_cells(aggs["online"]["cells"])


def read_per_municipality(answer: Mapping[str, Any]) -> dict[str, dict[Key, int]]:
    """AGS → (topic, age group) → in-person offers located there."""
    buckets = answer["aggregations"]["places"]["buckets"]
    return {str(b["key"]): read_cells(b["cells"]) for b in buckets}


def read_reach(answer: Mapping[str, Any]) -> dict[Key, set[str]]:
    """(topic, age group) → ids of the population points with such an offer within reach."""
    covered: dict[Key, set[str]] = {}
    for point_id, bucket in answer["aggregations"]["points"]["buckets"].items():
        for key in read_cells(bucket["cells"]):
            covered.setdefault(key, set()).add(point_id)
    return covered
