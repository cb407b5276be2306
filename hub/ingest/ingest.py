"""One run's ingestion: raw records in, offers written in bounded batches, counts kept.

Polls, pushed events and the dry run all hand their records to an `Ingest`; only the sink
differs (the live index, or a preview that keeps the offers). Geocoding, rejections and the
order of upserts and deletes are therefore the same on every path.

Records are taken in batches: one lookup of the batch's kept payloads (`hub-raw`) tells which
records arrive exactly as last indexed (same payload, normaliser and config); those skip
normalisation and count as unchanged, the others are normalised, written, and their payloads
kept for `hub index reindex --renormalise`. A run that holds a page memo
(`connectors.sdk.pagememo`) tells it which records came from which page and which of them are
indexed as delivered; the pages it skipped count as seen and unchanged at the end.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog

from connectors.sdk.base import Connector, Cursor, RawRecord
from connectors.sdk.pagememo import PageMemo
from hub.core.schema import Offer, offer_id
from hub.core.settings import Settings
from hub.ingest.normalise.geocoder import Geocoder, geocoder_from_settings
from hub.ingest.normalise.offer_filter import NOT_AN_OFFER
from hub.ingest.payloads import config_fingerprint, normaliser_state, raw_entry, raw_hash
from hub.ingest.pipeline import process_record
from hub.search.raw import RawEntry
from hub.search.writer import WriteResult
from hub.sources.runs import SyncRun

log = structlog.get_logger(__name__)
State = tuple[str, str, str]


class OfferSink(Protocol):
    """Where an ingest puts offers and their raw payloads: the live index (`OfferWriter`) or
    a preview."""

    def write(self, offers: Sequence[Offer], chunk_size: int = 250) -> WriteResult: ...

    def delete_versioned(
        self, doc_id: str, source_id: str, deleted_at: datetime
    ) -> WriteResult: ...

    def refresh(self) -> None: ...

    def raw_states(self, ids: Sequence[str]) -> dict[str, State]: ...

    def keep_raw(self, entries: Sequence[RawEntry], chunk_size: int = 250) -> list[str]: ...


class PreviewSink:
    """Keeps the offers a run would write and writes nothing (the dry run)."""

    def __init__(self) -> None:
        self.offers: list[Offer] = []

    def write(self, offers: Sequence[Offer], chunk_size: int = 250) -> WriteResult:
        self.offers.extend(offers)
        return WriteResult(created=len(offers))

    def delete_versioned(self, doc_id: str, source_id: str, deleted_at: datetime) -> WriteResult:
        return WriteResult()

    def refresh(self) -> None:
        return None

    def raw_states(self, ids: Sequence[str]) -> dict[str, State]:
        return {}  # nothing is kept, so every record is normalised

    def keep_raw(self, entries: Sequence[RawEntry], chunk_size: int = 250) -> list[str]:
        return []


class Ingest:
    """Takes raw records of one connector; writes in batches while the fetch goes on."""

    def __init__(
        self,
        connector: Connector[Any],
        sink: OfferSink,
        run: SyncRun,
        *,
        batch_size: int,
        geocoder: Geocoder | None = None,
        skip_unchanged: bool = True,
        pages: PageMemo | None = None,
    ) -> None:
        self.connector, self.sink, self.run, self.batch_size = connector, sink, run, batch_size
        self.geocoder, self.skip_unchanged, self.pages = geocoder, skip_unchanged, pages
        self.settled: set[str] = set()  # offer ids indexed as delivered (kept only with pages)
        self.changed = False  # something was written or deleted: the index needs a refresh
        self.source_id = connector.context.source_id
        self.seen: set[str] = set()
        self.pending: list[RawRecord] = []
        self.complete = True
        self.normaliser = normaliser_state()
        self.fingerprint = config_fingerprint(connector)
        self.normalised = 0  # records that went through the normaliser (not skipped)

    @classmethod
    def start(
        cls,
        settings: Settings,
        connector: Connector[Any],
        sink: OfferSink,
        run: SyncRun,
        *,
        skip_unchanged: bool = True,
        pages: PageMemo | None = None,
    ) -> Ingest:
        """An ingest with the hub's batch size and geocoder (if one is configured)."""
        geocoder = geocoder_from_settings(settings, connector.fetcher)
        return cls(
            connector, sink, run, batch_size=settings.sync_batch_size, geocoder=geocoder,
            skip_unchanged=skip_unchanged, pages=pages,
        )  # fmt: skip

    def take_all(self, records: Iterator[RawRecord]) -> Cursor:
        """Take every record of a fetch generator; return the cursor it finished with."""
        while True:
            try:
                self.take(next(records))
            except StopIteration as stop:
                value = stop.value
                return value if isinstance(value, Cursor) else Cursor()

    def take(self, raw: RawRecord) -> None:
        """Count and queue one record; a deletion goes out at once, in order."""
        self.run.counts.seen += 1
        doc_id = offer_id(self.source_id, raw.local_id) if raw.local_id else None
        if doc_id:
            self.seen.add(doc_id)  # a record skipped as unchanged is seen all the same
        if self.pages:
            self.pages.took(doc_id)
        if raw.deleted:
            if self.pages:
                self.pages.spoil()
            if doc_id:
                self.flush()  # an earlier upsert of the same record in this batch goes first
                deleted_at = raw.updated_at or datetime.now(UTC)
                outcome = self.sink.delete_versioned(doc_id, self.source_id, deleted_at)
                self.run.counts.deleted += outcome.deleted
                self.run.counts.stale += outcome.stale
                self.changed = self.changed or outcome.deleted > 0
            return
        self.pending.append(raw)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Normalise the queued records whose state changed, write their offers, keep their
        payloads; refused items mark the run incomplete (it deletes nothing)."""
        if not self.pending:
            return
        records, self.pending = self.pending, []
        ids = [offer_id(self.source_id, raw.local_id) for raw in records if raw.local_id]
        kept = self.sink.raw_states(ids) if self.skip_unchanged else {}
        chosen: dict[str, tuple[Offer, RawEntry]] = {}
        for raw in records:
            state = (raw_hash(raw), self.normaliser, self.fingerprint)
            doc_id = offer_id(self.source_id, raw.local_id) if raw.local_id else None
            if doc_id and kept.get(doc_id) == state:
                self.run.counts.unchanged += 1
                if self.pages:
                    self.settled.add(doc_id)
                continue
            offer = self._normalise(raw)
            earlier = chosen.get(offer.id) if offer else None
            if offer and (earlier is None or offer.updated_at >= earlier[0].updated_at):
                chosen[offer.id] = (offer, raw_entry(self.connector, raw, offer.id, state))
        self._write(list(chosen.values()))

    def _normalise(self, raw: RawRecord) -> Offer | None:
        self.normalised += 1
        result = process_record(self.connector, raw, self.geocoder)
        if result.rejection is not None:
            self.run.reject(result.rejection)
            if raw.local_id and result.rejection.code == NOT_AN_OFFER:
                # Not seen as an offer: indexed before (an imprint, a record the municipality
                # excluded), it leaves the index through the deletion rules of a complete run,
                # mass-delete guard included, never by an unguarded delete here.
                self.seen.discard(offer_id(self.source_id, raw.local_id))
        return result.offer

    def _write(self, chosen: list[tuple[Offer, RawEntry]]) -> None:
        if not chosen:
            return
        result = self.sink.write([offer for offer, _ in chosen], chunk_size=self.batch_size)
        counts = self.run.counts
        counts.created += result.created
        counts.updated += result.updated
        counts.unchanged += result.unchanged
        counts.stale += result.stale
        counts.deleted += result.deleted
        self.changed = self.changed or bool(result.created or result.updated or result.deleted)
        for doc_id, reason in result.failed:
            self.complete = False
            self.run.errors.append({"code": "write_failed", "id": doc_id, "message": reason})
        settled = set(result.settled)
        if self.pages:
            self.settled |= settled
        entries = [entry for offer, entry in chosen if offer.id in settled]
        if refused := self.sink.keep_raw(entries, chunk_size=self.batch_size):
            log.warning("ingest.raw_not_kept", source_id=self.source_id, ids=refused[:5])

    def finish(self) -> None:
        """Write what is queued, count the skipped pages' records, and make the writes
        visible to search (a run that wrote nothing needs no refresh)."""
        self.flush()
        if self.pages and self.pages.skipped:
            skipped = self.pages.skipped_ids()
            self.seen.update(skipped)
            self.run.counts.seen += len(skipped)
            self.run.counts.unchanged += len(skipped)
            self.run.counts.skipped_unchanged_pages += len(self.pages.skipped)
        if self.changed:
            self.sink.refresh()
