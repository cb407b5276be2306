"""Runs a citizen search against the engine: the result list, map clusters, counts and exports,
completions, the spelling check and single offers.

The only module that talks to the engine for a search. A search is prepared once
(`prepare_search`: place → spelling → understanding → query, `hub.search.prepared`) and every
view of it (list, map, exports, `hub eval relevance`) sends a body built from that one
`PreparedSearch` by pure functions, so the map and a CSV always hold the offers of the list, and
what the measurement scores is what the API serves.

The API defers the spelling check (`defer_spelling`): the view's first engine call carries it
as a `suggest` section, and only when a correction applies is that call sent again with the
corrected text. Most searches need no correction, so they cost one round trip, not two, and
every search still runs with exactly the correction `prepare_search` would have found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal

from hub.core.errors import NotFound, UnknownPlace
from hub.core.metrics import SEARCH_SECONDS
from hub.core.places import Place, resolve_place
from hub.search.engine import SearchEngine
from hub.search.facets import FacetValue, parse_facets
from hub.search.fallbacks import (
    FallbackKind,
    counselling_body,
    counselling_place,
    needs_fallbacks,
    relaxations,
    whole_district,
    wider_radii,
    youth_office,
    youth_office_body,
)
from hub.search.geo import BBox, Cluster, parse_clusters
from hub.search.indices import OFFERS
from hub.search.intent import PlaceLookup, QueryIntent, gazetteer_lookup
from hub.search.prepared import (
    EXPORT_PAGE,
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

PlaceMatch = Literal["in_place", "nearby", "online"]
BodyOf = Callable[[PreparedSearch], dict[str, Any]]
PLACES_KEPT = 1024
"""Typed places of residence whose resolution each process keeps (the gazetteer is static)."""


@dataclass(frozen=True)
class Hit:
    """One offer as found: its document, score, distance to the searched place, sort key, and
    how it relates to the place of residence (there, nearby, online for it)."""

    offer: dict[str, Any]
    score: float | None
    distance_km: float | None
    sort: list[Any]
    place_match: PlaceMatch | None = None

    @property
    def distance_approximate(self) -> bool:
        """The distance is measured to the centre of the source's area, not to a venue."""
        return self.distance_km is not None and bool(self.offer.get("geo_approximate"))


@dataclass(frozen=True)
class Fallback:
    """The nearest thing that exists when a search finds (almost) nothing, marked by kind:
    the search without one constraint (`dropped`), in a larger radius (`radius_km`) or in the
    whole district of its municipality filter (`district`), or the
    youth welfare office's general counselling for `place` (offers, else the office)."""

    kind: FallbackKind
    total: int
    hits: list[Hit]
    dropped: str | None = None
    radius_km: float | None = None
    district: list[str] | None = None
    place: str | None = None
    office: dict[str, Any] | None = None


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
    fallbacks: list[Fallback] = field(default_factory=list)
    partial: bool = False
    """The engine stopped at its time limit (or lost a shard): what it found so far."""
    prepared: PreparedSearch | None = None
    """The search the page ran, its spelling settled (the correction it ran with)."""


def resolve_residence(request: SearchRequest) -> Place | None:
    """The place of residence of the request, resolved in the gazetteer (None if not given)."""
    if not request.place:
        return None
    found = _resolved_place(request.place)
    if found is None:
        raise UnknownPlace(
            f"unknown place {request.place!r}",
            message_de=f"Den Ort „{request.place}“ kennen wir in NRW nicht.",
        )
    return found


@lru_cache(maxsize=PLACES_KEPT)
def _resolved_place(text: str) -> Place | None:
    return resolve_place(text)


def prepare_search(
    engine: SearchEngine,
    request: SearchRequest,
    *,
    index: str | None = None,
    lookup: PlaceLookup | None = gazetteer_lookup,
    spelling: bool = True,
    defer_spelling: bool = False,
) -> PreparedSearch:
    """The search every view shows: residence resolved, obvious misspellings corrected (one
    suggester call, or with `defer_spelling` none here: the view's first call asks it), the
    text understood and the query built."""
    place = resolve_residence(request)
    check = spelling and bool(request.q) and worth_checking(request.q)
    if defer_spelling:
        return prepare(request, place=place, lookup=lookup, spelling_pending=check)
    corrected = did_you_mean(engine, request.q, index) if check else None
    return prepare(request, place=place, corrected=corrected, lookup=lookup)


