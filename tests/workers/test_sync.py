"""The sync task's gate: while a reindex copies the index, a sync defers instead of writing."""

from __future__ import annotations

import base64
import json
import uuid

import redis

from hub.core.settings import Settings
from hub.ingest.locks import writers_paused
from hub.search.engine import SearchEngine
from hub.sources.runs import RunStore
from hub.sources.store import SourceInput, SourceRegistry
from workers.sync import sync_source


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
    queued = []
    for raw in client.lrange(settings.queue_name, 0, -1):
        message = json.loads(raw)
        _args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        if kwargs.get("source_id") == source_id:
            queued.append((message["headers"]["task"], message["headers"]["eta"] is not None))
            client.lrem(settings.queue_name, 1, raw)
    assert queued == [("workers.sync.sync_source", True)]  # handed back with a countdown
