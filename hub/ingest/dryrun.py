"""A dry run of a connector: fetch and normalise without writing anything.

Used by `hub connector check` and the registration flow, so a municipality sees the offers
and every rejection with its reason before its feed goes live. It goes through the same
`Ingest` as a sync, with a sink that keeps the offers instead of indexing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from connectors.sdk.base import Cursor, RawRecord, SourceContext
from hub.core.fetcher import SafeFetcher
from hub.core.schema import Offer, Rejection
from hub.core.settings import Settings
from hub.ingest.build import connector_of_kind
from hub.ingest.ingest import Ingest, PreviewSink
from hub.sources.runs import SyncRun


@dataclass
class DryRunReport:
    """What a feed would yield: offers, rejections and the counts."""

    kind: str
    seen: int = 0
    offers: list[Offer] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    truncated: bool = False


def dry_run(
    settings: Settings,
    kind: str,
    config: dict[str, Any],
    *,
    source_id: str = "check",
    ags: tuple[str, ...] = (),
    limit: int = 500,
) -> DryRunReport:
    """Run `kind` over `config` through the safe fetcher; raises fetch errors as they come."""
    fetcher = SafeFetcher(settings)
    report = DryRunReport(kind=kind)
    try:
        context = SourceContext(source_id=source_id, ags=ags)
        connector = connector_of_kind(kind, config, fetcher, context)
        sink = PreviewSink()
        run = SyncRun(source_id=source_id, trigger="dry_run", mode="dry_run")
        ingest = Ingest.start(settings, connector, sink, run)
        for raw in _limited(connector.fetch(Cursor()), limit, report):
            ingest.take(raw)
        ingest.finish()
    finally:
        fetcher.close()
    report.seen, report.offers, report.rejections = run.counts.seen, sink.offers, run.rejections
    return report


def _limited(records: Iterator[RawRecord], limit: int, report: DryRunReport) -> Iterator[RawRecord]:
    for count, raw in enumerate(records):
        if count >= limit:
            report.truncated = True
            return
        yield raw