def _answer(
    engine: SearchEngine, index: str | None, search: PreparedSearch, body_of: BodyOf
) -> tuple[Any, PreparedSearch]:
    """One engine call for a view of the search, and the search it ran with. A pending
    spelling check rides along as a `suggest` section; when it yields a correction the
    call is sent again for the corrected search (which the caller then keeps)."""
    if not search.spelling_pending:
        return _search(engine, index, body_of(search)), search
    text = search.request.q
    body = {**body_of(search), "suggest": did_you_mean_body(text)["suggest"]}
    answer = _search(engine, index, body)
    corrected = corrected_query(text, parse_did_you_mean(answer, text))
    if corrected is None:
        return answer, replace(search, spelling_pending=False)
    fixed = prepare(search.request, place=search.place, corrected=corrected, lookup=search.lookup)
    return _search(engine, index, body_of(fixed)), fixed


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
    engine: SearchEngine,
    search: PreparedSearch,
    *,
    index: str | None = None,
    facets: bool = True,
    fallbacks: bool = True,
) -> SearchPage:
    """One page of the result list of a prepared search, with facet counts and distances; a
    first page with (almost) nothing also gets the nearest alternatives (`find_fallbacks`)."""
    answer, search = _answer(engine, index, search, lambda s: list_body(s, facets=facets))
    request = search.request
    hits = [_hit(raw, request, search.place) for raw in answer["hits"]["hits"]]
    full_page = len(hits) == request.size
    total = int(answer["hits"]["total"]["value"])
    found = []
    if fallbacks and needs_fallbacks(request, total):
        found = find_fallbacks(engine, search, total, index=index)
    return SearchPage(
        total=total,
        fallbacks=found,
        hits=hits,
        facets=parse_facets(answer.get("aggregations", {})),
        next_search_after=hits[-1].sort if hits and full_page else None,
        did_you_mean=search.corrected,
        place=search.place,
        intent=search.intent,
        partial=is_partial(answer),
        prepared=search,
    )


def find_fallbacks(
    engine: SearchEngine, search: PreparedSearch, total: int, *, index: str | None = None
) -> list[Fallback]:
    """The nearest things that exist for a search with `total` hits: each constraint dropped
    in turn (when that finds more), the next larger radius that finds more, and the general
    counselling of the youth welfare office for the place (else the office itself).

    Every candidate is asked in one `_msearch` round trip (a page of "very little" would
    otherwise cost up to six calls one after the other); which of them are shown is decided
    afterwards exactly as if they had been asked in turn."""
    request = search.request
    variants: list[tuple[Fallback, PreparedSearch]] = []
    for dropped, relaxed in relaxations(request):
        corrected = None if dropped == "q" else search.corrected
        variant = prepare(relaxed, place=search.place, corrected=corrected)
        variants.append((Fallback("relaxed", 0, [], dropped=dropped), variant))
    for wider in wider_radii(request):
        variant = prepare(wider, place=search.place, corrected=search.corrected)
        variants.append((Fallback("nearby", 0, [], radius_km=wider.radius_km), variant))
    district = whole_district(request)
    if district is not None:
        variant = prepare(district, place=search.place, corrected=search.corrected)
        variants.append((Fallback("nearby", 0, [], district=district.district), variant))
    place = counselling_place(request, search.place, search.intent.place)
    bodies = [list_body(variant, facets=False) for _, variant in variants]
    if place is not None:
        bodies += [counselling_body(place), youth_office_body(place)]
    answers = _msearch(engine, index, bodies)
    out: list[Fallback] = []
    radius_found = False
    for (kind, variant), answer in zip(variants, answers, strict=False):
        found, hits = _page_of(answer, variant)
        if found <= total or (kind.radius_km is not None and radius_found):
            continue
        radius_found = radius_found or kind.radius_km is not None
        out.append(replace(kind, total=found, hits=hits))
    if place is not None:
        office = _youth_office(search, place, answers[-2], answers[-1])
        out += [office] if office else []
    return out


def _youth_office(
    search: PreparedSearch, place: Place, counselling: Any, offices: Any
) -> Fallback | None:
    """General counselling for the place of the search, else its youth welfare office."""
    raws = counselling["hits"]["hits"]
    if raws:
        hits = [_hit(raw, search.request, place) for raw in raws]
        total = int(counselling["hits"]["total"]["value"])
        return Fallback("youth_office", total, hits, place=place.label)
    office = youth_office(offices["hits"]["hits"])
    if office is None:
        return None
    return Fallback("youth_office", 0, [], place=place.label, office=office)


def _page_of(answer: Any, search: PreparedSearch) -> tuple[int, list[Hit]]:
    """The total and the hits of a list answer."""
    hits = [_hit(raw, search.request, search.place) for raw in answer["hits"]["hits"]]
    return int(answer["hits"]["total"]["value"]), hits


