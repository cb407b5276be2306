"""Webhook events, applied by a worker: upserts and deletes with versions, or a sync request.

Every event is safe to apply twice: writes carry the record's `updated_at` as external version
and skip unchanged content, deletes leave a versioned tombstone, and the run document of an
event has an id derived from its webhook-id, so a redelivery overwrites instead of adding.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import redis
import structlog

from connectors.base import Connector, RawRecord, SourceContext
from connectors.fetcher import SafeFetcher
from connectors.push import PushConfig, PushConnector
from hub.errors import BrokerUnavailable, NotFound, RecordError
from hub.locks import reindex_running, writer_lock_name
from hub.runs import RunStatus, RunStore, SyncRun
from hub.search.engine import SearchEngine, get_engine
from hub.search.writer import OfferWriter
from hub.settings import Settings, get_settings
from hub.sources import Source, SourceRegistry
from hub.sync import _Ingest, build_connector
from workers.app import EVENT_HARD_LIMIT, app
from workers.base import TRANSIENT, HubTask

log = structlog.get_logger(__name__)


@app.task(
    bind=True,
    base=HubTask,
    name="workers.events.apply_event",
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
        return apply_event_now(settings, source_id, event_type, data, webhook_id, webhook_timestamp)
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


def apply_event_now(
    settings: Settings,
    source_id: str,
    event_type: str,
    data: dict[str, Any],
    webhook_id: str,
    webhook_timestamp: int | None = None,
    engine: SearchEngine | None = None,
) -> dict[str, Any]:
    """The work of `apply_event`, callable without Celery (tests, the CLI)."""
    eng = engine or get_engine(settings)
    if event_type == "source.sync_requested":
        return _request_sync(source_id, data, eng)
    source = SourceRegistry(eng).get(source_id)
    fetcher = SafeFetcher(settings)
    try:
        connector = webhook_connector(source, fetcher)
        if event_type == "offer.deleted":
            records = [deleted_record(data, webhook_timestamp)]
        else:
            records = connector.parse_webhook(data)
        run = _apply_records(settings, eng, connector, records, source_id, webhook_id)
    finally:
        fetcher.close()
    log.info("event.applied", status=run.status.value, **run.counts.model_dump())
    return {"source_id": source_id, "run_id": run.id, "status": run.status.value}


def webhook_connector(source: Source, fetcher: SafeFetcher) -> Connector[Any]:
    """The source's own connector if it reads pushed bodies, else the common-schema one."""
    connector = build_connector(source, fetcher)
    if connector.supports_webhook:
        return connector
    context = SourceContext(source_id=source.id, ags=tuple(source.ags), name=source.name)
    overrides = source.config.get("topic_overrides") or {}
    config = PushConfig.model_validate({"url": source.url, "topic_overrides": overrides})
    return PushConnector(config, fetcher, context)


def deleted_record(data: dict[str, Any], webhook_timestamp: int | None) -> RawRecord:
    """A tombstone at the event's `deleted_at`/`updated_at`, else the webhook's timestamp."""
    local_id = str(data.get("local_id") or data.get("id") or "")
    when = _instant(data.get("deleted_at")) or _instant(data.get("updated_at"))
    if when is None and webhook_timestamp is not None:
        when = datetime.fromtimestamp(webhook_timestamp, UTC)
    return RawRecord(local_id=local_id, payload=data, updated_at=when, deleted=True)


def _apply_records(
    settings: Settings,
    engine: SearchEngine,
    connector: Connector[Any],
    records: list[RawRecord],
    source_id: str,
    webhook_id: str,
) -> SyncRun:
    run = SyncRun(source_id=source_id, trigger="webhook", mode="event")
    run.id = "webhook-" + hashlib.sha256(f"{source_id}\0{webhook_id}".encode()).hexdigest()[:32]
    ingest = _Ingest(connector, OfferWriter(engine), run, settings.sync_batch_size)
    for raw in records:
        try:
            ingest.take(raw)
        except RecordError as exc:  # a connector's parse step refusing one record
            run.errors.append({"code": exc.code, "message": exc.message, "id": raw.local_id})
    ingest.flush()
    ingest.writer.refresh()
    run.finish(RunStatus.SUCCEEDED if ingest.complete else RunStatus.FAILED)
    RunStore(engine).save(run)
    return run


def _request_sync(source_id: str, data: dict[str, Any], engine: SearchEngine) -> dict[str, Any]:
    from kombu.exceptions import OperationalError

    from workers.sync import sync_source

    SourceRegistry(engine).get(source_id)  # NotFound for an unknown source
    kwargs = {"source_id": source_id, "trigger": "webhook", "full": bool(data.get("full"))}
    try:
        result = sync_source.apply_async(kwargs=kwargs, retry=False)
    except (OperationalError, ConnectionError, OSError) as exc:
        raise BrokerUnavailable(f"broker unavailable: {exc}") from exc
    return {"source_id": source_id, "status": "sync_queued", "task_id": str(result.id)}


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
