"""One run's ingestion: raw records in, offers written in bounded batches, counts kept.

Polls, pushed events and the dry run all hand their records to an `Ingest`; only the sink
differs (the live index, or a preview that keeps the offers). Geocoding, rejections and the
order of upserts and deletes are therefore the same on every path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from connectors.sdk.base import Connector, Cursor, RawRecord
from hub.core.schema import Offer, offer_id
from hub.core.settings import Settings
from hub.ingest.normalise.geocoder import Geocoder, geocoder_from_settings
from hub.ingest.normalise.offer_filter import NOT_AN_OFFER
from hub.ingest.pipeline import process_record
from hub.search.writer import WriteResult
from hub.sources.runs import SyncRun


class OfferSink(Protocol):
    """Where an ingest puts offers: the live index (`OfferWriter`) or a preview."""

    def write(self, offers: Sequence[Offer], chunk_size: int = 250) -> WriteResult: ...

    def delete_versioned(
        self, doc_id: str, source_id: str, deleted_at: datetime
    ) -> WriteResult: ...

    def refresh(self) -> None: ...


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
    ) -> None:
        self.connector, self.sink, self.run, self.batch_size = connector, sink, run, batch_size
        self.geocoder = geocoder
        self.source_id = connector.context.source_id
        self.seen: set[str] = set()
        self.batch: list[Offer] = []
        self.complete = True

    @classmethod
    def start(
        cls, settings: Settings, connector: Connector[Any], sink: OfferSink, run: SyncRun
    ) -> Ingest:
        """An ingest with the hub's batch size and geocoder (if one is configured)."""
        geocoder = geocoder_from_settings(settings, connector.fetcher)
        return cls(connector, sink, run, batch_size=settings.sync_batch_size, geocoder=geocoder)

    def take_all(self, records: Iterator[RawRecord]) -> Cursor:
        """Take every record of a fetch generator; return the cursor it finished with."""
        while True:
            try:
                self.take(next(records))
            except StopIteration as stop:
                value = stop.value
                return value if isinstance(value, Cursor) else Cursor()

    def take(self, raw: RawRecord) -> None:
        """Count, normalise and queue one record; a deletion goes out at once, in order."""
        self.run.counts.seen += 1
        doc_id = offer_id(self.source_id, raw.local_id) if raw.local_id else None
        if doc_id:
            self.seen.add(doc_id)
        if raw.deleted:
            if doc_id:
                self.flush()  # an earlier upsert of the same record in this batch goes first
                deleted_at = raw.updated_at or datetime.now(UTC)
                outcome = self.sink.delete_versioned(doc_id, self.source_id, deleted_at)
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
            if doc_id and result.rejection.code == NOT_AN_OFFER:
                # Not seen as an offer: indexed before (an imprint, a record the municipality
                # excluded), it leaves the index through the deletion rules of a complete run,
                # mass-delete guard included, never by an unguarded delete here.
                self.seen.discard(doc_id)

    def flush(self) -> None:
        """Write the queued offers; refused items mark the run incomplete (it deletes nothing)."""
        if not self.batch:
            return
        result = self.sink.write(self.batch, chunk_size=self.batch_size)
        self.batch = []
        counts = self.run.counts
        counts.created += result.created
        counts.updated += result.updated
        counts.unchanged += result.unchanged
        counts.stale += result.stale
        counts.deleted += result.deleted
        for doc_id, reason in result.failed:
            self.complete = False
            self.run.errors.append({"code": "write_failed", "id": doc_id, "message": reason})

    def finish(self) -> None:
        """Write what is queued and make it visible to search."""
        self.flush()
        self.sink.refresh()
