"""Plumbing the connector tests share: drain a fetch, a fetcher for 127.0.0.1, normalise.

`normalise_all` runs every record through `hub.ingest.pipeline.process_record`, the path a real sync
takes (to_offer, then normalise_record with the source's AGS, topic overrides and the record's
source URL; a `RecordError` from either step becomes a rejection). It also runs the record's
kept payload (as `hub-raw` stores it: JSON) through it again and asserts the same outcome, so
every connector's golden cases prove that `hub index reindex --renormalise` rebuilds their
offers without the source.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from connectors.sdk.base import Connector, Cursor, FetchGenerator, RawRecord
from hub.core.fetcher import SafeFetcher
from hub.core.schema import Rejection
from hub.core.settings import Settings
from hub.ingest.normalise import NormaliseResult
from hub.ingest.payloads import raw_entry, raw_record
from hub.ingest.pipeline import process_record

EXTRACTION_NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
"""The clock extraction reads dates from in golden tests, so open rules expand the same way."""
VOLATILE = frozenset({"next_date", "content_hash"})
"""Document fields that change with the clock or the code, left out of golden files."""


def drain(generator: FetchGenerator) -> tuple[list[RawRecord], Cursor]:
    """Every record a fetch generator yields, and the cursor it returns."""
    records: list[RawRecord] = []
    while True:
        try:
            records.append(next(generator))
        except StopIteration as stop:
            return records, stop.value


def run(connector: Connector[Any], cursor: Cursor | None = None) -> tuple[list[RawRecord], Cursor]:
    """Fetch from `cursor` (a full fetch without one) and drain it."""
    return drain(connector.fetch(cursor or Cursor()))


def local_fetcher(**settings_overrides: Any) -> SafeFetcher:
    """A SafeFetcher with test settings that allow the test servers on 127.0.0.1.

    (Not named `test_fetcher`: pytest would collect it as a test in every module importing it.)
    """
    settings = {"environment": "test", "fetch_allow_hosts": ["127.0.0.1"], **settings_overrides}
    return SafeFetcher(Settings(**settings))


def normalise_all(
    connector: Connector[Any],
    records: Iterable[RawRecord],
    *,
    volatile: Iterable[str] = VOLATILE,
    skip_deleted: bool = False,
    strict: bool = False,
) -> tuple[list[dict[str, Any]], list[Rejection]]:
    """Offers as documents without the `volatile` fields, and the rejections, in record order.

    `skip_deleted` passes over tombstones; `strict` fails the test on any rejection.
    """
    left_out = set(volatile)
    offers: list[dict[str, Any]] = []
    rejections: list[Rejection] = []
    for record in records:
        if skip_deleted and record.deleted:
            continue
        result = process_record(connector, record, now=EXTRACTION_NOW)
        assert_kept_payload_renormalises(connector, record, result)
        if result.offer is not None:
            document = result.offer.document()
            offers.append({k: v for k, v in document.items() if k not in left_out})
        else:
            assert result.rejection is not None
            assert not strict, result.rejection
            rejections.append(result.rejection)
    return offers, rejections


def assert_kept_payload_renormalises(
    connector: Connector[Any], record: RawRecord, result: NormaliseResult
) -> None:
    """The record's payload as kept in `hub-raw` gives the same offer or rejection again."""
    kept = raw_entry(connector, record, "id", ("hash", "normaliser", "config"))
    again = process_record(connector, raw_record(kept), now=EXTRACTION_NOW)
    assert (again.offer is None) == (result.offer is None), record.local_id
    if result.offer is not None and again.offer is not None:
        assert again.offer.document() == result.offer.document(), record.local_id
    elif result.rejection is not None and again.rejection is not None:
        assert again.rejection.code == result.rejection.code, record.local_id


def rejected_codes(rejections: Sequence[Rejection]) -> dict[str, str]:
    """Rejections as local id → code (a record without an id under "")."""
    return {r.local_id or "": r.code for r in rejections}


def accepted_offers(
    connector: Connector[Any], records: Iterable[RawRecord]
) -> list[dict[str, Any]]:
    """Offers as documents without volatile fields; any rejection fails the test."""
    return normalise_all(connector, records, strict=True)[0]


def normalise_by_id(
    connector: Connector[Any], records: Iterable[RawRecord], *, skip_deleted: bool = False
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Offers as documents without volatile fields, and rejections as local id → code."""
    offers, rejections = normalise_all(connector, records, skip_deleted=skip_deleted)
    return offers, rejected_codes(rejections)


def outcome(connector: Connector[Any], records: Iterable[RawRecord]) -> dict[str, Any]:
    """Offers and rejections as the json_feed, xml_feed and spreadsheet golden files hold them."""
    offers, rejections = normalise_all(connector, records)
    rejected = [
        {"local_id": r.local_id, "code": r.code, "field": r.field, "message_de": r.message_de}
        for r in rejections
    ]
    return {"offers": offers, "rejected": rejected}
