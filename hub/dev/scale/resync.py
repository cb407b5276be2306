"""`hub bench resync`: what an unchanged fleet costs, against its cold sync in the same run.

Four rounds over the same simulated fleet, all through real workers: a cold full sync (the
baseline); a full resync of the unchanged feeds with no conditional request (every page
fetched, every raw payload hashed and found unchanged, so nothing is normalised or written);
and a conditional resync (ETag → 304; WordPress sources list only what changed since the
cursor); then every kept payload re-normalised without a fetch (`hub index reindex
--renormalise --force --jobs N`, run here in this process's pool; its CPU is counted as the
round's worker CPU). Each round reports wall time, worker and engine CPU, engine writes and
requests; before each round the engine is left to finish its merges (`quiet_engine`), so a round is
not charged for the one before it (the cold sync's merge tail is charged to no round).
The politeness limit is lifted by default so the figures show the pipeline; with it, a round
lasts at least the longest source's pages ÷ the allowed rate, reported alongside.
"""

from __future__ import annotations

import resource
import time
from typing import Any

from hub.core.settings import Settings
from hub.dev.fleet.generate import KINDS, generate_fleet
from hub.dev.fleet.server import FleetSimulator
from hub.dev.scale.stack import (
    Pids,
    Progress,
    background_rate,
    bench_settings,
    own_indices,
    quiet_engine,
    served_fleet,
    service_pids,
    sync_round,
    workers,
)
from hub.dev.scale.statewide import cpu_delta, cpu_snapshot
from hub.ingest.renormalise import Renormaliser
from hub.search.engine import SearchEngine
from hub.search.indices import SYNC_RUNS

ROUNDS = (
    ("cold full sync (baseline)", True),
    ("unchanged full resync, no 304 (raw-payload hash skip)", True),
    ("conditional resync (304 / modified_after)", False),
)
COUNTED = ("seen", "created", "updated", "unchanged", "deleted", "rejected")


def bench_resync(
    settings: Settings,
    *,
    sources: int,
    records: int,
    seed: int = 1,
    concurrency: int = 4,
    page_size: int = 500,
    rate: float = 1000.0,
    polite_rate: float = 2.0,
    kinds: tuple[str, ...] = KINDS,
    progress: Progress = lambda done, indexed: None,
    timeout: float = 3600,
    renormalise_jobs: int = 2,
) -> dict[str, Any]:
    local = bench_settings(settings, fetch_rate_per_host=rate)
    fleet = generate_fleet(sources, records, seed=seed, kinds=kinds, page_size=page_size)
    pids = service_pids(local)
    rounds: list[dict[str, Any]] = []
    with (
        own_indices(local) as engine,
        served_fleet(engine, fleet) as sim,
        workers(local, 1, concurrency) as worker_pids,
    ):
        pids.workers = worker_pids
        background = background_rate(pids.engine)
        for label, full in ROUNDS:
            served = {k: s.requests for k, s in sim.servers.items()}
            quiet_engine(pids.engine)
            before = cpu_snapshot(pids)
            since, seconds = sync_round(local, engine, list(sim.servers), full=full,
                                        progress=progress, timeout=timeout)  # fmt: skip
            cpu = cpu_delta(before, cpu_snapshot(pids))
            cpu["engine_net"] = round(max(cpu["engine"] - background * seconds, 0.0), 2)
            rounds.append(_round(label, seconds, cpu, _counts(engine, since),
                                 _requests(sim, served), polite_rate))  # fmt: skip
        if renormalise_jobs:
            rounds.append(_renormalise_round(local, engine, pids, background, renormalise_jobs))
    base = rounds[0]
    for entry in rounds:
        entry["ratios_vs_cold"] = {
            "wall": _ratio(base["seconds"], entry["seconds"]),
            "worker_cpu": _ratio(base["cpu_seconds"]["workers"], entry["cpu_seconds"]["workers"]),
            "engine_cpu": _ratio(base["cpu_seconds"]["engine"], entry["cpu_seconds"]["engine"]),
            "engine_net_cpu": _ratio(
                base["cpu_seconds"]["engine_net"], entry["cpu_seconds"]["engine_net"]
            ),
        }
    return {"scenario": "resync", "sources": sources, "records": records,
            "kinds": list(kinds), "page_size": page_size, "worker_concurrency": concurrency,
            "rate_per_host": rate, "engine_background_cpu_per_second": round(background, 3),
            "rounds": rounds}  # fmt: skip


def _renormalise_round(
    settings: Settings, engine: SearchEngine, pids: Pids, background: float, jobs: int
) -> dict[str, Any]:
    """Every kept payload mapped and normalised again in `jobs` processes, none fetched."""
    quiet_engine(pids.engine)
    before = cpu_snapshot(pids)
    pool_before = _reaped_children_cpu()
    start = time.perf_counter()
    result = Renormaliser(settings, engine).run(force=True, jobs=jobs)
    seconds = time.perf_counter() - start
    cpu = cpu_delta(before, cpu_snapshot(pids))
    cpu["workers"] = round(_reaped_children_cpu() - pool_before + cpu["driver"], 2)
    cpu["engine_net"] = round(max(cpu["engine"] - background * seconds, 0.0), 2)
    counts = dict.fromkeys(COUNTED, 0) | {
        k: v for k, v in result.counts.model_dump().items() if k in COUNTED
    }
    entry = _round(f"re-normalise every kept payload, no fetch ({jobs} processes)", seconds,
                   cpu, counts, {}, 1.0)  # fmt: skip
    entry["records_per_second"] = round(result.counts.seen / seconds, 1) if seconds else None
    return entry


def _reaped_children_cpu() -> float:
    """CPU of this process's children that have ended (the re-normalising pool, once joined)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ratio(baseline: float, value: float) -> float | None:
    return round(baseline / value, 1) if value > 0 else None


def _round(label: str, seconds: float, cpu: dict[str, float], counts: dict[str, int],
           requests: dict[str, int], polite_rate: float) -> dict[str, Any]:  # fmt: skip
    longest = max(requests.values(), default=0)
    return {
        "run": label,
        "seconds": round(seconds, 2),
        "cpu_seconds": cpu,
        "engine_writes": counts["created"] + counts["updated"] + counts["deleted"],
        "counts": counts,
        "requests": sum(requests.values()),
        "polite_floor_seconds": round(max(longest - 1, 0) / polite_rate, 1),
    }


def _requests(sim: FleetSimulator, before: dict[str, int]) -> dict[str, int]:
    return {k: s.requests - before[k] for k, s in sim.servers.items()}


def _counts(engine: SearchEngine, since: str) -> dict[str, int]:
    """The counts of every run started since `since`, summed."""
    body = {"size": 10_000, "query": {"range": {"started_at": {"gte": since}}}}
    hits = engine.request("POST", f"/{engine.name(SYNC_RUNS)}/_search", body)["hits"]["hits"]
    totals = dict.fromkeys(COUNTED, 0)
    for hit in hits:
        counts = hit["_source"].get("counts") or {}
        for key in COUNTED:
            totals[key] += int(counts.get(key) or 0)
    return totals
