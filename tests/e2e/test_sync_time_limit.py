"""A sync that outlives the task's time limit (a huge or crawling feed) ends as a failed run
with a German reason on the run and the source, at once, and deletes nothing; the worker
runs with a short time limit so the case takes seconds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from hub.core.settings import Settings
from hub.dev.fleet.generate import Faults, SimSource, generate_fleet
from hub.dev.fleet.server import FleetSimulator
from hub.dev.processes import Supervisor
from hub.search.engine import SearchEngine
from hub.sources.runs import RunStatus
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.stack import offers_of_source, queued_sync, supervisor, wait_for

HARD_LIMIT = 12  # seconds; the soft limit, where the run is cut, is 5/6 of it: 10 s


@pytest.fixture(scope="module")
def own(settings: Settings) -> Settings:
    tag = uuid.uuid4().hex[:6]
    return settings.model_copy(
        update={
            "queue_name": f"{settings.queue_name}-limit-{tag}",
            "sync_time_limit_seconds": HARD_LIMIT,
        }
    )


@pytest.fixture(scope="module")
def worker(
    engine: SearchEngine, own: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supervisor]:
    sup = supervisor(own, Path(tmp_path_factory.mktemp("time-limit-logs")))
    child = sup.worker(name="time-limit-worker", concurrency=1)
    wait_for(lambda: "ready" in child.log_tail(200) or not child.alive(), what="worker ready")
    yield sup
    sup.stop_all()
    redis.Redis.from_url(own.redis_url).delete(own.queue_name)


@pytest.fixture(scope="module")
def fleet() -> Iterator[FleetSimulator]:
    sources = generate_fleet(1, 60, seed=21, kinds=("json_feed",), page_size=10)
    sources[0].source_id = f"limit-{uuid.uuid4().hex[:6]}"
    with FleetSimulator(sources) as sim:
        yield sim


def test_a_sync_cut_by_the_time_limit_fails_at_once_in_german_and_deletes_nothing(
    fleet: FleetSimulator, worker: Supervisor, engine: SearchEngine, own: Settings
) -> None:
    source: SimSource = next(iter(fleet.servers.values())).source
    SourceRegistry(engine).create(SourceInput.model_validate(fleet.registrations()[0]))
    first = queued_sync(engine, own, source.source_id, timeout=90)
    assert first.status == RunStatus.SUCCEEDED and first.counts.created == len(source.records)

    source.faults = Faults(latency=3.0)  # six pages of three seconds: past the 10 s limit
    try:
        run = queued_sync(engine, own, source.source_id, timeout=90)
    finally:
        source.faults = Faults()

    assert run.status == RunStatus.FAILED
    assert [e["code"] for e in run.errors] == ["time_limit"]
    assert "Zeitlimit (10 Sekunden) überschritten" in run.errors[0]["message_de"]
    assert run.counts.deleted == 0
    assert offers_of_source(engine, source.source_id) == len(source.records)
    registered = SourceRegistry(engine).get(source.source_id)
    assert "Zeitlimit" in registered.state_reason and registered.last_run_id == run.id
