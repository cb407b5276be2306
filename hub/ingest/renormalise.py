"""Re-normalising the kept raw payloads (`hub index reindex --renormalise`): no source is fetched.

Every payload kept in `hub-raw` goes through its source's connector (`to_offer`) and the
normaliser again, through the same `Ingest` as a sync, so an improvement to extraction, a
vocabulary or the gazetteer reaches every offer at once. Payloads whose state (payload,
normaliser version, connector config) is what their offer was built from are skipped unless
`force` is given.

Offers are rewritten in place, not into a new index: each write carries the record's own
`updated_at` as its external version (`external_gte`), so a re-normalised offer replaces the
previous one document by document while search keeps answering, with no alias swap and no copy
of an index that would have to hold back every writer for the whole run. A record the source
changed meanwhile is newer and wins (counted stale). A payload the normaliser now rejects is
counted rejected and its offer stays, as in a sync. Each source is re-normalised under its
writer lock, the one its syncs and events hold, so no sync of that source runs in between;
and like every writer it steps back while a reindex copies the offer index. A payload whose
offer is no longer indexed (deleted while its payload was kept) is dropped, never written back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from typing import Any

import redis
import structlog

from connectors.sdk.base import Connector
from hub.core.errors import ConflictError
from hub.core.fetcher import SafeFetcher
from hub.core.logging import configure_logging
from hub.core.settings import Settings
from hub.ingest.build import connector_for, push_connector_for
from hub.ingest.ingest import Ingest
from hub.ingest.locks import reindex_running, writer_lock_name
from hub.ingest.payloads import raw_record
from hub.search.engine import SearchEngine, get_engine
from hub.search.raw import RawEntry, RawStore
from hub.search.writer import OfferWriter
from hub.sources.runs import RunCounts, SyncRun
from hub.sources.store import Source, SourceRegistry

log = structlog.get_logger(__name__)
LOCK_SECONDS = 60 * 60
LOCK_WAIT_SECONDS = 15 * 60


@dataclass
class RenormaliseResult:
    """What a re-normalisation did, over all sources (`counts` as in a sync run)."""

    sources: int = 0
    counts: RunCounts = field(default_factory=RunCounts)
    normalised: int = 0
    dropped: int = 0  # payloads whose offer is gone
    foreign: int = 0  # payloads of a connector kind the source no longer has
    errors: list[dict[str, Any]] = field(default_factory=list)
    processes: set[int] = field(default_factory=set)  # pids that did the work

    def add(self, run: SyncRun) -> None:
        self._count(run.counts)
        self.errors.extend(run.errors)

    def merge(self, other: RenormaliseResult) -> None:
        """Fold in the result of another process's share of the sources."""
        self.sources += other.sources
        self._count(other.counts)
        self.normalised += other.normalised
        self.dropped += other.dropped
        self.foreign += other.foreign
        self.errors.extend(other.errors)
        self.processes |= other.processes

    def _count(self, counts: RunCounts) -> None:
        for name, value in counts.model_dump().items():
            setattr(self.counts, name, getattr(self.counts, name) + value)


