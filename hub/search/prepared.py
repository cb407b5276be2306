"""One search, prepared once, and the engine bodies every view of it sends (pure functions).

A citizen's search is shown as a result list, as map clusters and as HSDS, GeoJSON and CSV
downloads, and is measured by `hub eval relevance`. All of them must mean the same offers, so
each starts from one `PreparedSearch`: the place of residence resolved, the spelling corrected
where the list corrects it, the text understood (place, language, age, … hints) and the
filtered, scored query built. Only the correction needs the engine: `hub.search.runner` asks it
either before (`prepare_search`) or, for the API, together with the first engine call of the
view (`spelling_pending`), and then calls `prepare` here.

Understanding a text is pure (data files, gazetteer) and the same words come again and again,
so each process keeps the last `UNDERSTOOD` results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from hub.core.places import Place
from hub.search.facets import facet_aggs
from hub.search.geo import BBox, cluster_body
from hub.search.intent import PlaceLookup, QueryIntent, gazetteer_lookup, understand
from hub.search.query import Clause, build_query, build_search, filter_clauses
from hub.search.request import SearchRequest

EXPORT_PAGE = 500
UNDERSTOOD = 4096
"""Texts whose understanding each process keeps (a few hundred bytes each)."""


@dataclass(frozen=True)
class PreparedSearch:
    """A request with everything derived from it that decides which offers match and how."""

    request: SearchRequest
    place: Place | None
    """The place of residence (`request.place`) resolved in the gazetteer."""
    corrected: str | None
    """The "Meinten Sie …?" correction the search runs with instead of `request.q`."""
    intent: QueryIntent
    """What the (corrected) text says: words to match plus boosts."""
    query: Clause
    """Text × hints × place, with every filter inside: what decides the set of offers."""
    spelling_pending: bool = False
    """The "Meinten Sie …?" check is still to be asked, with the first engine call of the
    view (`hub.search.runner`); `corrected` is None until then."""
    lookup: PlaceLookup | None = field(default=gazetteer_lookup, compare=False, repr=False)
    """The place lookup the text was understood with (again after a correction)."""


def prepare(
    request: SearchRequest,
    *,
    place: Place | None = None,
    corrected: str | None = None,
    lookup: PlaceLookup | None = gazetteer_lookup,
    spelling_pending: bool = False,
) -> PreparedSearch:
    """Understand the (corrected) text and build the query once for every view of the search."""
    intent = understood(corrected or request.q, lookup)
    query = build_query(request, intent, place)
    return PreparedSearch(request, place, corrected, intent, query, spelling_pending, lookup)


@lru_cache(maxsize=UNDERSTOOD)
def understood(text: str, lookup: PlaceLookup | None) -> QueryIntent:
    """`understand`, remembered per process (a pure function of the text and the lookup; the
    result is shared, so it is never changed)."""
    return understand(text, lookup)


def list_body(search: PreparedSearch, *, facets: bool = True) -> Clause:
    """One page of the result list: facet filters in `post_filter` (so facets count with the
    other filters), sort, paging and distances; the same offers as `search.query`."""
    request, place = search.request, search.place
    aggs = facet_aggs(filter_clauses(request, place)) if facets else None
    return build_search(request, search.intent, place, aggs=aggs)


def clusters_body(search: PreparedSearch, box: BBox, zoom: int) -> Clause:
    """The search's offers within the visible map area, grouped on a grid for the zoom."""
    return cluster_body(box, zoom, search.query)


def count_body(search: PreparedSearch) -> Clause:
    """How many offers the search finds, exactly (the list's `total`)."""
    return {"size": 0, "query": search.query, "track_total_hits": True}


def export_body(
    search: PreparedSearch, after: list[Any] | None = None, size: int = EXPORT_PAGE
) -> Clause:
    """One page of a whole-result read, best first, with a unique tiebreaker for
    `search_after` (an export is not bound to the list's page or sort order)."""
    body: Clause = {
        "size": size,
        "query": search.query,
        "sort": [{"_score": "desc"}, {"id": "asc"}],
        "track_total_hits": False,
    }
    if after:
        body["search_after"] = after
    return body
