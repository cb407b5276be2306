"""The sync tasks' gates (reindex, writer lock) and the beat job that queues due syncs and
reconciliations; the tasks run inline here, the queue is the real Redis one."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from hub.core.settings import Settings
from hub.ingest.locks import writer_lock_name, writers_paused
from hub.search.engine import SearchEngine
from hub.sources.runs import RunStore
from hub.sources.store import Source, SourceInput, SourceRegistry
from workers.sync import reconcile_source, schedule_due_sources, sync_source

INCREMENTAL = {"position": {"modified_gmt": "2026-12-01T10:00:00", "boundary_ids": ["7"]}}


def test_sync_defers_while_a_reindex_runs_and_writes_nothing(
    engine: SearchEngine, settings: Settings
) -> None:
    source_id = f"defer-{uuid.uuid4().hex[:6]}"
    SourceRegistry(engine).create(
        SourceInput(id=source_id, ags=["05962004"], kind="push", url="https://www.altena.de/f.json")
    )
    client = redis.Redis.from_url(settings.redis_url)
    with writers_paused(client, settings, wait_seconds=5):
        result = sync_source(source_id=source_id, trigger="test")  # runs here, not via a worker
    assert result == {"source_id": source_id, "status": "deferred"}
    assert RunStore(engine).for_source(source_id) == []  # not a single write happened
    queued = [(task, eta) for task, _kwargs, eta in take_queued(client, settings, {source_id})]
    assert queued == [("workers.sync.sync_source", True)]  # handed back with a countdown


def take_queued(
    client: redis.Redis, settings: Settings, source_ids: set[str]
) -> list[tuple[str, dict[str, Any], bool]]:
    """Remove the queued tasks of these sources: (task name, kwargs, has a countdown)."""
    queued = []
    for raw in client.lrange(settings.queue_name, 0, -1):
        message = json.loads(raw)
        _args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        if kwargs.get("source_id") in source_ids:
            queued.append(
                (message["headers"]["task"], kwargs, message["headers"]["eta"] is not None)
            )
            client.lrem(settings.queue_name, 1, raw)
    return queued


def register(engine: SearchEngine, prefix: str, **fields: Any) -> str:
    source_id = f"{prefix}-{uuid.uuid4().hex[:6]}"
    registry = SourceRegistry(engine)
    registry.create(
        SourceInput(id=source_id, ags=["05962004"], kind="push", url="https://www.altena.de/f.json")
    )

    def change(source: Source) -> None:
        for name, value in fields.items():
            setattr(source, name, value)

    registry.update(source_id, change)
    return source_id


def test_beat_queues_a_reconciliation_only_for_due_incremental_sources(
    engine: SearchEngine, settings: Settings
) -> None:
    now = datetime.now(UTC)
    later = now + timedelta(hours=1)  # no ordinary sync due: only reconciliations are queued
    due = register(engine, "due", cursor=INCREMENTAL, next_run_at=later)
    passed = register(
        engine, "passed", cursor=INCREMENTAL, next_run_at=later,
        next_reconcile_at=now - timedelta(minutes=5),
    )  # fmt: skip
    waiting = register(
        engine, "waiting", cursor=INCREMENTAL, next_run_at=later,
        next_reconcile_at=now + timedelta(hours=3),
    )  # fmt: skip
    full_runs = register(engine, "full", cursor={"etag": '"v1"'}, next_run_at=later)
    ours = {due, passed, waiting, full_runs}
    client = redis.Redis.from_url(settings.redis_url)

    schedule_due_sources()
    queued = take_queued(client, settings, ours)
    _drop_scheduled_of_others(client, settings)
    schedule_due_sources()  # the next beat: planned a day ahead, nothing is queued twice
    again = take_queued(client, settings, ours)
    _drop_scheduled_of_others(client, settings)

    assert sorted((kwargs["source_id"], task) for task, kwargs, _eta in queued) == sorted(
        [(due, "workers.sync.reconcile_source"), (passed, "workers.sync.reconcile_source")]
    )
    assert all(kwargs["trigger"] == "schedule" for _task, kwargs, _eta in queued)
    assert again == []
    planned = SourceRegistry(engine).get(due).next_reconcile_at
    assert planned is not None and planned > now + timedelta(hours=23)


def test_reconcile_defers_while_a_sync_of_the_source_holds_the_lock(
    engine: SearchEngine, settings: Settings
) -> None:
    source_id = register(engine, "locked", cursor=INCREMENTAL)
    client = redis.Redis.from_url(settings.redis_url)
    held = client.lock(writer_lock_name(settings, source_id), timeout=60)
    assert held.acquire(blocking=False)
    try:
        result = reconcile_source(source_id=source_id, trigger="test")
    finally:
        held.release()
    assert result == {"source_id": source_id, "status": "deferred"}
    assert RunStore(engine).for_source(source_id) == []
    queued = take_queued(client, settings, {source_id})
    assert [(task, eta) for task, _kwargs, eta in queued] == [
        ("workers.sync.reconcile_source", True)
    ]


def test_reconcile_defers_while_a_reindex_runs(engine: SearchEngine, settings: Settings) -> None:
    source_id = register(engine, "reindex", cursor=INCREMENTAL)
    client = redis.Redis.from_url(settings.redis_url)
    with writers_paused(client, settings, wait_seconds=5):
        result = reconcile_source(source_id=source_id, trigger="test")
    assert result == {"source_id": source_id, "status": "deferred"}
    assert RunStore(engine).for_source(source_id) == []
    queued = take_queued(client, settings, {source_id})
    assert [(task, eta) for task, _kwargs, eta in queued] == [
        ("workers.sync.reconcile_source", True)
    ]


def _drop_scheduled_of_others(client: redis.Redis, settings: Settings) -> None:
    """The beat also queued syncs of other tests' sources; no worker should ever run them."""
    for raw in client.lrange(settings.queue_name, 0, -1):
        _args, kwargs, _ = json.loads(base64.b64decode(json.loads(raw)["body"]))
        if kwargs.get("trigger") == "schedule":
            client.lrem(settings.queue_name, 1, raw)
