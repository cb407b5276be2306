"""Search demand, privacy first: per-day counters of what families search for.

The search API calls `record_search` once per first result page. It adds one to counters in a
Redis hash per day (`HINCRBY`): all searches, each topic, age group and place (AGS or district
key) asked for, and the normalised text of searches that found nothing (`zero`) or fewer than
three offers (`few`). Nothing else is kept: no IP address, no session, no time of day, no
per-request document. `flush` copies the day hashes into `hub-planning-demand` (one document
per day, dimension and key, written with the hash's value, so flushing twice is harmless);
reports read the index. Query texts are shown only when at least `K_MIN` searches used them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import redis
import structlog

from hub.core.vocab import age_groups_for, fold
from hub.search.engine import SearchEngine
from hub.search.indices import PLANNING_DEMAND
from hub.search.prepared import PreparedSearch

log = structlog.get_logger(__name__)

K_MIN = 5
FEW_HITS = 3
MAX_QUERY = 80
KEEP_DAYS = 8
DIMENSIONS = ("total", "topic", "age", "place", "zero", "few")


def day_key(prefix: str, day: date) -> str:
    return f"{prefix}planning:demand:{day.isoformat()}"


def normalised_query(text: str) -> str:
    """Folded, single-spaced, capped: "Hebamme  Köln!" → "hebamme koeln"."""
    return re.sub(r"\s+", " ", fold(text))[:MAX_QUERY].strip()


def demand_fields(search: PreparedSearch, total: int) -> list[str]:
    """The counters one search adds to, as `dimension:key` (pure)."""
    request, intent = search.request, search.intent
    fields = ["total:all"]
    fields += [f"topic:{t}" for t in dict.fromkeys([*request.topics, *intent.topics])]
    age = request.age_months if request.age_months is not None else intent.age_months
    groups = age_groups_for(bool(request.pregnancy), age, age) if age is not None else []
    if request.pregnancy and not groups:
        groups = age_groups_for(True, None, None)
    fields += [f"age:{g}" for g in groups]
    place = search.place or intent.place
    if place is not None:
        code = place.ags[0][:5] if place.kind == "district" else place.ags[0]
        fields.append(f"place:{code}")
    query = normalised_query(search.corrected or request.q)
    if query and total < FEW_HITS:
        fields.append(f"{'zero' if total == 0 else 'few'}:{query}")
    return fields


def record_search(
    client: redis.Redis, search: PreparedSearch, total: int, *, prefix: str = ""
) -> None:
    """Count a first result page in today's counters; a Redis failure never fails a search."""
    request = search.request
    if request.page != 1 or request.search_after:
        return
    key = day_key(prefix, datetime.now(UTC).date())
    try:
        pipe = client.pipeline(transaction=False)
        for name in demand_fields(search, total):
            pipe.hincrby(key, name, 1)
        pipe.expire(key, KEEP_DAYS * 86_400)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("planning.demand_not_recorded", error=str(exc))


def flush(engine: SearchEngine, client: redis.Redis, *, prefix: str = "") -> int:
    """Copy every kept day hash into the demand index; returns the documents written."""
    index = engine.name(PLANNING_DEMAND)
    actions: list[dict[str, Any]] = []
    today = datetime.now(UTC).date()
    for back in range(KEEP_DAYS):
        day = today - timedelta(days=back)
        counters = client.hgetall(day_key(prefix, day))
        for raw_name, raw_count in counters.items():
            name = raw_name.decode() if isinstance(raw_name, bytes) else str(raw_name)
            dimension, _, value = name.partition(":")
            doc = {"day": day.isoformat(), "dimension": dimension, "key": value}
            actions.append(
                {
                    "_op_type": "index",
                    "_index": index,
                    "_id": f"{day}|{name}",
                    **doc,
                    "count": int(raw_count),
                }
            )
    failed = [item for ok, item in engine.streaming_bulk(actions, chunk_size=500) if not ok]
    if failed:
        raise RuntimeError(f"planning demand: {len(failed)} counters not written")
    engine.request("POST", f"/{index}/_refresh")
    return len(actions)


@dataclass(frozen=True)
class Demand:
    """Searches of a period by dimension; query texts only from `k` searches on."""

    since: date
    until: date
    k: int
    total: int
    by: dict[str, Counter[str]] = field(default_factory=dict)
    hidden: dict[str, int] = field(default_factory=dict)
    """Per text dimension (zero, few): how many distinct texts stayed below `k`."""


def demand_body(since: date, until: date) -> dict[str, Any]:
    return {
        "size": 0,
        "query": {"range": {"day": {"gte": since.isoformat(), "lte": until.isoformat()}}},
        "aggs": {
            "dims": {
                "terms": {"field": "dimension", "size": len(DIMENSIONS)},
                "aggs": {
                    "keys": {
                        "terms": {"field": "key", "size": 10_000},
                        "aggs": {"n": {"sum": {"field": "count"}}},
                    }
                },
            }
        },
    }


def read_demand(answer: dict[str, Any], since: date, until: date, k: int = K_MIN) -> Demand:
    """Counters summed over the period; texts seen fewer than `k` times are only counted."""
    k = max(k, K_MIN)
    by: dict[str, Counter[str]] = {}
    hidden: dict[str, int] = {}
    for dim in answer["aggregations"]["dims"]["buckets"]:
        counts = Counter({str(b["key"]): int(b["n"]["value"]) for b in dim["keys"]["buckets"]})
        if dim["key"] in ("zero", "few"):
            hidden[dim["key"]] = sum(1 for n in counts.values() if n < k)
            counts = Counter({q: n for q, n in counts.items() if n >= k})
        by[str(dim["key"])] = counts
    total = sum(by.pop("total", Counter()).values())
    return Demand(since, until, k, total, by, hidden)


def demand(engine: SearchEngine, since: date, until: date, k: int = K_MIN) -> Demand:
    """The demand of a period from the index (call `flush` first for today's counts)."""
    answer = engine.request(
        "POST", f"/{engine.name(PLANNING_DEMAND)}/_search", demand_body(since, until)
    )
    return read_demand(answer, since, until, k)
