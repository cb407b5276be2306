"""Runs a citizen search end to end: place, spelling, query, facets, distances, next page.

The only module here that talks to the engine for a search; everything it sends is built by
the pure functions of `query`, `facets` and `suggest`, so what `hub eval relevance` measures is
what the API serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.core.errors import UnknownPlace
from hub.core.places import Place, resolve_place
from hub.search.engine import SearchEngine
from hub.search.facets import FacetValue, facet_aggs, parse_facets
from hub.search.indices import OFFERS
from hub.search.intent import PlaceLookup, QueryIntent, gazetteer_lookup, understand
from hub.search.query import SearchRequest, build_search, filter_clauses
from hub.search.suggest import did_you_mean


@dataclass(frozen=True)
class Hit:
    """One offer as found: its document, score, distance to the searched place, sort key."""

    offer: dict[str, Any]
    score: float | None
    distance_km: float | None
    sort: list[Any]


@dataclass
class SearchPage:
    """One page of results with facet counts and what the search understood."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    next_search_after: list[Any] | None
    did_you_mean: str | None = None
    place: Place | None = None
    intent: QueryIntent | None = None
    warnings: list[str] = field(default_factory=list)


def resolve_residence(request: SearchRequest) -> Place | None:
    """The place of residence of the request, resolved in the gazetteer (None if not given)."""
    if not request.place:
        return None
    found = resolve_place(request.place)
    if found is None:
        raise UnknownPlace(
            f"unknown place {request.place!r}",
            message_de=f"Den Ort „{request.place}“ kennen wir in NRW nicht.",
        )
    return found


def run_search(
    engine: SearchEngine,
    request: SearchRequest,
    *,
    index: str | None = None,
    lookup: PlaceLookup | None = gazetteer_lookup,
    spelling: bool = True,
    facets: bool = True,
) -> SearchPage:
    """Search the offers: correct obvious misspellings, rank, count facets, page."""
    target = index or engine.name(OFFERS)
    place = resolve_residence(request)
    corrected = did_you_mean(engine, request.q, target) if spelling and request.q else None
    intent = understand(corrected or request.q, lookup)
    aggs = facet_aggs(filter_clauses(request, place)) if facets else None
    body = build_search(request, intent, place, aggs=aggs)
    answer = engine.request("POST", f"/{target}/_search", body)
    hits = [_hit(raw, request) for raw in answer["hits"]["hits"]]
    full_page = len(hits) == request.size
    return SearchPage(
        total=int(answer["hits"]["total"]["value"]),
        hits=hits,
        facets=parse_facets(answer.get("aggregations", {})),
        next_search_after=hits[-1].sort if hits and full_page else None,
        did_you_mean=corrected,
        place=place,
        intent=intent,
    )


def _hit(raw: dict[str, Any], request: SearchRequest) -> Hit:
    sort = list(raw.get("sort", []))
    distance: float | None = None
    if request.sort == "distance" and sort and isinstance(sort[0], int | float):
        distance = None if sort[0] == float("inf") else round(float(sort[0]), 1)
    else:
        values = raw.get("fields", {}).get("distance_km")
        distance = float(values[0]) if values and values[0] is not None else None
    return Hit(offer=raw["_source"], score=raw.get("_score"), distance_km=distance, sort=sort)
