"""The nearest things that exist when a search finds (almost) nothing: which variants of the
search to try and their engine bodies (pure functions; `hub.search.runner` sends them).

A parent who finds nothing should not face an empty page. Three kinds of fallback, each marked
as such on the page and in the API: the search relaxed by one constraint at a time (saying which
was dropped), the same search in a larger radius around her place, and the general counselling
of the youth welfare office for her place (or, if no such offer is known, the youth welfare
office itself as publisher of offers there). They are only built for a first page with fewer
than `FEW_HITS` hits, so a normal search costs nothing extra.
"""

from __future__ import annotations

from typing import Any, Literal

from hub.core.places import Place, municipality
from hub.search.duplicates import VISIBLE
from hub.search.filters import Clause, filter_clauses
from hub.search.intent import understand
from hub.search.query import distance_script, scored_query
from hub.search.request import MAX_RADIUS_KM, SearchRequest

FallbackKind = Literal["relaxed", "nearby", "youth_office"]
FEW_HITS = 3
"""Fewer hits than this on the first page count as "very little"."""
FALLBACK_HITS = 3
RADIUS_STEPS = (25.0, 50.0, MAX_RADIUS_KM)
"""Larger radii tried in turn for "the same search nearby" (the page's radius choices)."""
COUNSELLING_KIND = "beratung"
COUNSELLING_TOPICS = ("beratung_krisen", "erziehung_alltag")
YOUTH_OFFICE = "*jugendamt*"
"""Providers whose name says they are a youth welfare office (Jugendamt, Kreisjugendamt)."""
RELAXABLE = (
    "q",
    "topics",
    "kinds",
    "age_months",
    "pregnancy",
    "languages",
    "cost",
    "accessibility",
    "online",
    "district",
    "municipality",
    "near",
)
"""Request fields a relaxed search may drop, most specific first."""


def needs_fallbacks(request: SearchRequest, total: int) -> bool:
    """Whether the first page found so little that the nearest alternatives are worth a look."""
    return total < FEW_HITS and request.page == 1 and not request.search_after


def _is_set(request: SearchRequest, name: str) -> bool:
    value = getattr(request, name)
    return value not in (None, "", [], False)


def relaxations(request: SearchRequest) -> list[tuple[str, SearchRequest]]:
    """The request with one constraint dropped, for every constraint it has. The words are
    dropped only when something else (a filter, the place) still narrows the search."""
    active = [name for name in RELAXABLE if _is_set(request, name)]
    narrowed = bool(request.place) or any(name != "q" for name in active)
    out = []
    for name in active:
        if name == "q" and not narrowed:
            continue
        default: Any = SearchRequest.model_fields[name].get_default(call_default_factory=True)
        out.append((name, _small(request, {name: default})))
    return out


def wider_radii(request: SearchRequest) -> list[SearchRequest]:
    """The request around its place of residence with each larger radius, smallest first."""
    if not request.place:
        return []
    steps = [km for km in RADIUS_STEPS if km > request.radius_km]
    return [_small(request, {"radius_km": km}) for km in steps]


def whole_district(request: SearchRequest) -> SearchRequest | None:
    """The request with its municipality filter (a town's widget) widened to the towns'
    districts; None without a municipality filter or with a district filter already."""
    if not request.municipality or request.district:
        return None
    districts = sorted({ags[:5] for ags in request.municipality})
    return _small(request, {"municipality": [], "district": districts})


def _small(request: SearchRequest, update: dict[str, Any]) -> SearchRequest:
    """A first page of a few hits of a variant of the request."""
    base = {"size": FALLBACK_HITS, "page": 1, "search_after": None}
    return request.model_copy(update={**base, **update})


def counselling_place(
    request: SearchRequest, place: Place | None, named: Place | None = None
) -> Place | None:
    """The place whose youth welfare office counts: the residence, else a single municipality
    filter, else the place named in the words ("hebamme lüdenscheid")."""
    if place:
        return place
    if len(request.municipality) == 1:
        found = municipality(request.municipality[0])
        if found:
            return Place("municipality", found.name, (found.ags,), found.lat, found.lon)
    return named


def districts_of(place: Place) -> list[str]:
    """The district keys of a place (a town's district: its youth office may be the Kreis's)."""
    return sorted({ags[:5] for ags in place.ags})


def counselling_body(place: Place) -> Clause:
    """General counselling (kind `beratung`, crisis or parenting topics) offered in or for the
    place's district, the place's own first, then by distance."""
    request = SearchRequest(
        kinds=[COUNSELLING_KIND],
        topics=list(COUNSELLING_TOPICS),
        district=districts_of(place),
        size=FALLBACK_HITS,
    )
    filters = [*filter_clauses(request).values(), VISIBLE]  # each duplicate once
    return _body(request, place, filters, FALLBACK_HITS)


def youth_office_body(place: Place) -> Clause:
    """Offers in or for the place's district published by a youth welfare office, the
    place's own first: their provider is the office to name."""
    request = SearchRequest(district=districts_of(place))
    wildcard = {"wildcard": {"provider.name.keyword": {"value": YOUTH_OFFICE,
                                                       "case_insensitive": True}}}  # fmt: skip
    filters = [*filter_clauses(request).values(), wildcard]
    body = _body(request, place, filters, 10)
    body["_source"] = ["provider", "location_ags", "area_ags"]
    return body


def _body(request: SearchRequest, place: Place, filters: list[Clause], size: int) -> Clause:
    query = scored_query(request, understand("", None), place=place, filters=filters)
    return {
        "size": size,
        "query": query,
        "track_total_hits": True,
        "sort": [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
        "script_fields": {"distance_km": distance_script((place.lat, place.lon))},
        "_source": True,
    }


def youth_office(hits: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first provider among the hits that names itself a youth welfare office."""
    for hit in hits:
        provider = hit.get("_source", {}).get("provider") or {}
        if "jugendamt" in str(provider.get("name", "")).lower():
            keys = ("name", "url", "phone", "email")
            return {key: provider[key] for key in keys if provider.get(key)}
    return None
