"""A small simulated fleet served on many ports and synced by a real Celery worker, and what
each of its failure modes does to a run: a failed run keeps the offers, an empty feed never
wipes, a slow page only takes longer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hub.core.settings import Settings
from hub.dev.fleet.generate import Faults, SimSource, generate_fleet
from hub.dev.fleet.server import FleetSimulator
from hub.dev.processes import Supervisor
from hub.queue import enqueue_sync
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.sources.runs import RunStatus, RunStore, SyncRun
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.stack import supervisor, wait_for

KINDS = ("json_feed", "rss", "wordpress", "push")


@pytest.fixture(scope="module")
def fleet() -> Iterator[FleetSimulator]:
    sources = generate_fleet(4, 160, seed=11, kinds=KINDS, page_size=15)
    with FleetSimulator(sources) as sim:
        yield sim


@pytest.fixture(scope="module")
def worker(
    engine: SearchEngine, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supervisor]:
    sup = supervisor(settings, Path(tmp_path_factory.mktemp("fleet-logs")))
    child = sup.worker(name="fleet-worker", concurrency=2)
    wait_for(lambda: "ready" in child.log_tail(200) or not child.alive(), what="worker ready")
    yield sup
    sup.stop_all()


@pytest.fixture(scope="module")
def synced(
    fleet: FleetSimulator, worker: Supervisor, engine: SearchEngine, settings: Settings
) -> FleetSimulator:
    """Every source registered and synced once, all through the worker."""
    for registration in fleet.registrations():
        SourceRegistry(engine).create(SourceInput.model_validate(registration))
    for source_id in fleet.servers:
        enqueue_sync(settings, source_id, trigger="test", full=True)
    for source_id in fleet.servers:
        wait_for(run_after(engine, source_id, 0), timeout=120, what=f"first sync of {source_id}")
    return fleet


def run_after(engine: SearchEngine, source_id: str, earlier: int) -> Callable[[], SyncRun | None]:
    """The newest finished run once the source has more than `earlier` runs."""

    def check() -> SyncRun | None:
        runs = RunStore(engine).for_source(source_id, limit=50)
        done = [r for r in runs if r.status != RunStatus.RUNNING]
        return done[0] if len(done) > earlier else None

    return check


def offer_count(engine: SearchEngine, source_id: str) -> int:
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    body = {"query": {"term": {"source_id": source_id}}}
    return int(engine.request("POST", f"/{engine.name(OFFERS)}/_count", body)["count"])


def source_of_kind(fleet: FleetSimulator, kind: str) -> SimSource:
    return next(s.source for s in fleet.servers.values() if s.source.kind == kind)


def resync(
    fleet: FleetSimulator, engine: SearchEngine, settings: Settings, source: SimSource
) -> SyncRun:
    earlier = len(RunStore(engine).for_source(source.source_id, limit=50))
    enqueue_sync(settings, source.source_id, trigger="test", full=True)
    return wait_for(run_after(engine, source.source_id, earlier), timeout=120, what="resync")


def test_every_source_of_every_kind_is_synced_through_the_worker(
    synced: FleetSimulator, engine: SearchEngine
) -> None:
    for served in synced.servers.values():
        run = RunStore(engine).for_source(served.source.source_id)[0]
        assert run.status == RunStatus.SUCCEEDED, served.source.kind
        assert run.counts.seen == len(served.source.records)
        assert run.counts.rejected == 0
        assert offer_count(engine, served.source.source_id) == len(served.source.records)
    assert len({s.base_url for s in synced.servers.values()}) == len(KINDS)  # one port each


@pytest.mark.parametrize(
    "faults",
    [Faults(error_pages=frozenset({2})), Faults(truncated_pages=frozenset({2}))],
    ids=["server-error", "truncated-body"],
)
def test_a_page_that_fails_fails_the_run_and_keeps_every_offer(
    synced: FleetSimulator, engine: SearchEngine, settings: Settings, faults: Faults
) -> None:
    source = source_of_kind(synced, "json_feed")
    before = offer_count(engine, source.source_id)
    source.faults = faults
    try:
        run = resync(synced, engine, settings, source)
    finally:
        source.faults = Faults()
    assert run.status == RunStatus.FAILED
    assert run.errors
    assert run.counts.deleted == 0
    assert offer_count(engine, source.source_id) == before == len(source.records)


@pytest.mark.parametrize("kind", ["json_feed", "rss", "wordpress"])
def test_a_feed_that_empties_itself_wipes_nothing_and_flags_the_source(
    synced: FleetSimulator, engine: SearchEngine, settings: Settings, kind: str
) -> None:
    source = source_of_kind(synced, kind)
    served = synced.servers[source.source_id]
    source.faults = Faults(empty_after=served.listings)
    try:
        run = resync(synced, engine, settings, source)
    finally:
        source.faults = Faults()
    assert run.status == RunStatus.SUCCEEDED
    assert (run.counts.seen, run.counts.deleted) == (0, 0)
    assert "empty_feed" in run.flags
    assert offer_count(engine, source.source_id) == len(source.records)


def test_a_slow_page_only_takes_longer(
    synced: FleetSimulator, engine: SearchEngine, settings: Settings
) -> None:
    source = source_of_kind(synced, "push")
    source.faults = Faults(slow_pages=frozenset({2}), slow_seconds=1.5)
    try:
        run = resync(synced, engine, settings, source)
    finally:
        source.faults = Faults()
    assert run.status == RunStatus.SUCCEEDED
    assert run.counts.seen == len(source.records)
    assert run.started_at and run.ended_at
    assert (run.ended_at - run.started_at).total_seconds() >= 1.5
