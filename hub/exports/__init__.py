"""Bulk exports of indexed offers for other systems: HSDS 3.0 JSON, GeoJSON and CSV.

Every exporter takes engine documents (what `hub.search.runner.iter_offers` yields, i.e.
`Offer.document()` plus the search-only keys) and streams text chunks, so a 10 000-offer export
never sits in memory as a whole. Helpers shared by the formats live here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub.core.vocab import vocabulary

EXPORT_LIMIT = 10_000
BERLIN = ZoneInfo("Europe/Berlin")


def label(vocab: str, code: str) -> str:
    """German label of a vocabulary code; the code itself if the vocabulary no longer has it."""
    terms = vocabulary(vocab).terms
    return terms[code].label_de if code in terms else code


def labels(vocab: str, codes: list[str] | None) -> list[str]:
    return [label(vocab, code) for code in codes or []]


def street_line(location: dict[str, Any]) -> str:
    """'Hoher Weg 61, 58762 Altena' from whatever parts the location has."""
    town = " ".join(p for p in (location.get("postcode"), location.get("city")) if p)
    return ", ".join(p for p in (location.get("street"), town) if p)


def located(location: dict[str, Any]) -> bool:
    return location.get("lat") is not None and location.get("lon") is not None


def parse_datetime(value: str | None) -> datetime | None:
    """An ISO date-time from a document, in Berlin time (naive values are taken as UTC)."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo("UTC"))
    return parsed.astimezone(BERLIN)


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def next_date(doc: dict[str, Any], now: datetime | None = None) -> datetime | None:
    """The next session still to come, computed now (the indexed `next_date` may be stale)."""
    moment = now or datetime.now(BERLIN)
    upcoming = []
    for session in doc.get("dates") or []:
        start = parse_datetime(session.get("start"))
        end = parse_datetime(session.get("end")) or start
        if start is not None and end is not None and end >= moment:
            upcoming.append(start)
    return min(upcoming) if upcoming else None


def export_filename(extension: str, today: date | None = None) -> str:
    """`familienhub-angebote-2026-03-01.<extension>`: the download name with the export date."""
    day = today or datetime.now(BERLIN).date()
    return f"familienhub-angebote-{day.isoformat()}.{extension}"
