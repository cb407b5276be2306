"""The webhook-event tasks: thin Celery shells around `hub.push.backlog` and `hub.ingest.events`.

`drain_events` applies one batch of a source's backlog and queues itself again behind the
other sources' drains while events remain; `sweep_event_backlogs` (beat) restarts the drain
of a backlog whose drain was lost; `apply_event` applies a single event sent as a task of its
own (messages queued before batching existed).
"""

from __future__ import annotations

from typing import Any

import redis
import structlog

from hub.core.errors import NotFound
from hub.core.settings import get_settings
from hub.ingest.events import apply_pushed_event, apply_pushed_events
from hub.ingest.locks import reindex_running, writer_lock_name
from hub.push.backlog import DRAIN_FLAG_SECONDS, EventBacklog, orphaned
from hub.queue import APPLY_EVENT, DRAIN_EVENTS, SWEEP_EVENT_BACKLOGS, enqueue_drain
from workers.app import EVENT_HARD_LIMIT, app
from workers.base import TRANSIENT, HubTask

log = structlog.get_logger(__name__)
REINDEX_WAIT_SECONDS = 60
BUSY_RETRY_SECONDS = 2
# what both event tasks declare: late acks and the event time limits
EVENT_TASK: dict[str, Any] = {
    "bind": True,
    "base": HubTask,
    "acks_late": True,
    "time_limit": EVENT_HARD_LIMIT,
    "soft_time_limit": max(EVENT_HARD_LIMIT - 10, 1),
}


@app.task(name=DRAIN_EVENTS, **EVENT_TASK)
def drain_events(self: HubTask, source_id: str) -> dict[str, Any]:
    """Apply the next batch of `source_id`'s pushed events; transient errors retry (the batch
    stays in the backlog until it was applied)."""
    structlog.contextvars.bind_contextvars(source_id=source_id)
    settings = get_settings()
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=10)
    backlog = EventBacklog(settings, client, source_id)
    lock = client.lock(
        writer_lock_name(settings, source_id, "events"),
        timeout=EVENT_HARD_LIMIT + 30,
        blocking=False,
    )
    more = False
    try:
        if not lock.acquire():
            # the previous drain of this source has not let go yet (or a redelivery meets
            # the first): try again shortly rather than leave the backlog to the sweep
            raise self.retry(
                countdown=BUSY_RETRY_SECONDS,
                max_retries=self.max_retries + self.request.retries,
            )
        backlog.hold()
        if reindex_running(client, settings):  # writers wait while the index is copied
            raise self.retry(
                countdown=REINDEX_WAIT_SECONDS,
                max_retries=self.max_retries + self.request.retries,
            )
        batch = backlog.peek(settings.events_batch_size)
        result: dict[str, Any] = {"source_id": source_id, "events": 0, "status": "empty"}
        if batch:
            try:
                result = apply_pushed_events(settings, source_id, batch)
            except NotFound:
                log.warning("events.unknown_source", events=len(batch))
                backlog.discard()
                return {"source_id": source_id, "status": "unknown_source"}
            backlog.drop(len(batch))
        more = backlog.release_or_continue()
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=self.backoff(exc)) from exc
    except redis.RedisError as exc:
        raise self.retry(exc=exc, countdown=self.backoff(exc)) from exc
    finally:
        if lock.owned():
            lock.release()
    if more:  # after the lock is free: behind the drains of other sources
        enqueue_drain(settings, source_id)
    return result


@app.task(bind=True, base=HubTask, name=SWEEP_EVENT_BACKLOGS, acks_late=True)
def sweep_event_backlogs(self: HubTask) -> dict[str, Any]:
    """Queue a drain for every backlog whose drain flag expired (its drain was lost)."""
    settings = get_settings()
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=10)
    restarted = []
    for source_id in orphaned(settings, client):
        flag = EventBacklog(settings, client, source_id).flag
        if client.set(flag, "1", nx=True, ex=DRAIN_FLAG_SECONDS):
            enqueue_drain(settings, source_id)
            restarted.append(source_id)
    if restarted:
        log.warning("events.drains_restarted", sources=restarted[:20], count=len(restarted))
    return {"restarted": len(restarted)}


@app.task(name=APPLY_EVENT, **EVENT_TASK)
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