class Renormaliser:
    """Runs the kept payloads of every (or one) source through mapping and normalisation."""

    def __init__(
        self,
        settings: Settings,
        engine: SearchEngine | None = None,
        client: redis.Redis | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine or get_engine(settings)
        self.redis = client or redis.Redis.from_url(settings.redis_url, socket_timeout=10)
        self.raw = RawStore(self.engine)

    def total(self, source_id: str | None = None) -> int:
        """How many payloads a run would read (for a progress bar)."""
        self.raw.refresh()
        return self.raw.count(source_id)

    def run(
        self,
        source_id: str | None = None,
        *,
        force: bool = False,
        advance: Callable[[int], None] = lambda _: None,
        jobs: int = 1,
    ) -> RenormaliseResult:
        """Re-normalise; `advance(n)` is called after each page of `n` payloads (with `jobs`
        > 1, after each source: its sources are shared out to that many processes, since
        mapping and normalising is Python CPU that one process cannot spread over cores)."""
        self._refuse_during_reindex()
        self.raw.refresh()  # payloads a sync kept just now are read too
        registry = SourceRegistry(self.engine)
        sources = [registry.get(source_id)] if source_id else registry.list()
        if jobs > 1 and len(sources) > 1:
            return self._in_processes([s.id for s in sources], force, advance, jobs)
        result = RenormaliseResult(processes={os.getpid()})
        fetcher = SafeFetcher(self.settings)  # builds connectors; no source is fetched
        try:
            for source in sources:
                with self._writer_lock(source.id):
                    self._source(source, fetcher, force, result, advance)
                result.sources += 1
        finally:
            fetcher.close()
        log.info("renormalise.done", sources=result.sources, **result.counts.model_dump())
        return result

    def _in_processes(
        self,
        source_ids: list[str],
        force: bool,
        advance: Callable[[int], None],
        jobs: int,
    ) -> RenormaliseResult:
        result = RenormaliseResult()
        # spawn, not fork: a forked child would share this process's open connections
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            futures = [
                pool.submit(_renormalise_one, self.settings, source_id, force)
                for source_id in source_ids
            ]
            for future in as_completed(futures):
                share = future.result()
                result.merge(share)
                advance(share.counts.seen + share.dropped + share.foreign)
        log.info("renormalise.done", sources=result.sources, **result.counts.model_dump())
        return result

    def _source(
        self,
        source: Source,
        fetcher: SafeFetcher,
        force: bool,
        result: RenormaliseResult,
        advance: Callable[[int], None],
    ) -> None:
        writer = OfferWriter(self.engine)
        run = SyncRun(source_id=source.id, trigger="renormalise", mode="renormalise")
        ingests: dict[str, Ingest | None] = {}
        for page in _pages(self.raw.scan(source.id), self.settings.sync_batch_size):
            indexed = writer.existing([entry.id for entry in page])
            gone = [entry.id for entry in page if entry.id not in indexed]
            if gone:  # their offers were deleted meanwhile: drop the payloads, write nothing
                for _ in self.engine.streaming_bulk(self.raw.delete_actions(gone), len(gone)):
                    result.dropped += 1
            for entry in (e for e in page if e.id in indexed):
                ingest = self._ingest_for(entry, source, fetcher, writer, run, force, ingests)
                if ingest is None:
                    result.foreign += 1
                else:
                    ingest.take(raw_record(entry))
            advance(len(page))
        for ingest in filter(None, ingests.values()):
            ingest.finish()
            result.normalised += ingest.normalised
        result.add(run)

    def _ingest_for(
        self,
        entry: RawEntry,
        source: Source,
        fetcher: SafeFetcher,
        writer: OfferWriter,
        run: SyncRun,
        force: bool,
        ingests: dict[str, Ingest | None],
    ) -> Ingest | None:
        """The ingest of the entry's connector kind (the source's own, or the common-schema
        one its pushed events used); None when the source has no such connector any more."""
        if entry.kind not in ingests:
            connector = _connector_of_kind(entry.kind, source, fetcher)
            ingests[entry.kind] = (
                Ingest.start(self.settings, connector, writer, run, skip_unchanged=not force)
                if connector
                else None
            )
        return ingests[entry.kind]

    def _refuse_during_reindex(self) -> None:
        if reindex_running(self.redis, self.settings):
            raise ConflictError(
                "a reindex is copying the offer index",
                message_de="Es läuft gerade eine Neuindizierung; bitte danach erneut starten.",
            )

    @contextmanager
    def _writer_lock(self, source_id: str) -> Iterator[None]:
        """Hold the source's writer lock (its syncs hold it too); like every writer, check the
        reindex flag only once the lock is taken."""
        lock = self.redis.lock(
            writer_lock_name(self.settings, source_id),
            timeout=LOCK_SECONDS,
            blocking_timeout=LOCK_WAIT_SECONDS,
        )
        if not lock.acquire():
            raise ConflictError(
                f"writer lock of {source_id} still held after {LOCK_WAIT_SECONDS} s",
                message_de="Eine Synchronisierung der Quelle ist nicht fertig geworden.",
            )
        try:
            self._refuse_during_reindex()
            yield
        finally:
            if lock.owned():
                lock.release()


def _renormalise_one(settings: Settings, source_id: str, force: bool) -> RenormaliseResult:
    """One source re-normalised in a process of the pool (its own engine and Redis clients,
    its log lines where the hub's go)."""
    configure_logging(settings)
    return Renormaliser(settings).run(source_id, force=force)


def _connector_of_kind(kind: str, source: Source, fetcher: SafeFetcher) -> Connector[Any] | None:
    connector = connector_for(source, fetcher)
    if connector.kind != kind:
        connector = push_connector_for(source, fetcher)
    return connector if connector.kind == kind else None


def _pages(entries: Iterator[RawEntry], size: int) -> Iterator[list[RawEntry]]:
    while page := list(islice(entries, size)):
        yield page
