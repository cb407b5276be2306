"""What parents and time say about an organisation's offers, for the municipality's page: the
parents' reports ("Fehler melden", new first) and the offers not updated for
`HUB_STALE_AFTER_DAYS`, as rows the German templates show."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from hub.core.errors import NotFound
from hub.core.settings import Settings
from hub.notify.freshness import parse_moment, stale_before, stale_offers, updated_ago
from hub.notify.reports import Report, ReportStatus, ReportStore
from hub.search.engine import SearchEngine
from hub.sources.store import Source

REPORTS_SHOWN = 200
STALE_SHOWN = 200


def offer_page(offer_id: str) -> str:
    """The offer's citizen page in the hub."""
    return f"/angebote/{quote(offer_id, safe=':')}"


def web_link(url: str | None) -> str | None:
    """A link into the municipality's CMS, only if it is plainly http(s)."""
    return url if url and url.startswith(("https://", "http://")) else None


def stale_threshold_de(days: int) -> str:
    """ "mehr als 12 Monaten" for 365 days, "mehr als 30 Tagen" for short thresholds."""
    if days >= 60:
        return f"mehr als {round(days / 30.4)} Monaten"
    return f"mehr als {days} {'Tag' if days == 1 else 'Tagen'}"


def report_rows(engine: SearchEngine, sources: list[Source]) -> list[dict[str, Any]]:
    """The reports on these sources' offers: new ones first, each group newest first."""
    names = {source.id: source.name or source.id for source in sources}
    reports = ReportStore(engine).for_sources(list(names), size=REPORTS_SHOWN)
    reports.sort(key=lambda report: report.status is ReportStatus.DONE)  # stable: keeps dates
    return [_report_row(report, names) for report in reports]


def _report_row(report: Report, names: dict[str, str]) -> dict[str, Any]:
    return {
        "report": report,
        "done": report.status is ReportStatus.DONE,
        "title": report.offer_title or report.offer_id,
        "source_name": names.get(report.source_id, report.source_id),
        "offer_page": offer_page(report.offer_id),
        "cms_url": web_link(report.offer_url),
        "created": report.created_at.astimezone(UTC).strftime("%d.%m.%Y %H:%M"),
        "done_at": report.done_at.astimezone(UTC).strftime("%d.%m.%Y") if report.done_at else "",
    }


def stale_rows(
    settings: Settings, engine: SearchEngine, sources: list[Source], now: datetime | None = None
) -> list[dict[str, Any]]:
    """The sources' offers not updated for the configured time, oldest first per source."""
    moment = now or datetime.now(UTC)
    before = stale_before(settings, moment)
    rows: list[dict[str, Any]] = []
    for source in sources:
        try:
            offers = stale_offers(engine, source.id, before, size=STALE_SHOWN)
        except NotFound:  # no offer index yet
            return []
        for offer in offers:
            updated = parse_moment(offer["updated_at"])
            rows.append(
                {
                    "title": offer.get("title") or offer["id"],
                    "source_name": source.name or source.id,
                    "offer_page": offer_page(str(offer["id"])),
                    "cms_url": web_link(offer.get("url")),
                    "ago": updated_ago(updated, "de", moment),
                    "updated": updated.strftime("%d.%m.%Y"),
                }
            )
    return rows[:STALE_SHOWN]


def notices_of(settings: Settings, engine: SearchEngine, sources: list[Source]) -> dict[str, Any]:
    """The template context of the blocks `parent_reports` and `stale_offers`."""
    return {
        "reports": report_rows(engine, sources),
        "stale": stale_rows(settings, engine, sources),
        "stale_threshold": stale_threshold_de(settings.stale_after_days),
    }
