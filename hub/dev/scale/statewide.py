"""`hub bench statewide`: S simulated sources / R records synced end to end by real Celery
workers, against raw bulk of the same normalised documents (engine client only) in the same run.

Every source is its own host:port, so the politeness limit paces each source, not the fleet.
The per-record CPU split reads process CPU times: worker processes (fetch, parse, normalise,
extract, validate, serialise), the engine process (indexing, plus the runs and raw-payload
writes), the broker (Redis) and this process (the fleet's HTTP servers). The engine and Redis
are shared with whatever else runs on the machine; their figures include that.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from hub.core.settings import Settings
from hub.dev.fleet.generate import KINDS, generate_fleet
from hub.dev.scale.bulkload import VARIANTS, bulk_load, dump_offers
from hub.dev.scale.cpu import cpu_seconds, rss_bytes
from hub.dev.scale.stack import (
    Pids,
    Progress,
    background_rate,
    bench_settings,
    offer_count,
    own_indices,
    served_fleet,
    service_pids,
    sync_round,
    workers,
)
from hub.search.engine import SearchEngine


def cpu_snapshot(pids: Pids) -> dict[str, float]:
    return {
        "workers": cpu_seconds(pids.workers),
        "engine": cpu_seconds(pids.engine),
        "broker": cpu_seconds(pids.broker),
        "driver": cpu_seconds([os.getpid()], descendants=False),  # workers are its children
    }


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: round(after[k] - before[k], 2) for k in before}


def per_record_ms(cpu: dict[str, float], records: int) -> dict[str, float]:
    return {k: round(1000 * v / max(records, 1), 3) for k, v in cpu.items()}


def bench_statewide(
    settings: Settings,
    *,
    sources: int,
    records: int,
    seed: int = 1,
    processes: int = 1,
    concurrency: int = 4,
    page_size: int = 500,
    rate: float | None = None,
    kinds: tuple[str, ...] = KINDS,
    progress: Progress = lambda done, indexed: None,
    timeout: float = 3600,
    keep_dump: Path | None = None,
) -> dict[str, Any]:
    """The statewide figure and its raw-bulk baseline, as a JSON-able dict."""
    changes: dict[str, Any] = {"fetch_rate_per_host": rate} if rate else {}
    local = bench_settings(settings, **changes)
    fleet = generate_fleet(sources, records, seed=seed, kinds=kinds, page_size=page_size)
    pids = service_pids(local)
    with own_indices(local) as engine, served_fleet(engine, fleet) as sim:
        with workers(local, processes, concurrency) as worker_pids:
            pids.workers = worker_pids
            background = background_rate(pids.engine)
            before = cpu_snapshot(pids)
            _, seconds = sync_round(local, engine, list(sim.servers), full=True,
                                    progress=progress, timeout=timeout)  # fmt: skip
            cpu = cpu_delta(before, cpu_snapshot(pids))
            cpu["engine_net"] = round(max(cpu["engine"] - background * seconds, 0.0), 2)
            memory = rss_bytes(worker_pids)
        indexed = offer_count(engine)
        requests = sum(s.requests for s in sim.servers.values())
        bulk = _raw_bulk(engine, pids, keep_dump)
    rate_used = local.fetch_rate_per_host
    return {
        "scenario": "statewide",
        "sources": sources,
        "records": records,
        "indexed": indexed,
        "kinds": list(kinds),
        "page_size": page_size,
        "worker_processes": processes,
        "worker_concurrency": concurrency,
        "rate_per_host": rate_used,
        "requests": requests,
        "seconds": round(seconds, 2),
        "records_per_second": round(indexed / seconds, 1),
        "engine_background_cpu_per_second": round(background, 3),
        "cpu_seconds": cpu,
        "cpu_ms_per_record": per_record_ms(cpu, indexed),
        "worker_rss_mb": round(memory / 2**20, 1),
        "raw_bulk": bulk,
        "ratio_to_raw_bulk": round((indexed / seconds) / bulk["records_per_second"], 3),
    }


def _raw_bulk(engine: SearchEngine, pids: Pids, keep: Path | None) -> dict[str, Any]:
    """The indexed offers loaded again with the engine client alone (current mapping);
    the dump is kept at `keep` when given (for `hub bench index --dump`)."""
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder:
        dump = keep or Path(folder) / "offers.jsonl"
        count = dump_offers(engine, dump)
        before = cpu_snapshot(pids)
        seconds, done = bulk_load(engine, dump, VARIANTS[0])
        cpu = cpu_delta(before, cpu_snapshot(pids))
    return {
        "documents": done,
        "seconds": round(seconds, 2),
        "records_per_second": round(done / seconds, 1),
        "cpu_ms_per_record": per_record_ms(cpu, count),
    }
