"""Pushed events, applied: upserts and deletes with versions, or a sync request.

Every event is safe to apply twice: writes carry the record's `updated_at` as external version
and skip unchanged content, deletes leave a versioned tombstone, and the run document of an
event has an id derived from its webhook-id, so a redelivery overwrites instead of adding.
The records go through the same `Ingest` as a poll, geocoding included.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import structlog

from connectors.sdk.base import RawRecord
from hub.core.errors import RecordError
from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from hub.ingest.build import push_connector_for
from hub.ingest.ingest import Ingest
from hub.queue import enqueue_sync
from hub.search.engine import SearchEngine, get_engine
from hub.search.writer import OfferWriter
from hub.sources.runs import RunStatus, RunStore, SyncRun
from hub.sources.store import SourceRegistry

log = structlog.get_logger(__name__)


def apply_pushed_event(
    settings: Settings,
    source_id: str,
    event_type: str,
    data: dict[str, Any],
    webhook_id: str,
    webhook_timestamp: int | None = None,
    engine: SearchEngine | None = None,
) -> dict[str, Any]:
    """Apply one accepted event; `NotFound` for an unknown source."""
    eng = engine or get_engine(settings)
    source = SourceRegistry(eng).get(source_id)
    if event_type == "source.sync_requested":
        full = bool(data.get("full"))
        task_id = enqueue_sync(settings, source.id, trigger="webhook", full=full)
        return {"source_id": source_id, "status": "sync_queued", "task_id": task_id}
    fetcher = SafeFetcher(settings)
    try:
        connector = push_connector_for(source, fetcher)
        run = SyncRun(source_id=source_id, trigger="webhook", mode="event")
        run.id = event_run_id(source_id, webhook_id)
        ingest = Ingest.start(settings, connector, OfferWriter(eng), run)
        if event_type == "offer.deleted":
            ingest.take(deleted_record(data, webhook_timestamp))
        else:
            _take_parsed(ingest, data)
        ingest.finish()
    finally:
        fetcher.close()
    run.finish(RunStatus.SUCCEEDED if ingest.complete else RunStatus.FAILED)
    RunStore(eng).save(run)
    log.info("event.applied", status=run.status.value, **run.counts.model_dump())
    return {"source_id": source_id, "run_id": run.id, "status": run.status.value}


def event_run_id(source_id: str, webhook_id: str) -> str:
    """The run id of an event: the same for a redelivery of the same webhook-id."""
    return "webhook-" + hashlib.sha256(f"{source_id}\0{webhook_id}".encode()).hexdigest()[:32]


def _take_parsed(ingest: Ingest, data: dict[str, Any]) -> None:
    try:
        records = ingest.connector.parse_webhook(data)
    except RecordError as exc:  # the connector refused the whole body
        ingest.run.errors.append({"code": exc.code, "message": exc.message})
        ingest.complete = False
        return
    for raw in records:
        try:
            ingest.take(raw)
        except RecordError as exc:  # a connector's parse step refusing one record
            ingest.run.errors.append({"code": exc.code, "message": exc.message, "id": raw.local_id})


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
