"""One sync run of one source: fetch → normalise → write → (maybe) delete → record.

A run is `incremental` when the stored cursor has a position, else `full`; a `reconcile` run
(hub/ingest/reconcile.py) lists everything the source publishes, by ids where the connector
can, else by a full fetch, and so brings deletions to sources that sync incrementally.
Deletion rules (DESIGN.md §4), the same for full and reconcile runs: only a complete,
error-free listing deletes what it did not see; an empty listing deletes nothing and flags the
source; a drop above `mass_delete_share` waits as pending until a second complete listing
confirms it or an operator passes `allow_mass_delete`; one the ministry refused waits for
`allow_mass_delete` alone.

A full or reconcile fetch of a connector whose records come wholly from its listed pages keeps
each page's digest (`hub.ingest.pages`): the next such fetch skips parsing every page whose bytes
did not change, and counts its records as seen and unchanged.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx
import structlog

from connectors.sdk.base import Connector, Cursor
from connectors.sdk.pagememo import Known, PageMemo, remembering
from hub.core.errors import FetchError, HubError
from hub.core.fetcher import SafeFetcher
from hub.core.metrics import observe_sync
from hub.core.redis_ratelimit import host_limiter
from hub.core.settings import Settings
from hub.ingest.build import connector_for
from hub.ingest.ingest import Ingest
from hub.ingest.pages import PAGED_KINDS, KeptPages, PageStore, run_context
from hub.ingest.reconcile import listed_offer_ids, plan_reconcile
from hub.search.engine import SearchEngine, get_engine
from hub.search.writer import OfferWriter
from hub.sources.runs import RunStatus, RunStore, SyncRun
from hub.sources.store import Source, SourceRegistry, SourceState

log = structlog.get_logger(__name__)
FAILING_AFTER = 3


@cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process for every run's fetcher: building one loads the
    CA bundle, which cost a run that found its feed unchanged most of its CPU."""
    return httpx.create_ssl_context(trust_env=False)


class _PagedFetch:
    """A fetch that keeps page digests. What it needs is read when the first page arrives:
    the pages kept last time and, if they were taken in this context, the source's indexed
    offer ids to check them against (the deletion step reuses those)."""

    def __init__(
        self, engine: SearchEngine, writer: OfferWriter, connector: Connector[Any]
    ) -> None:
        self.engine, self.writer = engine, writer
        self.source_id = connector.context.source_id
        self.kept = KeptPages()
        self.indexed: set[str] | None = None
        self.memo = PageMemo(run_context(connector), self._load)

    def _load(self) -> Known:
        self.kept = PageStore(self.engine).load(self.source_id)
        if self.kept.context != self.memo.context or not self.kept.pages:
            return {}, set()
        self.indexed = self.writer.ids_of_source(self.source_id)
        return self.kept.pages, self.indexed


