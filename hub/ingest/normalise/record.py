"""One mapped record → a validated `Offer`, or a `Rejection` with a German reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from connectors.sdk.filters import OfferFilters
from hub.core.errors import RecordError
from hub.core.places import enrich_location
from hub.core.schema import Offer, Rejection, offer_id, rejection_from_error
from hub.core.text import html_to_text
from hub.core.vocab import vocabulary
from hub.ingest.extract.fill import extract_into
from hub.ingest.extract.page import Page, page_of
from hub.ingest.normalise.geocoder import Geocoder, geocode_location
from hub.ingest.normalise.hints import resolve_hints
from hub.ingest.normalise.offer_filter import (
    NOT_AN_OFFER,
    not_an_offer_reason,
    record_categories,
)

TEXT_FIELDS = ("title", "summary", "description", "cost_note", "recurrence_text")


@dataclass(frozen=True)
class NormaliseResult:
    """Exactly one of `offer` and `rejection` is set."""

    local_id: str | None
    offer: Offer | None = None
    rejection: Rejection | None = None


def normalise_record(
    source_id: str,
    local_id: str | None,
    mapped: Mapping[str, Any],
    *,
    source_ags: Sequence[str] = (),
    topic_overrides: Mapping[str, str] | None = None,
    source_url: str | None = None,
    geocoder: Geocoder | None = None,
    offer_filters: OfferFilters | None = None,
    now: datetime | None = None,
) -> NormaliseResult:
    """Reject what is no offer, then sanitise text, resolve hints, complete locations and
    validate against the schema.

    `offer_filters` are the source's own corrections (see `connectors.sdk.filters`).
    `geocoder` (optional, see `hub.ingest.normalise.geocoder`) places street addresses exactly;
    without it locations get the gazetteer's postcode or town centre. `now` (default: the
    clock) anchors dates read from the text: year-less dates and the window of open rules.
    """
    if not local_id:
        return NormaliseResult(None, rejection=_missing_id(source_id, source_url))
    try:
        page = page_of(mapped)  # parsed once: the noise check and extraction both read it
        _reject_if_no_offer(local_id, mapped, offer_filters, source_url, page)
        data = _prepare(dict(mapped), source_ags, topic_overrides or {}, geocoder, now, page)
    except RecordError as exc:
        rejection = Rejection(
            source_id=source_id,
            local_id=local_id,
            code=exc.code,
            message=exc.message,
            message_de=exc.message_de,
            source_url=source_url,
            categories=record_categories(mapped),
        )
        return NormaliseResult(local_id, rejection=rejection)
    data.update(id=offer_id(source_id, local_id), source_id=source_id, local_id=local_id)
    try:
        return NormaliseResult(local_id, offer=Offer.model_validate(data))
    except ValidationError as exc:
        return NormaliseResult(
            local_id, rejection=rejection_from_error(source_id, local_id, exc, source_url)
        )


def _reject_if_no_offer(
    local_id: str,
    mapped: Mapping[str, Any],
    filters: OfferFilters | None,
    source_url: str | None,
    page: Page,
) -> None:
    """Raise the `not_an_offer` rejection for imprints, job ads, … and filtered records."""
    reason = not_an_offer_reason(local_id, mapped, filters, source_url, page)
    if reason:
        raise RecordError("record is not an offer", code=NOT_AN_OFFER, message_de=reason)


def _prepare(
    data: dict[str, Any],
    source_ags: Sequence[str],
    overrides: Mapping[str, str],
    geocoder: Geocoder | None = None,
    now: datetime | None = None,
    page: Page | None = None,
) -> dict[str, Any]:
    resolve_hints(data)
    extract_into(data, source_ags, now, page)  # before the HTML goes: lists, tables, labels help it
    for name in TEXT_FIELDS:
        if isinstance(data.get(name), str):
            data[name] = html_to_text(data[name])
    if isinstance(data.get("locations"), list):
        data["locations"] = [_complete_location(loc, geocoder) for loc in data["locations"]]
    categories = [str(c) for c in data.get("categories") or [] if str(c).strip()]
    data["categories"] = categories
    if not data.get("topics") and categories:
        data["topics"] = categories_to_topics(categories, overrides)
    if not data.get("area_ags") and source_ags:
        data["area_ags"] = list(source_ags)
    return data


def _complete_location(loc: Any, geocoder: Geocoder | None) -> Any:
    """Geocoder point when configured, then gazetteer keys; non-mappings are left to validation."""
    if not isinstance(loc, Mapping):
        return loc
    return enrich_location(geocode_location(dict(loc), geocoder))


def categories_to_topics(categories: Sequence[str], overrides: Mapping[str, str]) -> list[str]:
    """Topics for free-text CMS categories: per-source overrides first, then vocab synonyms."""
    topics: list[str] = []
    vocab = vocabulary("topics")
    for category in categories:
        override = overrides.get(category)
        topics.extend([override] if override else vocab.match(category))
    return list(dict.fromkeys(topics))


def _missing_id(source_id: str, source_url: str | None) -> Rejection:
    return Rejection(
        source_id=source_id,
        local_id=None,
        code="missing_local_id",
        field="local_id",
        message="record has no local id",
        message_de="Der Datensatz hat keine Kennung (ID) und kann nicht zugeordnet werden.",
        source_url=source_url,
    )