def map_clusters(
    engine: SearchEngine, search: PreparedSearch, box: BBox, zoom: int, *, index: str | None = None
) -> list[Cluster]:
    """The search's located offers within the map area, one cluster per grid cell."""
    answer, _ = _answer(engine, index, search, lambda s: clusters_body(s, box, zoom))
    return parse_clusters(answer)


def count_offers(engine: SearchEngine, search: PreparedSearch, *, index: str | None = None) -> int:
    """How many offers the search finds (the list's `total`)."""
    return counted(engine, search, index=index)[0]


def counted(
    engine: SearchEngine, search: PreparedSearch, *, index: str | None = None
) -> tuple[int, PreparedSearch]:
    """How many offers the search finds, and the search with its spelling settled, for
    reading those offers next (`iter_offers`) without asking the check again."""
    answer, search = _answer(engine, index, search, count_body)
    return int(answer["hits"]["total"]["value"]), search


def iter_offers(
    engine: SearchEngine, search: PreparedSearch, limit: int = 10_000, *, index: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every offer of the search up to `limit`, best first, paged with search_after."""
    if limit > 0:
        answer, search = _answer(engine, index, search, export_body)
        yield from _offers_from(engine, search, answer, limit, index)


def counted_offers(
    engine: SearchEngine, search: PreparedSearch, limit: int = 10_000, *, index: str | None = None
) -> tuple[int, Iterator[dict[str, Any]]]:
    """How many offers the search finds (exactly, as `count_offers`) and every one of them up
    to `limit` (as `iter_offers`), from one first call: the first page counts the total
    too. That call is made here, so an unreachable engine fails before anything is sent."""
    answer, search = _answer(engine, index, search, _counted_export_body)
    total = int(answer["hits"]["total"]["value"])
    return total, _offers_from(engine, search, answer, limit, index)


def _counted_export_body(search: PreparedSearch) -> dict[str, Any]:
    return {**export_body(search), "track_total_hits": True}


def _offers_from(
    engine: SearchEngine, search: PreparedSearch, answer: Any, limit: int, index: str | None
) -> Iterator[dict[str, Any]]:
    """The offers of a first export page and of the pages after it, up to `limit`."""
    seen = 0
    while seen < limit:
        hits = answer["hits"]["hits"]
        for hit in hits[: limit - seen]:
            yield hit["_source"]
        seen += len(hits)
        if len(hits) < EXPORT_PAGE or seen >= limit:
            return
        answer = _search(engine, index, export_body(search, hits[-1]["sort"]))


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
def _msearch(engine: SearchEngine, index: str | None, bodies: list[dict[str, Any]]) -> list[Any]:
    """Several `_search` bodies on `index` in one round trip, each with the time limit."""
    timed = [{**body, "timeout": engine.settings.search_timeout} for body in bodies]
    return engine.msearch(index or engine.name(OFFERS), timed)


@SEARCH_SECONDS.time()
def _search(engine: SearchEngine, index: str | None, body: dict[str, Any]) -> Any:
    """One `_search` on `index`, by default the live offer alias, bounded by the engine-side
    time limit (`search_timeout`), so a slow query answers in part rather than not at all."""
    timed = {**body, "timeout": engine.settings.search_timeout}
    return engine.request("POST", f"/{index or engine.name(OFFERS)}/_search", timed)


def is_partial(answer: dict[str, Any]) -> bool:
    """The engine's answer holds only part of the matches: it reached its time limit or a
    shard failed."""
    return bool(answer.get("timed_out")) or int(answer.get("_shards", {}).get("failed", 0)) > 0


def _hit(raw: dict[str, Any], request: SearchRequest, place: Place | None = None) -> Hit:
    sort = list(raw.get("sort", []))
    distance: float | None = None
    if request.sort == "distance" and sort and isinstance(sort[0], int | float):
        distance = None if sort[0] == float("inf") else round(float(sort[0]), 1)
    else:
        values = raw.get("fields", {}).get("distance_km")
        distance = float(values[0]) if values and values[0] is not None else None
    offer = raw["_source"]
    return Hit(offer, raw.get("_score"), distance, sort, place_match(offer, place))


def place_match(offer: dict[str, Any], place: Place | None) -> PlaceMatch | None:
    """How an offer found around a place relates to it: located there, online, or nearby."""
    if place is None:
        return None
    if set(offer.get("location_ags") or ()) & set(place.ags):
        return "in_place"
    return "online" if offer.get("online") else "nearby"
