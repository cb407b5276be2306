"""Whole-result reads of a search (exports): the same query as the result list, paged through."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.search.intent import understand
from hub.search.query import build_query
from hub.search.request import SearchRequest
from hub.search.runner import resolve_residence


def export_query(request: SearchRequest) -> dict[str, Any]:
    """The scored, filtered query of `request`, as the result list would run it."""
    return build_query(request, understand(request.q), resolve_residence(request))


def count_offers(engine: SearchEngine, request: SearchRequest) -> int:
    body = {"size": 0, "query": export_query(request), "track_total_hits": True}
    found = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)
    return int(found["hits"]["total"]["value"])


def iter_offers(
    engine: SearchEngine, request: SearchRequest, limit: int = 10_000
) -> Iterator[dict[str, Any]]:
    """Every offer matching `request`, best first, paged with search_after."""
    body: dict[str, Any] = {
        "size": 500,
        "query": export_query(request),
        "sort": [{"_score": "desc"}, {"id": "asc"}],
        "track_total_hits": False,
    }
    seen = 0
    while seen < limit:
        hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
        for hit in hits:
            yield hit["_source"]
            seen += 1
            if seen >= limit:
                return
        if len(hits) < body["size"]:
            return
        body["search_after"] = hits[-1]["sort"]
