"""What every scale benchmark needs: its own indices and queue, a fleet registered, workers
started as real processes, the engine's and broker's pids, and a wait for a round of runs."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from hub.core.settings import Settings
from hub.dev.fleet.generate import SimSource
from hub.dev.fleet.server import FleetSimulator
from hub.dev.processes import Child, Supervisor
from hub.dev.scale.cpu import cpu_seconds, listening_on
from hub.queue import enqueue_sync
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import OFFERS, SYNC_RUNS, drop_prefixed, ensure_indices
from hub.sources.store import SourceInput, SourceRegistry

Progress = Callable[[int, int], None]  # (finished runs, indexed offers)


def bench_settings(settings: Settings, **changes: object) -> Settings:
    """The hub's settings with an index prefix and queue of the benchmark's own."""
    tag = f"bench-{uuid.uuid4().hex[:6]}"
    return settings.model_copy(
        update={
            "index_prefix": f"{tag}-",
            "queue_name": f"hub-{tag}",
            "fetch_allow_hosts": [*settings.fetch_allow_hosts, "127.0.0.1"],
            **changes,
        }
    )


@dataclass
class Pids:
    """The processes whose CPU the benchmarks split the work by."""

    engine: list[int]
    broker: list[int]
    workers: list[int] = field(default_factory=list)


def service_pids(settings: Settings) -> Pids:
    engine_port = urlsplit(settings.search_url).port or 9200
    redis_port = urlsplit(settings.redis_url).port or 6379
    return Pids(
        engine=listening_on(engine_port, ("opensearch", "elasticsearch")),
        broker=listening_on(redis_port, ("redis-server",)),
    )


@contextmanager
def own_indices(settings: Settings) -> Iterator[SearchEngine]:
    engine = get_engine(settings)
    ensure_indices(engine)
    try:
        yield engine
    finally:
        drop_prefixed(engine)


@contextmanager
def served_fleet(engine: SearchEngine, sources: list[SimSource]) -> Iterator[FleetSimulator]:
    """The fleet served and every source registered."""
    with FleetSimulator(sources) as sim:
        registry = SourceRegistry(engine)
        for data in sim.registrations():
            registry.create(SourceInput.model_validate(data))
        yield sim


@contextmanager
def workers(
    settings: Settings, processes: int, concurrency: int, events: int = 0
) -> Iterator[list[int]]:
    """`processes` Celery workers of `concurrency` each, and with `events` > 0 an events
    worker of that pool size as production runs it, ready; yields their pids."""
    sup = Supervisor(settings, Path(tempfile.mkdtemp(prefix="hub-bench-")))
    started: list[Child] = []
    try:
        for number in range(processes):
            started.append(sup.worker(name=f"bench-{number}", concurrency=concurrency))
        if events:
            started.append(sup.events_worker(name="bench-events", concurrency=events))
        for child in started:
            _wait_ready(child)
        yield [child.process.pid for child in started]
    finally:
        sup.stop_all()


def _wait_ready(child: Child, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "ready" in child.log_tail(200):
            return
        if not child.alive():
            raise RuntimeError(f"{child.name} stopped:\n{child.log_tail()}")
        time.sleep(0.25)
    raise RuntimeError(f"{child.name} not ready after {timeout:.0f} s")


def finished_runs(engine: SearchEngine, since: str) -> int:
    """Runs that ended after `since` (ISO time), whatever their status."""
    body = {"query": {"bool": {"filter": [{"range": {"started_at": {"gte": since}}}],
                               "must_not": [{"term": {"status": "running"}}]}}}  # fmt: skip
    index = engine.name(SYNC_RUNS)
    engine.request("POST", f"/{index}/_refresh")
    return int(engine.request("POST", f"/{index}/_count", body)["count"])


def offer_count(engine: SearchEngine) -> int:
    return int(engine.request("POST", f"/{engine.name(OFFERS)}/_count")["count"])


def wait_for_round(
    engine: SearchEngine, since: str, runs: int, progress: Progress, timeout: float
) -> None:
    """Until `runs` runs have ended since `since`, reporting progress twice a second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = finished_runs(engine, since)
        progress(done, offer_count(engine))
        if done >= runs:
            return
        time.sleep(0.5)
    raise RuntimeError(f"only {finished_runs(engine, since)} of {runs} runs ended in time")


def sync_round(
    settings: Settings,
    engine: SearchEngine,
    source_ids: list[str],
    *,
    full: bool,
    progress: Progress,
    timeout: float = 3600,
) -> tuple[str, float]:
    """Every source's sync handed to the workers at once; (start as ISO time, wall seconds)
    once every run has ended."""
    since = datetime.now(UTC).isoformat()
    start = time.perf_counter()
    for source_id in source_ids:
        enqueue_sync(settings, source_id, trigger="bench", full=full)
    wait_for_round(engine, since, len(source_ids), progress, timeout)
    return since, time.perf_counter() - start


def background_rate(pids: list[int], seconds: float = 5.0) -> float:
    """CPU seconds per second the processes spend while this benchmark sends them nothing:
    on a shared machine, what others cost the engine (subtracted as `engine_net`)."""
    before = cpu_seconds(pids)
    time.sleep(seconds)
    return (cpu_seconds(pids) - before) / seconds


def quiet_engine(pids: list[int], below: float = 0.1, longest: float = 30.0) -> float:
    """Wait until the engine's CPU falls below `below` seconds per second (the merges after a
    bulk load have run out) or `longest` has passed, so a round is not charged for the one
    before it; returns the seconds waited."""
    waited = 0.0
    while waited < longest and background_rate(pids, 1.0) >= below:
        waited += 1.0
    return waited
