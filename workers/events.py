"""The webhook-event task: a thin Celery shell around `hub.ingest.events`."""

from __future__ import annotations

from typing import Any

import redis
import structlog

from hub.core.errors import NotFound
from hub.core.settings import get_settings
from hub.ingest.events import apply_pushed_event
from hub.ingest.locks import reindex_running, writer_lock_name
from hub.queue import APPLY_EVENT
from workers.app import EVENT_HARD_LIMIT, app
from workers.base import TRANSIENT, HubTask

log = structlog.get_logger(__name__)


@app.task(
    bind=True,
    base=HubTask,
    name=APPLY_EVENT,
    acks_late=True,
    time_limit=EVENT_HARD_LIMIT,
    soft_time_limit=max(EVENT_HARD_LIMIT - 10, 1),
)
def apply_event(
    self: HubTask,
    source_id: str,
    event_type: str,
    data: dict[str, Any],
    webhook_id: str,
    webhook_timestamp: int | None = None,
) -> dict[str, Any]:
    """Apply one accepted webhook event; transient engine/broker errors retry with backoff."""
    structlog.contextvars.bind_contextvars(webhook_id=webhook_id, event_type=event_type)
    settings = get_settings()
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=10)
    lock = client.lock(
        writer_lock_name(settings, source_id, "event", webhook_id), timeout=EVENT_HARD_LIMIT + 30
    )
    try:
        lock.acquire()
        if reindex_running(client, settings):  # writers wait while the index is copied
            raise self.retry(countdown=60, max_retries=self.max_retries + self.request.retries)
        return apply_pushed_event(
            settings, source_id, event_type, data, webhook_id, webhook_timestamp
        )
    except NotFound:
        log.warning("event.unknown_source", source_id=source_id)
        return {"source_id": source_id, "status": "unknown_source"}
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=self.backoff(exc)) from exc
    except redis.RedisError as exc:
        raise self.retry(exc=exc, countdown=self.backoff(exc)) from exc
    finally:
        if lock.owned():
            lock.release()
