"""Freshness of offers: which ones their source has not updated for `HUB_STALE_AFTER_DAYS`
(by the source's own `updated_at`), and how long ago an offer was updated, said in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import format_timedelta

from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS

STALE_FIELDS = ["id", "source_id", "title", "url", "updated_at"]


def stale_before(settings: Settings, now: datetime | None = None) -> datetime:
    """Offers updated before this moment are stale."""
    return (now or datetime.now(UTC)) - timedelta(days=settings.stale_after_days)


def parse_moment(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_stale(
    settings: Settings, updated_at: datetime | str | None, now: datetime | None = None
) -> bool:
    """Whether an offer updated at `updated_at` counts as stale (unknown: not stale)."""
    if not updated_at:
        return False
    return parse_moment(updated_at) < stale_before(settings, now)


def updated_ago(updated_at: datetime | str, lang: str, now: datetime | None = None) -> str:
    """ "vor 2 Jahren", "3 days ago": how long ago, in the page's language (babel/CLDR)."""
    delta = parse_moment(updated_at) - (now or datetime.now(UTC))
    if delta > -timedelta(seconds=1):  # a source clock ahead of ours: never "in 2 hours"
        delta = -timedelta(seconds=1)
    return format_timedelta(delta, add_direction=True, locale=lang, threshold=1.1)


def stale_offers(
    engine: SearchEngine, source_id: str, before: datetime, size: int = 1000
) -> list[dict[str, Any]]:
    """The source's offers updated before `before`, oldest first (id, title, url, updated_at)."""
    body = {
        "size": size,
        "_source": STALE_FIELDS,
        "query": {
            "bool": {
                "filter": [
                    {"term": {"source_id": source_id}},
                    {"range": {"updated_at": {"lt": before.isoformat()}}},
                ]
            }
        },
        "sort": [{"updated_at": "asc"}, {"id": "asc"}],
    }
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    return [dict(hit["_source"]) for hit in hits]
