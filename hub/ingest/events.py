"""Pushed events, applied: upserts and deletes with versions, or a sync request.

Events of one source come in batches (`hub.push.backlog`): one `Ingest`, one bulk, one
refresh and one run document per batch. Every event is safe to apply twice: writes carry the
record's `updated_at` as external version and skip unchanged content, deletes leave a
versioned tombstone, and the run document of a batch has an id derived from the webhook-id of
its first event, so a redelivered batch overwrites its run instead of adding one.
The records go through the same `Ingest` as a poll, geocoding included.
"""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import httpx
import structlog

from connectors.sdk.base import RawRecord
from hub.core.errors import RecordError
from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from hub.ingest.build import push_connector_for
from hub.ingest.ingest import Ingest
from hub.push.backlog import PushedEvent
from hub.queue import enqueue_sync
from hub.search.engine import SearchEngine, get_engine
from hub.search.writer import OfferWriter
from hub.sources.runs import RunStatus, RunStore, SyncRun
from hub.sources.store import SourceRegistry

log = structlog.get_logger(__name__)
MAX_LISTED_WEBHOOK_IDS = 1000


def apply_pushed_event(
    settings: Settings,
    source_id: str,
    event_type: str,
    data: dict[str, Any],
    webhook_id: str,
    webhook_timestamp: int | None = None,
    engine: SearchEngine | None = None,
) -> dict[str, Any]:
    """Apply one accepted event (a batch of one); `NotFound` for an unknown source."""
    event = PushedEvent(event_type, data, webhook_id, webhook_timestamp)
    return apply_pushed_events(settings, source_id, [event], engine)


def apply_pushed_events(
    settings: Settings,
    source_id: str,
    events: Sequence[PushedEvent],
    engine: SearchEngine | None = None,
) -> dict[str, Any]:
    """Apply a batch of one source's events in order through one `Ingest` (one bulk, one
    refresh, one run document listing their webhook-ids); a sync request queues one sync.
    An event its connector refuses is recorded in the run with its webhook-id, the others
    are applied. `NotFound` for an unknown source."""
    eng = engine or get_engine(settings)
    source = SourceRegistry(eng).get(source_id)
    result: dict[str, Any] = {"source_id": source_id, "events": len(events)}
    sync_requests = [e for e in events if e.event_type == "source.sync_requested"]
    if sync_requests:
        full = any(bool(e.data.get("full")) for e in sync_requests)
        task_id = enqueue_sync(settings, source.id, trigger="webhook", full=full)
        result.update(status="sync_queued", task_id=task_id)
    records = [e for e in events if e.event_type != "source.sync_requested"]
    if not records:
        return result
    fetcher = SafeFetcher(settings, ssl_context=_ssl_context())
    try:
        connector = push_connector_for(source, fetcher)
        run = SyncRun(source_id=source_id, trigger="webhook", mode="event")
        run.id = event_run_id(source_id, records[0].webhook_id)
        run.webhook_ids = [e.webhook_id for e in records][:MAX_LISTED_WEBHOOK_IDS]
        ingest = Ingest.start(settings, connector, OfferWriter(eng), run)
        for event in records:
            if event.event_type == "offer.deleted":
                ingest.take(deleted_record(event.data, event.timestamp))
            else:
                _take_parsed(ingest, event)
        ingest.finish()
    finally:
        fetcher.close()
    run.finish(RunStatus.SUCCEEDED if ingest.complete else RunStatus.FAILED)
    RunStore(eng).save(run)
    log.info("events.applied", status=run.status.value, events=len(records),
             **run.counts.model_dump())  # fmt: skip
    return {**result, "run_id": run.id, "status": run.status.value}


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One TLS context per process (loading the CA store costs ~20 ms, once per batch else)."""
    return httpx.create_ssl_context(trust_env=False)


def event_run_id(source_id: str, webhook_id: str) -> str:
    """The run id of an event: the same for a redelivery of the same webhook-id."""
    return "webhook-" + hashlib.sha256(f"{source_id}\0{webhook_id}".encode()).hexdigest()[:32]


def _take_parsed(ingest: Ingest, event: PushedEvent) -> None:
    error = {"webhook_id": event.webhook_id}
    try:
        records = ingest.connector.parse_webhook(event.data)
    except RecordError as exc:  # the connector refused the whole body
        ingest.run.errors.append({**error, "code": exc.code, "message": exc.message})
        ingest.complete = False
        return
    for raw in records:
        try:
            ingest.take(raw)
        except RecordError as exc:  # a connector's parse step refusing one record
            ingest.run.errors.append(
                {**error, "code": exc.code, "message": exc.message, "id": raw.local_id}
            )


def deleted_record(data: dict[str, Any], webhook_timestamp: int | None) -> RawRecord:
    """A tombstone at the event's `deleted_at`/`updated_at`, else the webhook's timestamp."""
    local_id = str(data.get("local_id") or data.get("id") or "")
    when = _instant(data.get("deleted_at")) or _instant(data.get("updated_at"))
    if when is None and webhook_timestamp is not None:
        when = datetime.fromtimestamp(webhook_timestamp, UTC)
    return RawRecord(local_id=local_id, payload=data, updated_at=when, deleted=True)


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
