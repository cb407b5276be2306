"""Small German wording helpers for the municipality's pages (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.core.schema import Offer

STATE_DE = {
    "pending": "wartet auf die erste Synchronisierung",
    "active": "aktiv",
    "paused": "pausiert",
    "failing": "gestört",
}
RUN_STATUS_DE = {
    "running": "läuft",
    "succeeded": "erfolgreich",
    "failed": "fehlgeschlagen",
    "not_modified": "unverändert",
}
COST_DE = {"free": "kostenlos", "reduced": "ermäßigt", "paid": "kostenpflichtig", "unknown": "—"}


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """`vor 5 Minuten`, `vor 3 Stunden`, `vor 2 Tagen`; `noch nie` without a moment."""
    if moment is None:
        return "noch nie"
    seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
    for size, one, many in (
        (86400, "Tag", "Tagen"),
        (3600, "Stunde", "Stunden"),
        (60, "Minute", "Minuten"),
    ):
        if seconds >= size:
            count = seconds // size
            return f"vor {count} {one if count == 1 else many}"
    return "gerade eben"


def age_text(offer: Offer) -> str:
    parts = ["Schwangerschaft"] if offer.pregnancy else []
    low, high = offer.age_min_months, offer.age_max_months
    if low is not None or high is not None:
        parts.append(f"{low if low is not None else 0}–{high if high is not None else '…'} Monate")
    return ", ".join(parts) or "—"


def offer_row(offer: Offer) -> dict[str, Any]:
    """The extracted fields of a previewed offer, as the dry-run report shows them."""
    places = sorted({loc.city for loc in offer.locations if loc.city})
    return {
        "title": offer.title,
        "url": str(offer.url),
        "local_id": offer.local_id,
        "kind": offer.kind,
        "topics": ", ".join(offer.topics) or "—",
        "age": age_text(offer),
        "cost": COST_DE.get(offer.cost, offer.cost),
        "places": ", ".join(places) or ("online" if offer.online else "—"),
        "dates": len(offer.dates),
        "extracted": ", ".join(offer.extracted) or "—",
    }


def lines(text: str) -> list[str]:
    """Entries of a textarea: one per line or comma-separated, empty ones dropped."""
    parts = (p.strip() for line in text.splitlines() for p in line.split(","))
    return list(dict.fromkeys(p for p in parts if p))
