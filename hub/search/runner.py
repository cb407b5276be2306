"""Runs a citizen search against the engine: the result list, map clusters, counts and exports,
completions, the spelling check and single offers.

The only module that talks to the engine for a search. A search is prepared once
(`prepare_search`: place → spelling → understanding → query, `hub.search.prepared`) and every
view of it (list, map, exports, `hub eval relevance`) sends a body built from that one
`PreparedSearch` by pure functions, so the map and a CSV always hold the offers of the list, and
what the measurement scores is what the API serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hub.core.errors import NotFound, UnknownPlace
from hub.core.metrics import SEARCH_SECONDS
from hub.core.places import Place, resolve_place
from hub.search.engine import SearchEngine
from hub.search.facets import FacetValue, parse_facets
from hub.search.geo import BBox, Cluster, parse_clusters
from hub.search.indices import OFFERS
from hub.search.intent import PlaceLookup, QueryIntent, gazetteer_lookup
from hub.search.prepared import (
    PreparedSearch,
    clusters_body,
    count_body,
    export_body,
    list_body,
    prepare,
)
from hub.search.request import SearchRequest
from hub.search.suggest import (
    completion_body,
    corrected_query,
    did_you_mean_body,
    parse_completions,
    parse_did_you_mean,
    worth_checking,
)


@dataclass(frozen=True)
class Hit:
    """One offer as found: its document, score, distance to the searched place, sort key."""

    offer: dict[str, Any]
    score: float | None
    distance_km: float | None
    sort: list[Any]

    @property
    def distance_approximate(self) -> bool:
        """The distance is measured to the centre of the source's area, not to a venue."""
        return self.distance_km is not None and bool(self.offer.get("geo_approximate"))


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


def prepare_search(
    engine: SearchEngine,
    request: SearchRequest,
    *,
    index: str | None = None,
    lookup: PlaceLookup | None = gazetteer_lookup,
    spelling: bool = True,
) -> PreparedSearch:
    """The search every view shows: residence resolved, obvious misspellings corrected (one
    suggester call), the text understood and the query built."""
    place = resolve_residence(request)
    corrected = did_you_mean(engine, request.q, index) if spelling and request.q else None
    return prepare(request, place=place, corrected=corrected, lookup=lookup)


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
    search = prepare_search(engine, request, index=index, lookup=lookup, spelling=spelling)
    return search_page(engine, search, index=index, facets=facets)


def search_page(
    engine: SearchEngine, search: PreparedSearch, *, index: str | None = None, facets: bool = True
) -> SearchPage:
    """One page of the result list of a prepared search, with facet counts and distances."""
    request = search.request
    answer = _search(engine, index, list_body(search, facets=facets))
    hits = [_hit(raw, request) for raw in answer["hits"]["hits"]]
    full_page = len(hits) == request.size
    return SearchPage(
        total=int(answer["hits"]["total"]["value"]),
        hits=hits,
        facets=parse_facets(answer.get("aggregations", {})),
        next_search_after=hits[-1].sort if hits and full_page else None,
        did_you_mean=search.corrected,
        place=search.place,
        intent=search.intent,
    )


def map_clusters(
    engine: SearchEngine, search: PreparedSearch, box: BBox, zoom: int, *, index: str | None = None
) -> list[Cluster]:
    """The search's located offers within the map area, one cluster per grid cell."""
    return parse_clusters(_search(engine, index, clusters_body(search, box, zoom)))


def count_offers(engine: SearchEngine, search: PreparedSearch, *, index: str | None = None) -> int:
    """How many offers the search finds (the list's `total`)."""
    return int(_search(engine, index, count_body(search))["hits"]["total"]["value"])


def iter_offers(
    engine: SearchEngine, search: PreparedSearch, limit: int = 10_000, *, index: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every offer of the search up to `limit`, best first, paged with search_after."""
    seen = 0
    after: list[Any] | None = None
    while seen < limit:
        body = export_body(search, after)
        hits = _search(engine, index, body)["hits"]["hits"]
        for hit in hits[: limit - seen]:
            yield hit["_source"]
        seen += len(hits)
        if len(hits) < body["size"]:
            return
        after = hits[-1]["sort"]


def did_you_mean(engine: SearchEngine, text: str, index: str | None = None) -> str | None:
    """'Meinten Sie …?': the corrected query (folded), or None when nothing needs correcting."""
    if not worth_checking(text):
        return None
    answer = _search(engine, index, did_you_mean_body(text))
    return corrected_query(text, parse_did_you_mean(answer, text))


def complete(
    engine: SearchEngine, prefix: str, size: int = 8, index: str | None = None
) -> list[str]:
    """Up to `size` offer titles for what has been typed so far. Never spell-corrected: the
    last word is a prefix still being typed, not a misspelling."""
    if len(prefix.strip()) < 2:
        return []
    return parse_completions(_search(engine, index, completion_body(prefix, size)))


def get_offer(engine: SearchEngine, offer_id: str) -> dict[str, Any]:
    """One offer's document by id (`{source_id}:{local_id}`), for its detail page."""
    try:
        found = engine.request("GET", engine.doc_path(OFFERS, offer_id))
    except NotFound:
        raise NotFound(
            f"offer {offer_id!r} not found", message_de="Dieses Angebot gibt es nicht (mehr)."
        ) from None
    return dict(found["_source"])


@SEARCH_SECONDS.time()
def _search(engine: SearchEngine, index: str | None, body: dict[str, Any]) -> Any:
    """One `_search` on `index`, by default the live offer alias."""
    return engine.request("POST", f"/{index or engine.name(OFFERS)}/_search", body)


def _hit(raw: dict[str, Any], request: SearchRequest) -> Hit:
    sort = list(raw.get("sort", []))
    distance: float | None = None
    if request.sort == "distance" and sort and isinstance(sort[0], int | float):
        distance = None if sort[0] == float("inf") else round(float(sort[0]), 1)
    else:
        values = raw.get("fields", {}).get("distance_km")
        distance = float(values[0]) if values and values[0] is not None else None
    return Hit(offer=raw["_source"], score=raw.get("_score"), distance_km=distance, sort=sort)
