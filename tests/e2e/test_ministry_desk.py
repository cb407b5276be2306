"""The ministry's desk with the real API and a Celery worker as processes, the scheduler's tick
sent the way beat sends it: a feed starts failing, the desk shows it as failing after the next
scheduled sync, the operator pauses it, the municipality fixes the feed, the operator resumes
it, and the next scheduled sync makes it fresh again."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from hub.core.settings import Settings
from hub.dev.processes import Supervisor
from hub.queue import SCHEDULE_DUE_SOURCES, send
from hub.search.engine import SearchEngine
from hub.search.indices import drop_prefixed, ensure_indices
from hub.sources.runs import RunStatus, RunStore, SyncRun
from hub.sources.store import SourceRegistry, SourceState
from tests.e2e.test_municipality_enrolment import latest_run, post
from tests.hub.ingest.test_runner import offer
from tests.support.accounts import make_person
from tests.support.feeds import FeedServer, Route
from tests.support.stack import supervisor, wait_for

DESK = "/ministerium/betrieb"


@pytest.fixture(scope="module")
def own_settings(settings: Settings) -> Settings:
    """Indices and a queue of this module's own: the scheduler's tick then finds only this
    test's source due, not every source other tests left in the session's index."""
    tag = uuid.uuid4().hex[:6]
    return settings.model_copy(
        update={
            "index_prefix": f"{settings.index_prefix}desk-{tag}-",
            "queue_name": f"{settings.queue_name}-desk-{tag}",
            "schedule_jitter_seconds": 2,  # a scheduled sync starts within 2 s, not 30
        }
    )


@pytest.fixture(scope="module")
def engine(services: None, own_settings: Settings) -> Iterator[SearchEngine]:
    own = SearchEngine(own_settings)
    ensure_indices(own)
    yield own
    drop_prefixed(own)
    own.close()


@pytest.fixture(scope="module")
def stack(
    engine: SearchEngine, own_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supervisor]:
    sup = supervisor(own_settings, Path(tmp_path_factory.mktemp("logs")))
    sup.api()
    sup.worker()
    yield sup
    sup.stop_all()


def health_on_desk(office: httpx.Client, source_id: str) -> str:
    page = office.get(DESK)
    assert page.status_code == 200, page.text
    row = page.text.split(f'id="quelle-{source_id}"')[1].split("</tr>")[0]
    return row.split('class="health health-')[1].split('"')[0]


def tick(stack: Supervisor) -> None:
    """What beat does every minute: queue the scheduler's task."""
    send(stack.settings, SCHEDULE_DUE_SOURCES, {})


def make_due(engine: SearchEngine, source_id: str) -> None:
    """Time passes: the source's next run lies in the past."""
    past = datetime.now(UTC) - timedelta(minutes=1)
    SourceRegistry(engine).update(source_id, lambda s: setattr(s, "next_run_at", past))


def scheduled_run(engine: SearchEngine, source_id: str, seen: set[str]) -> SyncRun:
    run = wait_for(
        lambda: latest_run(engine, source_id, seen), timeout=120, what="the scheduled sync"
    )
    assert run.trigger == "schedule"
    return run


def desk_shows(office: httpx.Client, source_id: str, health: str) -> bool:
    """The desk lists sources by search, which sees a run's last write within the engine's
    refresh interval (about a second), so the desk is read until it shows `health`."""
    shown = wait_for(lambda: health_on_desk(office, source_id) == health, timeout=10,
                     what=f"the desk showing {health}")  # fmt: skip
    return bool(shown)


def test_a_failing_feed_is_shown_paused_fixed_and_resumed(
    stack: Supervisor, engine: SearchEngine, admin: dict[str, str], feed_server: FeedServer
) -> None:
    base = stack.settings.public_base_url
    source_id = f"desk-{uuid.uuid4().hex[:8]}"
    good = Route(json.dumps({"offers": [offer("a"), offer("b"), offer("c")]}))
    url = feed_server.route(f"/{source_id}.json", good)
    body = {"id": source_id, "ags": ["05978036"], "kind": "push", "url": url}
    with httpx.Client(base_url=base, timeout=60, trust_env=False) as api:
        assert api.post("/api/v1/sources", json=body, headers=admin).status_code == 201

    ministry = make_person(engine, ministry=True)
    with httpx.Client(base_url=base, timeout=60, trust_env=False) as office:
        post(office, "/anmelden", office.get("/anmelden").text,
             email=ministry.user.email, password=ministry.password)  # fmt: skip
        tick(stack)
        first = scheduled_run(engine, source_id, set())
        assert first.status == RunStatus.SUCCEEDED, first.errors
        assert desk_shows(office, source_id, "fresh")

        feed_server.route(f"/{source_id}.json", Route(b"<html>Wartung</html>", status=404,
                                                       content_type="text/html"))  # fmt: skip
        make_due(engine, source_id)
        tick(stack)
        broken = scheduled_run(engine, source_id, {first.id})
        assert broken.status == RunStatus.FAILED
        assert desk_shows(office, source_id, "failing")

        paused = post(office, f"{DESK}/quellen/{source_id}/pausieren", office.get(DESK).text)
        assert paused.status_code == 200 and "ist pausiert" in paused.text
        assert health_on_desk(office, source_id) == "paused"
        make_due(engine, source_id)
        tick(stack)  # a paused source is due, but the scheduler leaves it alone

        feed_server.route(f"/{source_id}.json", good)  # the municipality fixes its feed
        resumed = post(office, f"{DESK}/quellen/{source_id}/fortsetzen", office.get(DESK).text)
        assert resumed.status_code == 200
        assert SourceRegistry(engine).get(source_id).state == SourceState.ACTIVE
        tick(stack)
        fixed = scheduled_run(engine, source_id, {first.id, broken.id})
        assert fixed.status == RunStatus.SUCCEEDED, fixed.errors
        assert desk_shows(office, source_id, "fresh")
        assert len(RunStore(engine).for_source(source_id)) == 3  # nothing ran while paused

        log = office.get(f"/ministerium/protokoll?source={source_id}").text
        assert "source.pause" in log and "source.resume" in log
