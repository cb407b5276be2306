"""Pushed events in batches: the per-source backlog in real Redis, batches on the real engine,
and real Celery workers that drain the events queue fairly and beside a busy sync queue."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from hub.core.settings import Settings
from hub.dev.processes import Supervisor
from hub.ingest.events import apply_pushed_events
from hub.ingest.locks import writer_lock_name
from hub.push.backlog import EventBacklog, PushedEvent, orphaned
from hub.queue import enqueue_sync
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, SYNC_RUNS
from hub.sources.runs import RunStore, SyncRun
from hub.sources.store import SourceInput, SourceRegistry
from tests.hub.ingest.test_runner import offer
from tests.support.feeds import FeedServer, Route
from tests.support.stack import supervisor, wait_for

T1, T2 = "2026-03-01T10:00:00+00:00", "2026-03-02T10:00:00+00:00"


def upsert(local_id: str, updated: str = T1, title: str = "Babytreff") -> PushedEvent:
    record = offer(local_id, title=title, updated=updated)
    return PushedEvent("offer.upserted", record, f"msg_{uuid.uuid4().hex}")


def new_source(engine: SearchEngine, url: str = "https://www.unna.de/f.json") -> str:
    source_id = f"batch-{uuid.uuid4().hex[:8]}"
    SourceRegistry(engine).create(SourceInput(id=source_id, ags=["05978036"], kind="push", url=url))
    return source_id


def indexed(engine: SearchEngine, source_id: str) -> dict[str, dict[str, Any]]:
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    body = {"size": 500, "query": {"term": {"source_id": source_id}}, "version": True}
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    return {h["_source"]["local_id"]: {**h["_source"], "_version": h["_version"]} for h in hits}


def runs(engine: SearchEngine, source_id: str) -> list[SyncRun]:
    engine.request("POST", f"/{engine.name(SYNC_RUNS)}/_refresh")
    return RunStore(engine).for_source(source_id, limit=200)


@pytest.fixture
def own(settings: Settings) -> Settings:
    """Settings with a queue of this test alone (no other worker takes its drains)."""
    return settings.model_copy(update={"queue_name": f"batch-{uuid.uuid4().hex[:8]}"})


@pytest.fixture
def client(own: Settings) -> Iterator[redis.Redis]:
    broker = redis.Redis.from_url(own.redis_url)
    yield broker
    broker.delete(own.queue_name, own.events_queue)


def drains(client: redis.Redis, settings: Settings) -> list[str]:
    """Source ids of the drain tasks waiting in the events queue, oldest first."""
    import base64

    found = []
    for raw in reversed(client.lrange(settings.events_queue, 0, -1)):  # LPUSH: newest first
        message = json.loads(raw)
        assert message["headers"]["task"] == "workers.events.drain_events"
        found.append(json.loads(base64.b64decode(message["body"]))[1]["source_id"])
    return found


# --- the backlog in Redis ------------------------------------------------------------------


def test_only_the_first_event_of_a_backlog_queues_a_drain(own, client) -> None:
    backlog = EventBacklog(own, client, "quelle-a")
    events = [upsert(str(n)) for n in range(5)]
    task_ids = [backlog.append(event) for event in events]
    assert task_ids[0] and task_ids[1:] == [None] * 4
    assert drains(client, own) == ["quelle-a"]
    assert backlog.peek(3) == events[:3]  # oldest first, left in place
    assert len(backlog) == 5
    backlog.drop(3)
    assert backlog.peek(10) == events[3:]
    assert backlog.release_or_continue() is True  # two left: the flag stays
    backlog.drop(2)
    assert backlog.release_or_continue() is False
    assert not client.exists(backlog.flag)
    assert backlog.append(upsert("6"))  # flag given back: the next event queues a drain
    assert drains(client, own) == ["quelle-a", "quelle-a"]
    backlog.discard()


def test_a_backlog_whose_drain_was_lost_is_found_by_the_sweep(own, client) -> None:
    backlog = EventBacklog(own, client, f"lost-{uuid.uuid4().hex[:6]}")
    backlog.append(upsert("a"))
    assert backlog.source_id not in set(orphaned(own, client))
    client.delete(backlog.flag)  # the flag expired with its drain
    assert backlog.source_id in set(orphaned(own, client))
    backlog.discard()


# --- batches on the engine -----------------------------------------------------------------


def test_a_batch_applies_every_event_of_several_sources(settings, engine) -> None:
    sources = [new_source(engine) for _ in range(3)]
    batches = {s: [upsert(f"o{n}") for n in range(40)] for s in sources}
    for source_id, batch in batches.items():
        result = apply_pushed_events(settings, source_id, batch, engine)
        assert (result["status"], result["events"]) == ("succeeded", 40)
    for source_id, batch in batches.items():
        assert set(indexed(engine, source_id)) == {f"o{n}" for n in range(40)}
        [run] = runs(engine, source_id)  # one run document per batch
        assert run.webhook_ids == [e.webhook_id for e in batch]
        assert (run.trigger, run.mode, run.counts.created) == ("webhook", "event", 40)


def test_a_redelivered_batch_changes_nothing(settings, engine) -> None:
    source_id = new_source(engine)
    batch = [upsert("a", T1), upsert("b", T1), upsert("a", T2, "Neu")]
    first = apply_pushed_events(settings, source_id, batch, engine)
    before = indexed(engine, source_id)
    assert before["a"]["title"] == "Neu"  # the newest of the batch, whatever its place
    again = apply_pushed_events(settings, source_id, batch, engine)
    assert indexed(engine, source_id) == before
    assert again["run_id"] == first["run_id"]
    [run] = runs(engine, source_id)  # the redelivery overwrote its run document
    assert (run.counts.created, run.counts.updated) == (0, 0)


def test_a_bad_event_is_reported_and_the_rest_of_the_batch_applied(settings, engine) -> None:
    source_id = new_source(engine)
    bad = upsert("kaputt", title="")
    batch = [upsert("a"), bad, upsert("b"), PushedEvent("offer.deleted", {"local_id": "x"}, "d")]
    result = apply_pushed_events(settings, source_id, batch, engine)
    assert result["status"] == "succeeded"
    assert set(indexed(engine, source_id)) == {"a", "b"}
    [run] = runs(engine, source_id)
    assert (run.counts.created, run.counts.rejected) == (2, 1)
    assert [(r.local_id, bool(r.message_de)) for r in run.rejections] == [("kaputt", True)]


def test_sync_requests_in_a_batch_queue_one_sync(own, client, engine) -> None:
    source_id = new_source(engine)
    batch = [
        PushedEvent("source.sync_requested", {}, "s1"),
        upsert("a"),
        PushedEvent("source.sync_requested", {"full": True}, "s2"),
    ]
    result = apply_pushed_events(own, source_id, batch, engine)
    assert result["status"] == "succeeded" and result["task_id"]
    assert set(indexed(engine, source_id)) == {"a"}
    assert client.llen(own.queue_name) == 1  # one sync, on the sync queue, not the events one


# --- real workers --------------------------------------------------------------------------


@pytest.fixture
def hub(own: Settings, tmp_path: Path) -> Iterator[Supervisor]:
    sup = supervisor(own.model_copy(update={"events_batch_size": 5}), tmp_path / "logs")
    yield sup
    sup.stop_all()


def test_a_flood_of_one_source_does_not_hold_back_another(
    hub: Supervisor, client: redis.Redis, engine: SearchEngine
) -> None:
    settings = hub.settings
    flood, other = new_source(engine), new_source(engine)
    flooding = EventBacklog(settings, client, flood)
    for n in range(30):  # six batches of five
        flooding.append(upsert(f"f{n}"))
    EventBacklog(settings, client, other).append(upsert("o"))
    hub.events_worker(concurrency=1)  # one slot: the order of the drains is the order of work
    wait_for(lambda: len(indexed(engine, flood)) == 30, what="flood applied")
    wait_for(lambda: indexed(engine, other), what="other applied")
    flood_runs = sorted(runs(engine, flood), key=lambda r: r.started_at)
    [other_run] = runs(engine, other)
    assert [len(r.webhook_ids) for r in flood_runs] == [5] * 6
    # round-robin: the other source's drain ran right after the flood's first batch
    assert flood_runs[0].started_at < other_run.started_at < flood_runs[1].started_at
    assert not client.exists(flooding.key, flooding.flag)  # drained, flag given back


def test_events_are_applied_while_every_sync_slot_is_busy(
    hub: Supervisor, client: redis.Redis, engine: SearchEngine, feed_server: FeedServer
) -> None:
    settings = hub.settings
    release = threading.Event()

    def slow_feed(_request: Any) -> Route:
        release.wait(15)  # the sync worker's only slot waits here
        return Route(json.dumps({"offers": [offer("s", updated=T1)]}))

    slow = new_source(engine, feed_server.route("/slow.json", slow_feed))
    pushed = new_source(engine)
    hub.worker("syncs", concurrency=1)
    hub.events_worker(concurrency=1)
    enqueue_sync(settings, slow, trigger="test", full=True)
    wait_for(lambda: feed_server.requests, what="the sync fetching the slow feed")
    try:
        EventBacklog(settings, client, pushed).append(upsert("e"))
        wait_for(lambda: indexed(engine, pushed), what="event applied during the sync")
        assert [r.status.value for r in runs(engine, slow)] == ["running"]
    finally:
        release.set()
    wait_for(lambda: indexed(engine, slow), what="the sync finished after all")


def test_a_drain_that_finds_the_source_locked_tries_again(
    hub: Supervisor, client: redis.Redis, engine: SearchEngine
) -> None:
    """The previous drain of a source may still hold its lock when the next one starts."""
    settings = hub.settings
    source_id = new_source(engine)
    held = client.lock(writer_lock_name(settings, source_id, "events"), timeout=60)
    assert held.acquire(blocking=False)
    try:
        EventBacklog(settings, client, source_id).append(upsert("a"))
        worker = hub.events_worker(concurrency=1)
        wait_for(lambda: "Retry in" in worker.log_tail(200), what="the drain meeting the lock")
        assert not indexed(engine, source_id)
    finally:
        held.release()
    wait_for(lambda: indexed(engine, source_id), what="the event applied after all")


def test_the_sweep_restarts_the_drain_of_an_orphaned_backlog(settings, engine) -> None:
    """Runs the beat task in this process on the session's own queues (no worker consumes)."""
    from workers.events import sweep_event_backlogs

    broker = redis.Redis.from_url(settings.redis_url)
    backlog = EventBacklog(settings, broker, new_source(engine))
    try:
        backlog.append(upsert("a"))
        broker.delete(backlog.flag)  # its drain was lost with a worker, the flag expired
        before = drains(broker, settings).count(backlog.source_id)
        assert sweep_event_backlogs.apply().result["restarted"] >= 1
        assert drains(broker, settings).count(backlog.source_id) == before + 1
        assert broker.exists(backlog.flag)
        sweep_event_backlogs.apply()  # the flag is back: no second drain for it
        assert drains(broker, settings).count(backlog.source_id) == before + 1
    finally:
        backlog.discard()
