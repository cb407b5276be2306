"""`hub bench fairness`: does one slow source hold up the others?

Two rounds through the same worker pool over fresh indices: the fast sources alone (the
baseline), then the same fast sources enqueued right after one slow source whose every page
answers after `latency` seconds. The figure is the time until the last fast source's run has
ended, with and without the slow one; the slow source's own run time is reported beside it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.core.settings import Settings
from hub.dev.fleet.generate import Faults, generate_fleet
from hub.dev.scale.stack import (
    Progress,
    bench_settings,
    own_indices,
    served_fleet,
    sync_round,
    workers,
)
from hub.search.engine import SearchEngine
from hub.search.indices import SYNC_RUNS


def bench_fairness(
    settings: Settings,
    *,
    sources: int = 20,
    records: int = 4000,
    latency: float = 5.0,
    slow_pages: int = 8,
    concurrency: int = 4,
    progress: Progress = lambda done, indexed: None,
) -> dict[str, Any]:
    rounds: dict[str, dict[str, float | None]] = {}
    for label, with_slow in (("fast sources alone (baseline)", False),
                             ("with one slow source enqueued first", True)):  # fmt: skip
        local = bench_settings(settings, fetch_rate_per_host=1000.0)
        fleet = generate_fleet(sources, records, kinds=("json_feed",), page_size=100)
        if with_slow:
            slow = generate_fleet(1, slow_pages * 100, seed=99, kinds=("json_feed",),
                                  page_size=100)[0]  # fmt: skip
            slow.source_id = "sim-slow"
            slow.faults = Faults(latency=latency)
            fleet = [slow, *fleet]
        with (
            own_indices(local) as engine,
            served_fleet(engine, fleet) as sim,
            workers(local, 1, concurrency),
        ):
            since, seconds = sync_round(local, engine, list(sim.servers), full=True,
                                        progress=progress)  # fmt: skip
            ends = _run_seconds(engine, since)
        fast = [v for k, v in ends.items() if k != "sim-slow"]
        rounds[label] = {
            "seconds_until_last_fast_source": round(max(fast), 2),
            "slow_source_seconds": round(ends["sim-slow"], 2) if with_slow else None,
            "round_seconds": round(seconds, 2),
        }
    base, slowed = (r["seconds_until_last_fast_source"] or 1.0 for r in rounds.values())
    delay = slowed / base
    return {"scenario": "fairness", "sources": sources, "records": records,
            "slow_latency_seconds": latency, "slow_pages": slow_pages,
            "worker_concurrency": concurrency, "rounds": rounds,
            "fast_sources_slowed_by": round(delay, 2)}  # fmt: skip


def _run_seconds(engine: SearchEngine, since: str) -> dict[str, float]:
    """Per source: seconds from `since` until its run ended."""
    body = {"size": 10_000, "query": {"range": {"started_at": {"gte": since}}}}
    hits = engine.request("POST", f"/{engine.name(SYNC_RUNS)}/_search", body)["hits"]["hits"]
    start = datetime.fromisoformat(since)
    return {
        h["_source"]["source_id"]: (
            datetime.fromisoformat(h["_source"]["ended_at"]) - start
        ).total_seconds()
        for h in hits
        if h["_source"].get("ended_at")
    }
