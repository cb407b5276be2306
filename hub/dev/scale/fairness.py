"""`hub bench fairness`: does one slow or one huge source hold up the others?

Rounds through the same worker pool over fresh indices: the small sources alone (the
baseline), then the same small sources enqueued right after one slow source whose every page
answers after `latency` seconds, and (with `huge_records`) right after one huge source of that
many records. The figure is the time until the last small source's run has ended, with and
without the other one; the slow source's own run time is reported beside it. The huge round
ends as soon as the small sources are done: how far the huge source got by then is reported
(its offers indexed), not waited for, so the round stays short whatever its size.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from hub.core.settings import Settings
from hub.dev.fleet.generate import Faults, SimSource, generate_fleet
from hub.dev.scale.stack import (
    Progress,
    bench_settings,
    own_indices,
    served_fleet,
    sync_round,
    workers,
)
from hub.queue import enqueue_sync
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, SYNC_RUNS

SLOW, HUGE = "sim-slow", "sim-huge"


def bench_fairness(
    settings: Settings,
    *,
    sources: int = 20,
    records: int = 4000,
    latency: float = 5.0,
    slow_pages: int = 8,
    huge_records: int = 0,
    concurrency: int = 4,
    progress: Progress = lambda done, indexed: None,
) -> dict[str, Any]:
    rounds: dict[str, dict[str, float | None]] = {}
    plan: list[tuple[str, str | None]] = [
        ("fast sources alone (baseline)", None),
        ("with one slow source enqueued first", SLOW),
    ]
    if huge_records:
        plan.append((f"with one huge source ({huge_records:,} records) enqueued first", HUGE))
    for label, other in plan:
        local = bench_settings(settings, fetch_rate_per_host=1000.0)
        fleet = generate_fleet(sources, records, kinds=("json_feed",), page_size=100)
        if other:
            fleet = [_other(other, latency, slow_pages, huge_records), *fleet]
        with (
            own_indices(local) as engine,
            served_fleet(engine, fleet) as sim,
            workers(local, 1, concurrency),
        ):
            if other == HUGE:
                rounds[label] = _huge_round(local, engine, list(sim.servers), progress)
                continue
            since, seconds = sync_round(local, engine, list(sim.servers), full=True,
                                        progress=progress)  # fmt: skip
            ends = _run_seconds(engine, since)
        fast = [v for k, v in ends.items() if k != SLOW]
        rounds[label] = {
            "seconds_until_last_fast_source": round(max(fast), 2),
            "slow_source_seconds": round(ends[SLOW], 2) if other else None,
            "round_seconds": round(seconds, 2),
        }
    base, *others = (r["seconds_until_last_fast_source"] or 1.0 for r in rounds.values())
    return {"scenario": "fairness", "sources": sources, "records": records,
            "slow_latency_seconds": latency, "slow_pages": slow_pages,
            "huge_records": huge_records, "worker_concurrency": concurrency, "rounds": rounds,
            "fast_sources_slowed_by": round(others[0] / base, 2),
            "fast_sources_slowed_by_huge": round(others[1] / base, 2) if huge_records else None,
            }  # fmt: skip


def _other(kind: str, latency: float, slow_pages: int, huge_records: int) -> SimSource:
    """The slow source (every page late) or the huge one (one feed of `huge_records`)."""
    if kind == SLOW:
        slow = generate_fleet(1, slow_pages * 100, seed=99, kinds=("json_feed",), page_size=100)
        slow[0].faults = Faults(latency=latency)
    else:
        slow = generate_fleet(1, huge_records, seed=98, kinds=("json_feed",), page_size=100)
    slow[0].source_id = kind
    return slow[0]


def _huge_round(
    settings: Settings, engine: SearchEngine, source_ids: list[str], progress: Progress
) -> dict[str, float | None]:
    """The huge source first, the small ones right after; until every small one has ended."""
    since = datetime.now(UTC).isoformat()
    start = time.perf_counter()
    for source_id in source_ids:
        enqueue_sync(settings, source_id, trigger="bench", full=True)
    small = set(source_ids) - {HUGE}
    while True:
        ends = _run_seconds(engine, since)
        progress(len(ends), _offers(engine))
        if small <= ends.keys():
            break
        if time.perf_counter() - start > 3600:
            raise RuntimeError(f"only {len(small & ends.keys())} small sources ended in time")
        time.sleep(0.5)
    return {
        "seconds_until_last_fast_source": round(max(ends[s] for s in small), 2),
        "huge_source_seconds": round(ends[HUGE], 2) if HUGE in ends else None,
        "huge_source_offers_indexed_by_then": _offers(engine, HUGE),
        "round_seconds": round(time.perf_counter() - start, 2),
    }


def _offers(engine: SearchEngine, source_id: str | None = None) -> int:
    query = {"term": {"source_id": source_id}} if source_id else {"match_all": {}}
    found = engine.request("POST", f"/{engine.name(OFFERS)}/_count", {"query": query})
    return int(found["count"])


def _run_seconds(engine: SearchEngine, since: str) -> dict[str, float]:
    """Per source: seconds from `since` until its run ended."""
    body = {"size": 10_000, "query": {"range": {"started_at": {"gte": since}}}}
    engine.request("POST", f"/{engine.name(SYNC_RUNS)}/_refresh")
    hits = engine.request("POST", f"/{engine.name(SYNC_RUNS)}/_search", body)["hits"]["hits"]
    start = datetime.fromisoformat(since)
    return {
        h["_source"]["source_id"]: (
            datetime.fromisoformat(h["_source"]["ended_at"]) - start
        ).total_seconds()
        for h in hits
        if h["_source"].get("ended_at")
    }
