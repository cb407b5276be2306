"""Is a mapped record an offer? The source's own filters first, then the noise detection.

Both the sync and `hub connector check` decide here (through `normalise_record`), so the
municipality sees in the dry run exactly which records a sync would reject and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connectors.sdk.filters import OfferFilters
from hub.core.vocab import fold
from hub.ingest.extract.noise import noise_reason
from hub.ingest.extract.page import Page, page_of

NOT_AN_OFFER = "not_an_offer"
PREFIX_DE = "Kein Angebot für Familien: "


def not_an_offer_reason(
    local_id: str,
    mapped: Mapping[str, Any],
    filters: OfferFilters | None = None,
    source_url: str | None = None,
    page: Page | None = None,
) -> str | None:
    """The German reason why the record is no offer, or None if it is one (`page`: the
    record's page when the caller has read it already)."""
    filters = filters or OfferFilters()
    if local_id in filters.offers:
        return None
    if local_id in filters.not_offers:
        return PREFIX_DE + "von der Kommune als „kein Angebot“ markiert"
    categories = record_categories(mapped)
    excluded = _first_in(categories, filters.exclude_categories)
    if excluded:
        return PREFIX_DE + f"Kategorie „{excluded}“ ist ausgeschlossen"
    if filters.include_categories:
        if _first_in(categories, filters.include_categories):
            return None
        return PREFIX_DE + "in keiner der einbezogenen Kategorien"
    reason = noise_reason(page or page_of(mapped), _str(mapped.get("url")) or source_url)
    return PREFIX_DE + reason if reason else None


def record_categories(mapped: Mapping[str, Any]) -> list[str]:
    """The record's own category and tag names, as the connector mapped them."""
    raw = mapped.get("categories")
    values: Iterable[Any] = raw if isinstance(raw, list | tuple) else ([raw] if raw else [])
    return [str(c).strip() for c in values if str(c).strip()]


def _first_in(categories: Iterable[str], names: Iterable[str]) -> str | None:
    """The first of `categories` named in `names` (case and umlaut spelling ignored)."""
    wanted = {fold(name) for name in names}
    return next((c for c in categories if fold(c) in wanted), None)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
