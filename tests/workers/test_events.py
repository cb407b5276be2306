"""Webhook events applied on the real engine: versions decide, replays are harmless."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
import redis

from hub.core.settings import Settings
from hub.ingest.events import apply_pushed_event
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.sources.runs import RunStore
from hub.sources.store import SourceInput, SourceRegistry
from workers.events import apply_event


def offer(local_id: str, updated: str, title: str = "Babytreff", **extra: Any) -> dict[str, Any]:
    return {
        "local_id": local_id,
        "title": title,
        "url": f"https://www.unna.de/{local_id}",
        "kind": "treffpunkt",
        "topics": ["begegnung"],
        "updated_at": updated,
        "locations": [{"city": "Unna", "postcode": "59423", "ags": "05978036"}],
        **extra,
    }


@pytest.fixture
def source(engine: SearchEngine) -> str:
    source_id = f"ev-{uuid.uuid4().hex[:8]}"
    SourceRegistry(engine).create(
        SourceInput(id=source_id, ags=["05978036"], kind="push", url="https://www.unna.de/f.json")
    )
    return source_id


@pytest.fixture
def apply(settings: Settings, engine: SearchEngine, source: str) -> Any:
    def run(event_type: str, data: dict[str, Any], webhook_id: str | None = None, **kw: Any) -> Any:
        return apply_pushed_event(
            settings, source, event_type, data, webhook_id or uuid.uuid4().hex, engine=engine, **kw
        )

    return run


def indexed(engine: SearchEngine, source: str) -> dict[str, dict[str, Any]]:
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    body = {"size": 100, "query": {"term": {"source_id": source}}, "version": True}
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    return {h["_source"]["local_id"]: {**h["_source"], "_version": h["_version"]} for h in hits}


def ms(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso).timestamp() * 1000)


T1, T2, T3 = "2026-03-01T10:00:00+00:00", "2026-03-02T10:00:00+00:00", "2026-03-03T10:00:00+00:00"


def test_upsert_writes_the_offer_with_its_updated_at_as_version(engine, source, apply) -> None:
    result = apply("offer.upserted", offer("a", T1))
    assert result["status"] == "succeeded"
    doc = indexed(engine, source)["a"]
    assert doc["_version"] == ms(T1)
    assert doc["title"] == "Babytreff"


def test_replayed_event_changes_nothing(engine, source, apply) -> None:
    apply("offer.upserted", offer("a", T1), webhook_id="same")
    before = indexed(engine, source)
    again = apply("offer.upserted", offer("a", T1), webhook_id="same")
    assert indexed(engine, source) == before
    run = RunStore(engine).get(again["run_id"])
    assert (run.counts.unchanged, run.counts.created, run.trigger) == (1, 0, "webhook")
    runs = [r for r in RunStore(engine).for_source(source) if r.id == again["run_id"]]
    assert len(runs) == 1  # the redelivery overwrote its run document


def test_older_event_arriving_late_loses_to_the_newer(engine, source, apply) -> None:
    apply("offer.upserted", offer("a", T2, title="Neu"))
    late = apply("offer.upserted", offer("a", T1, title="Alt"))
    doc = indexed(engine, source)["a"]
    assert (doc["title"], doc["_version"]) == ("Neu", ms(T2))
    assert RunStore(engine).get(late["run_id"]).counts.stale == 1


def test_delete_then_late_older_upsert_stays_deleted(engine, source, apply) -> None:
    apply("offer.upserted", offer("a", T1))
    apply("offer.deleted", {"local_id": "a", "deleted_at": T2})
    assert "a" not in indexed(engine, source)
    apply("offer.upserted", offer("a", T1, title="Zu spät"))
    assert "a" not in indexed(engine, source)
    apply("offer.upserted", offer("a", T3, title="Wieder da"))  # newer than the delete
    assert indexed(engine, source)["a"]["title"] == "Wieder da"


def test_delete_without_timestamps_uses_the_webhook_timestamp(engine, source, apply) -> None:
    apply("offer.upserted", offer("a", T2))
    older_stamp = ms(T1) // 1000
    apply("offer.deleted", {"local_id": "a"}, webhook_timestamp=older_stamp)
    assert "a" in indexed(engine, source)  # the delete is older than the record: stale
    apply("offer.deleted", {"local_id": "a"}, webhook_timestamp=ms(T3) // 1000)
    assert "a" not in indexed(engine, source)


def test_batch_upsert_with_a_bad_record_records_the_rejection(engine, source, apply) -> None:
    bad = offer("b", T1, title="")
    result = apply("offer.upserted", {"offers": [offer("a", T1), bad]})
    run = RunStore(engine).get(result["run_id"])
    assert (run.trigger, run.status.value) == ("webhook", "succeeded")
    assert (run.counts.created, run.counts.rejected) == (1, 1)
    assert run.rejections[0].local_id == "b"
    assert run.rejections[0].message_de
    assert set(indexed(engine, source)) == {"a"}


def test_sync_request_enqueues_a_sync_of_the_source(settings, source, apply) -> None:
    result = apply("source.sync_requested", {"full": True})
    assert result["status"] == "sync_queued"
    broker = redis.Redis.from_url(settings.redis_url)
    found = []
    for raw in broker.lrange(settings.queue_name, 0, -1):
        message = json.loads(raw)
        _args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        if message["headers"]["id"] == result["task_id"]:
            found.append((message["headers"]["task"], kwargs))
            broker.lrem(settings.queue_name, 1, raw)
    assert found == [
        ("workers.sync.sync_source", {"source_id": source, "trigger": "webhook", "full": True})
    ]


def test_task_for_an_unknown_source_ends_without_retry(settings) -> None:
    outcome = apply_event.apply(
        kwargs={
            "source_id": "gibt-es-nicht",
            "event_type": "offer.upserted",
            "data": offer("a", T1),
            "webhook_id": "x",
        }
    )
    assert outcome.successful()
    assert outcome.result["status"] == "unknown_source"


def test_task_declares_late_acks_and_a_time_limit() -> None:
    assert apply_event.name == "workers.events.apply_event"
    assert apply_event.acks_late is True
    assert apply_event.time_limit and apply_event.soft_time_limit


def test_worker_app_refuses_a_visibility_timeout_below_limit_plus_countdown(
    settings: Settings,
) -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "HUB_SYNC_TIME_LIMIT_SECONDS": "60",
        "HUB_MAX_RETRY_COUNTDOWN_SECONDS": "60",
        "HUB_VISIBILITY_TIMEOUT_SECONDS": "100",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import workers.app"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "HUB_VISIBILITY_TIMEOUT_SECONDS=100 must exceed" in done.stderr
