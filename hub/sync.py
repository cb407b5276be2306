"""One sync run of one source: fetch → normalise → write → (maybe) delete → record.

Deletion rules (DESIGN.md §4): only a full, error-free fetch deletes what it did not see; an
empty feed deletes nothing and flags the source; a drop above `mass_delete_share` waits as
pending until a second full run confirms it or an operator passes `allow_mass_delete`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from connectors.base import Connector, Cursor, RawRecord, SourceContext
from connectors.fetcher import SafeFetcher
from connectors.registry import connector_class
from hub.errors import FetchError, HubError
from hub.normalise.geocoder import Geocoder, geocoder_from_settings
from hub.pipeline import process_record
from hub.ratelimit import host_limiter
from hub.runs import RunCounts, RunStatus, RunStore, SyncRun
from hub.schema import Offer, offer_id
from hub.search.engine import SearchEngine, get_engine
from hub.search.writer import OfferWriter
from hub.settings import Settings
from hub.sources import Source, SourceRegistry, SourceState

log = structlog.get_logger(__name__)
FAILING_AFTER = 3


@dataclass(frozen=True)
class SyncOptions:
    """How a run was asked for."""

    trigger: str = "manual"
    full: bool = False
    allow_mass_delete: bool = False
    run_id: str | None = None
    attempt: int = 1


def build_connector(source: Source, fetcher: SafeFetcher) -> Connector[Any]:
    """Instantiate the source's connector with its validated config."""
    cls = connector_class(source.kind)
    config = cls.parse_config(source.connector_config())
    context = SourceContext(source_id=source.id, ags=tuple(source.ags), name=source.name)
    return cls(config, fetcher, context)


class SyncRunner:
    """Runs syncs against one engine; the Celery task and the CLI both use it."""

    def __init__(self, settings: Settings, engine: SearchEngine | None = None) -> None:
        self.settings = settings
        self.engine = engine or get_engine(settings)
        self.registry = SourceRegistry(self.engine)
        self.runs = RunStore(self.engine)

    def run(self, source_id: str, options: SyncOptions = SyncOptions()) -> SyncRun:
        """Sync one source and record the run; fetch errors are recorded, then re-raised."""
        source = self.registry.get(source_id)
        cursor = Cursor() if options.full else Cursor.model_validate(source.cursor or {})
        mode = "incremental" if cursor.position else "full"
        run = SyncRun(
            source_id=source.id, trigger=options.trigger, mode=mode, attempt=options.attempt
        )
        if options.run_id:
            run.id = options.run_id
        bound = log.bind(source_id=source.id, sync_run_id=run.id)
        self.runs.save(run)
        fetcher = SafeFetcher(self.settings, limiter=host_limiter(self.settings))
        try:
            connector = build_connector(source, fetcher)
            writer = OfferWriter(self.engine)  # bound to the live index for the whole run
            seen, next_cursor, complete = self._ingest(connector, writer, cursor, run)
            if next_cursor.not_modified:
                run.not_modified = True
                run.finish(RunStatus.NOT_MODIFIED)
            else:
                if complete and mode == "full":
                    self._delete_unseen(writer, source, seen, run, options.allow_mass_delete)
                run.finish(RunStatus.SUCCEEDED if complete else RunStatus.FAILED)
            self._record_success(writer, source.id, run, next_cursor, complete)
        except HubError as exc:
            run.errors.append(
                {"code": exc.code, "message": exc.message, "message_de": exc.message_de}
            )
            run.finish(RunStatus.FAILED)
            self._record_failure(source.id, run, exc)
            bound.warning("sync.failed", error=exc.message, code=exc.code)
            raise
        finally:
            fetcher.close()
            self.runs.save(run)
        bound.info("sync.done", status=run.status.value, **run.counts.model_dump())
        return run

    def _ingest(
        self, connector: Connector[Any], writer: OfferWriter, cursor: Cursor, run: SyncRun
    ) -> tuple[set[str], Cursor, bool]:
        geocoder = geocoder_from_settings(self.settings, connector.fetcher)
        ingest = _Ingest(connector, writer, run, self.settings.sync_batch_size, geocoder)
        next_cursor = yield_all(connector.fetch(cursor), ingest.take)
        ingest.flush()
        ingest.writer.refresh()
        return ingest.seen, next_cursor, ingest.complete

    def _delete_unseen(
        self, writer: OfferWriter, source: Source, seen: set[str], run: SyncRun, allow: bool
    ) -> None:
        indexed = writer.ids_of_source(source.id)
        if run.counts.seen == 0:
            run.flags.append("empty_feed")
            log.warning("sync.empty_feed", source_id=source.id, kept=len(indexed))
            return
        unseen = sorted(indexed - seen)
        if not unseen:
            self.registry.update(source.id, lambda s: s.pending_deletion.clear())
            return
        share = len(unseen) / max(len(indexed), 1)
        pending = set(source.pending_deletion.get("ids", []))
        confirmed = bool(pending) and set(unseen) <= pending
        if share > self.settings.mass_delete_share and not (allow or confirmed):
            run.counts.pending_deletion = len(unseen)
            run.flags.append("mass_delete_pending")
            note = {
                "ids": unseen,
                "run_id": run.id,
                "share": round(share, 3),
                "at": datetime.now(UTC).isoformat(),
            }
            self.registry.update(source.id, lambda s: s.pending_deletion.update(note))
            return
        run.counts.deleted += writer.delete(unseen).deleted
        writer.refresh()
        self.registry.update(source.id, lambda s: s.pending_deletion.clear())

    def _record_success(
        self, offers: OfferWriter, source_id: str, run: SyncRun, cursor: Cursor, complete: bool
    ) -> None:

        def change(source: Source) -> None:
            source.last_run_id, source.last_run_at = run.id, run.ended_at
            if not complete:
                return
            source.cursor = cursor.model_dump(exclude={"not_modified"})
            source.consecutive_failures = 0
            source.last_success_at = run.ended_at
            if source.state in (SourceState.PENDING, SourceState.FAILING):
                source.state = SourceState.ACTIVE
            source.state_reason = "Feed ist leer" if "empty_feed" in run.flags else ""
            source.offer_count = offers.count_of_source(source_id)

        self.registry.update(source_id, change)

    def _record_failure(self, source_id: str, run: SyncRun, exc: HubError) -> None:
        def change(source: Source) -> None:
            source.last_run_id, source.last_run_at = run.id, run.ended_at
            if isinstance(exc, FetchError):
                source.consecutive_failures += 1
                source.state_reason = exc.message_de
                if (
                    source.consecutive_failures >= FAILING_AFTER
                    and source.state != SourceState.PAUSED
                ):
                    source.state = SourceState.FAILING

        try:
            self.registry.update(source_id, change)
        except HubError:
            log.exception("sync.record_failure_failed", source_id=source_id)


