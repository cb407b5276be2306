"""A dry run of a connector: fetch and normalise without writing anything.

Used by `hub connector check` and the registration flow, so a municipality sees the offers
and every rejection with its reason before its feed goes live.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from connectors.base import Cursor, RawRecord, SourceContext
from connectors.fetcher import SafeFetcher
from connectors.registry import connector_class
from hub.errors import ConfigError
from hub.normalise.geocoder import Geocoder, geocoder_from_settings
from hub.pipeline import process_record
from hub.schema import Offer, Rejection
from hub.settings import Settings


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
    cls = connector_class(kind)
    try:
        parsed = cls.parse_config(config)
    except ValueError as exc:
        raise ConfigError(
            f"invalid config: {exc}", message_de=f"Ungültige Einstellungen: {exc}"
        ) from exc
    fetcher = SafeFetcher(settings)
    report = DryRunReport(kind=kind)
    try:
        connector = cls(parsed, fetcher, SourceContext(source_id=source_id, ags=ags))
        geocoder = geocoder_from_settings(settings, fetcher)
        for raw in _limited(connector.fetch(Cursor()), limit, report):
            _take(connector, raw, report, geocoder)
    finally:
        fetcher.close()
    return report


def _limited(records: Iterator[RawRecord], limit: int, report: DryRunReport) -> Iterator[RawRecord]:
    for raw in records:
        if report.seen >= limit:
            report.truncated = True
            return
        report.seen += 1
        yield raw


def _take(connector: Any, raw: RawRecord, report: DryRunReport, geocoder: Geocoder | None) -> None:
    if raw.deleted:
        return
    result = process_record(connector, raw, geocoder)
    if result.offer is not None:
        report.offers.append(result.offer)
    elif result.rejection is not None:
        report.rejections.append(result.rejection)