@dataclass(frozen=True)
class SyncOptions:
    """How a run was asked for."""

    trigger: str = "manual"
    full: bool = False
    allow_mass_delete: bool = False
    run_id: str | None = None
    attempt: int = 1
    reconcile: bool = False

    def mode(self, stored: Cursor) -> str:
        """`reconcile`, `incremental` (the stored cursor has a position) or `full`."""
        if self.reconcile:
            return "reconcile"
        return "incremental" if stored.position and not self.full else "full"


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
        stored = Cursor.model_validate(source.cursor or {})
        mode = options.mode(stored)
        cursor = Cursor() if options.full or options.reconcile else stored
        run = SyncRun(
            source_id=source.id, trigger=options.trigger, mode=mode, attempt=options.attempt
        )
        if options.run_id:
            run.id = options.run_id
        bound = log.bind(source_id=source.id, sync_run_id=run.id)
        self.runs.save(run, refresh=None)  # read by id at once, searchable within a second
        fetcher = SafeFetcher(
            self.settings, ssl_context=tls_context(), limiter=host_limiter(self.settings)
        )
        try:
            connector = connector_for(source, fetcher)
            writer = OfferWriter(self.engine)  # bound to the live index for the whole run
            paged: _PagedFetch | None = None
            if mode == "reconcile" and connector.supports_id_listing:
                seen, next_cursor, complete = self._list_ids(connector, run), stored, True
            else:
                paged = self._paged_fetch(connector, writer, mode)
                seen, next_cursor, complete = self._ingest(connector, writer, cursor, run, paged)
            if next_cursor.not_modified:
                run.not_modified = True
                run.finish(RunStatus.NOT_MODIFIED)
            else:
                if complete and mode != "incremental":
                    indexed = paged.indexed if paged else None
                    self._delete_unseen(
                        writer, source, seen, run, options.allow_mass_delete, indexed
                    )
                run.finish(RunStatus.SUCCEEDED if complete else RunStatus.FAILED)
            self._record_success(writer, source, run, next_cursor, complete)
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
            self.runs.save(run, refresh=None)  # `RunStore.for_source` refreshes before it lists
            observe_sync(run.source_id, run.status, run.duration_seconds, run.counts.model_dump())
        bound.info("sync.done", status=run.status.value, **run.counts.model_dump())
        return run

    def _paged_fetch(
        self, connector: Connector[Any], writer: OfferWriter, mode: str
    ) -> _PagedFetch | None:
        """Page digests for a full listing of a connector that takes part."""
        if mode == "incremental" or connector.kind not in PAGED_KINDS:
            return None
        return _PagedFetch(self.engine, writer, connector)

    def _ingest(
        self,
        connector: Connector[Any],
        writer: OfferWriter,
        cursor: Cursor,
        run: SyncRun,
        paged: _PagedFetch | None,
    ) -> tuple[set[str], Cursor, bool]:
        memo = paged.memo if paged else None
        ingest = Ingest.start(self.settings, connector, writer, run, pages=memo)
        with remembering(memo):
            next_cursor = ingest.take_all(connector.fetch(cursor))
        ingest.finish()
        if paged and ingest.complete and not next_cursor.not_modified:
            next_cursor = self._keep_pages(connector.context.source_id, paged, ingest, next_cursor)
        return ingest.seen, next_cursor, ingest.complete

    def _keep_pages(
        self, source_id: str, paged: _PagedFetch, ingest: Ingest, cursor: Cursor
    ) -> Cursor:
        """Store this complete fetch's pages (written only when they differ from those kept).

        A fetch that skipped pages did not see their records, so a cursor position it could
        not compute is the one of the fetch that read them (the same bytes); one it computed
        from the pages it read is at most the true one, which at worst lists a few records
        again next time."""
        memo = paged.memo
        if not memo.consulted:
            return cursor
        if memo.skipped and not cursor.position and paged.kept.position:
            cursor = cursor.model_copy(update={"position": dict(paged.kept.position)})
        pages = memo.to_keep(ingest.settled)
        kept = KeptPages(memo.context, dict(cursor.position), pages)
        if kept != paged.kept:
            PageStore(self.engine).save(source_id, kept)
        return cursor

    def _list_ids(self, connector: Connector[Any], run: SyncRun) -> set[str]:
        """A reconciliation's listing by ids only: nothing is fetched in full or written."""
        listed = listed_offer_ids(connector)
        run.counts.seen = len(listed)
        return listed

    def _delete_unseen(
        self,
        writer: OfferWriter,
        source: Source,
        seen: set[str],
        run: SyncRun,
        allow: bool,
        indexed: set[str] | None = None,
    ) -> None:
        """`indexed`: the source's offer ids if read at the start of the run (the offers the
        run created are all in `seen`, so they need not be read again)."""
        if indexed is None:
            indexed = writer.ids_of_source(source.id)
        if run.counts.seen == 0:
            run.flags.append("empty_feed")
            log.warning("sync.empty_feed", source_id=source.id, kept=len(indexed))
            return
        unseen = sorted(indexed - seen)
        if not unseen:
            if source.pending_deletion:
                self.registry.update(source.id, lambda s: s.pending_deletion.clear())
            return
        share = len(unseen) / max(len(indexed), 1)
        pending = set(source.pending_deletion.get("ids", []))
        refused = bool(source.pending_deletion.get("refused"))  # only an approval releases it
        confirmed = bool(pending) and set(unseen) <= pending and not refused
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
        if source.pending_deletion:
            self.registry.update(source.id, lambda s: s.pending_deletion.clear())

    def _record_success(
        self, offers: OfferWriter, read: Source, run: SyncRun, cursor: Cursor, complete: bool
    ) -> None:
        """Write the run's outcome into the source doc read at the start of the run (read again
        only if someone changed it since); the offers are counted only if the run added or
        removed some, or the source was never counted."""
        source_id = read.id
        recount = bool(run.counts.created or run.counts.deleted) or read.last_success_at is None

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
            if recount:
                source.offer_count = offers.count_of_source(source_id)
            if run.mode != "incremental" and run.status != RunStatus.NOT_MODIFIED:
                source.last_reconciled_at = run.ended_at
                plan_reconcile(source, run.ended_at or datetime.now(UTC), self.settings)

        # Read by id (realtime) by the scheduler and the pages; lists see it within a second.
        self.registry.update(source_id, change, known=read, refresh=None)

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
