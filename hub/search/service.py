"""Runs a citizen search: request model in, hits + total + facets out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Field

from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS

FACETS = ("topics", "kind", "age_groups", "languages", "cost", "accessibility", "online")


class OfferQuery(BaseModel):
    """What a search may ask for."""

    q: str = ""
    ags: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    age_months: int | None = Field(None, ge=0, le=216)
    size: int = Field(20, ge=1, le=100)
    page: int = Field(1, ge=1, le=500)


class SearchResult(BaseModel):
    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]


def _filters(query: OfferQuery) -> dict[str, list[dict[str, Any]]]:
    filters: dict[str, list[dict[str, Any]]] = {}
    if query.ags:
        filters["ags"] = [
            {
                "bool": {
                    "should": [
                        {"terms": {"location_ags": query.ags}},
                        {
                            "bool": {
                                "filter": [
                                    {"term": {"online": True}},
                                    {"terms": {"area_ags": query.ags}},
                                ]
                            }
                        },
                    ]
                }
            }
        ]
    if query.topics:
        filters["topics"] = [{"terms": {"topics": query.topics}}]
    if query.age_months is not None:
        age = query.age_months
        filters["age"] = [
            {
                "bool": {
                    "must_not": [
                        {"range": {"age_min_months": {"gt": age}}},
                        {"range": {"age_max_months": {"lt": age}}},
                    ],
                    "should": [
                        {"exists": {"field": "age_min_months"}},
                        {"exists": {"field": "age_max_months"}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        ]
    return filters


def build_body(query: OfferQuery) -> dict[str, Any]:
    """Engine request: text query, filters as post_filter, each facet filtered by the others."""
    must: dict[str, Any] = (
        {
            "multi_match": {
                "query": query.q,
                "fields": ["title^3", "categories^2", "summary^1.5", "description"],
                "fuzziness": "AUTO",
                "prefix_length": 1,
            }
        }
        if query.q
        else {"match_all": {}}
    )
    filters = _filters(query)
    facet_field = {
        "topics": "topics",
        "kind": "kind",
        "age_groups": "age_groups",
        "languages": "languages",
        "cost": "cost",
        "accessibility": "accessibility",
        "online": "online",
    }
    aggs: dict[str, Any] = {}
    for name in FACETS:
        others = [f for key, fs in filters.items() if key != name for f in fs]
        aggs[name] = {
            "filter": {"bool": {"filter": others}},
            "aggs": {"values": {"terms": {"field": facet_field[name], "size": 50}}},
        }
    return {
        "query": must,
        "post_filter": {"bool": {"filter": [f for fs in filters.values() for f in fs]}},
        "aggs": aggs,
        "from": (query.page - 1) * query.size,
        "size": query.size,
        "track_total_hits": True,
    }


def search_offers(engine: SearchEngine, query: OfferQuery) -> SearchResult:
    found = engine.request("POST", f"/{engine.name(OFFERS)}/_search", build_body(query))
    facets = {
        name: {
            str(b.get("key_as_string", b["key"])): b["doc_count"] for b in agg["values"]["buckets"]
        }
        for name, agg in found["aggregations"].items()
    }
    hits = [{**hit["_source"], "score": hit.get("_score")} for hit in found["hits"]["hits"]]
    return SearchResult(total=found["hits"]["total"]["value"], hits=hits, facets=facets)


def get_offer(engine: SearchEngine, offer_id: str) -> dict[str, Any]:
    found = engine.request("GET", f"/{engine.name(OFFERS)}/_doc/{offer_id}")
    return dict(found["_source"])


def iter_offers(
    engine: SearchEngine, query: OfferQuery, limit: int = 10_000
) -> Iterator[dict[str, Any]]:
    """Every offer matching `query` (filters and text), paged with search_after; for exports."""
    body = build_body(query)
    body.pop("aggs", None)
    body.pop("from", None)
    body["size"] = 500
    body["sort"] = [{"_score": "desc"}, {"id": "asc"}]
    body["track_total_hits"] = False
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