class _Ingest:
    """State of one run's ingestion: writes in bounded batches while the fetch goes on."""

    def __init__(
        self,
        connector: Connector[Any],
        writer: OfferWriter,
        run: SyncRun,
        batch_size: int,
        geocoder: Geocoder | None = None,
    ) -> None:
        self.connector, self.writer, self.run, self.batch_size = connector, writer, run, batch_size
        self.geocoder = geocoder
        self.source_id = connector.context.source_id
        self.seen: set[str] = set()
        self.batch: list[Offer] = []
        self.complete = True

    def take(self, raw: RawRecord) -> None:
        self.run.counts.seen += 1
        doc_id = offer_id(self.source_id, raw.local_id) if raw.local_id else None
        if doc_id:
            self.seen.add(doc_id)
        if raw.deleted:
            if doc_id:
                self.flush()  # an earlier upsert of the same record in this batch goes first
                deleted_at = raw.updated_at or datetime.now(UTC)
                outcome = self.writer.delete_versioned(doc_id, self.source_id, deleted_at)
                self.run.counts.deleted += outcome.deleted
                self.run.counts.stale += outcome.stale
            return
        result = process_record(self.connector, raw, self.geocoder)
        if result.offer is not None:
            self.batch.append(result.offer)
            if len(self.batch) >= self.batch_size:
                self.flush()
        elif result.rejection is not None:
            self.run.reject(result.rejection)

    def flush(self) -> None:
        if not self.batch:
            return
        result = self.writer.write(self.batch, chunk_size=self.batch_size)
        self.batch = []
        _count(self.run.counts, result.created, result.updated, result.unchanged, result.stale)
        for doc_id, reason in result.failed:
            self.complete = False
            self.run.errors.append({"code": "write_failed", "id": doc_id, "message": reason})


def yield_all(generator: Iterator[RawRecord], take: Any) -> Cursor:
    """Drive a connector's fetch generator, handing each record to `take`; return its cursor."""
    while True:
        try:
            take(next(generator))
        except StopIteration as stop:
            value = stop.value
            return value if isinstance(value, Cursor) else Cursor()


def _count(counts: RunCounts, created: int, updated: int, unchanged: int, stale: int) -> None:
    counts.created += created
    counts.updated += updated
    counts.unchanged += unchanged
    counts.stale += stale
