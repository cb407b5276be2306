"""The numbers behind the ministry's desk, each from one engine aggregation: the outcomes of
every source's recent runs, and offer counts per municipality and per district."""

from __future__ import annotations

from typing import Any

from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, SYNC_RUNS
from hub.sources.health import ErrorRate
from hub.sources.runs import RunStatus

RECENT_RUNS = 10


def error_rates(
    engine: SearchEngine, last: int = RECENT_RUNS, page: int = 1000
) -> dict[str, ErrorRate]:
    """Per source: failed among its `last` finished runs (running ones left out); a composite
    aggregation paged `page` sources at a time, so no bucket limit drops a source."""
    composite: dict[str, Any] = {
        "size": page,
        "sources": [{"source": {"terms": {"field": "source_id"}}}],
    }
    recent = {"top_hits": {"size": last, "sort": [{"started_at": "desc"}], "_source": ["status"]}}
    body: dict[str, Any] = {
        "size": 0,
        "query": {"bool": {"must_not": {"term": {"status": RunStatus.RUNNING.value}}}},
        "aggs": {"sources": {"composite": composite, "aggs": {"recent": recent}}},
    }
    rates = {}
    while True:
        found = engine.request("POST", f"/{engine.name(SYNC_RUNS)}/_search", body)
        sources = found["aggregations"]["sources"]
        for bucket in sources["buckets"]:
            hits = bucket["recent"]["hits"]["hits"]
            failed = sum(h["_source"].get("status") == RunStatus.FAILED.value for h in hits)
            rates[str(bucket["key"]["source"])] = ErrorRate(failed, len(hits))
        if len(sources["buckets"]) < page or "after_key" not in sources:
            return rates
        composite["after"] = sources["after_key"]


def offer_counts(engine: SearchEngine) -> tuple[dict[str, int], dict[str, int]]:
    """Searchable offers per municipality (AGS of a location) and per district (Kreis AGS);
    an offer with places in several municipalities counts once in each."""
    body = {
        "size": 0,
        "aggs": {
            "municipalities": {"terms": {"field": "location_ags", "size": 1000}},
            "districts": {"terms": {"field": "district_ags", "size": 100}},
        },
    }
    found = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["aggregations"]
    per = {str(b["key"]): int(b["doc_count"]) for b in found["municipalities"]["buckets"]}
    districts = {str(b["key"]): int(b["doc_count"]) for b in found["districts"]["buckets"]}
    return per, districts
