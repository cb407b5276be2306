"""Registering a source and requesting a resync on the real engine and Redis: what the API
and the CLI both call."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
import redis

from hub.core.errors import ConfigError, UnsafeURLError
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from hub.sources.enrolment import register_source, request_sync
from hub.sources.keys import key_matches
from hub.sources.store import SourceInput, SourceRegistry


def source_input(**overrides: Any) -> SourceInput:
    data: dict[str, Any] = {
        "id": f"enrol-{uuid.uuid4().hex[:8]}",
        "ags": ["05978036"],
        "kind": "rss",
        "url": "http://127.0.0.1:9/feed.xml",
    }
    return SourceInput(**{**data, **overrides})


def test_registration_stores_only_the_hash_of_the_key_it_returns(
    settings: Settings, engine: SearchEngine
) -> None:
    registry = SourceRegistry(engine)
    registered = register_source(settings, registry, source_input())
    stored = registry.get(registered.source.id)
    assert registered.api_key not in json.dumps(stored.model_dump(mode="json"))
    assert key_matches(registered.api_key, stored.api_key_hashes)
    assert stored.api_key_hashes == registered.source.api_key_hashes


@pytest.mark.parametrize(
    ("overrides", "error", "fragment"),
    [
        ({"kind": "gopher"}, ConfigError, "Unbekannter Feed-Typ"),
        ({"config": {"max_pages": "viele"}}, ConfigError, "ungültig"),
        ({"url": "http://169.254.169.254/latest/"}, UnsafeURLError, "Metadatendienst"),
    ],
)
def test_invalid_registration_is_refused_and_stores_nothing(
    settings: Settings,
    engine: SearchEngine,
    overrides: dict[str, Any],
    error: type[Exception],
    fragment: str,
) -> None:
    registry = SourceRegistry(engine)
    data = source_input(**overrides)
    with pytest.raises(error) as refused:
        register_source(settings, registry, data)
    assert fragment in getattr(refused.value, "message_de", "")
    assert data.id not in {s.id for s in registry.list()}


def test_taken_id_is_refused_in_german(settings: Settings, engine: SearchEngine) -> None:
    registry = SourceRegistry(engine)
    data = source_input()
    register_source(settings, registry, data)
    with pytest.raises(ConfigError, match="exists already") as refused:
        register_source(settings, registry, data)
    assert "gibt es bereits" in refused.value.message_de


def test_resync_request_is_a_sync_task_on_the_queue(settings: Settings) -> None:
    own = settings.model_copy(update={"queue_name": f"enrol-{uuid.uuid4().hex[:8]}"})
    broker = redis.Redis.from_url(own.redis_url)
    try:
        task_id = request_sync(own, "essen", trigger="api", full=True)
        [raw] = broker.lrange(own.queue_name, 0, -1)
    finally:
        broker.delete(own.queue_name)
    message = json.loads(raw)
    _args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert message["headers"]["task"] == "workers.sync.sync_source"
    assert message["headers"]["id"] == task_id
    assert kwargs == {"source_id": "essen", "trigger": "api", "full": True}
