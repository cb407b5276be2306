"""Fills a mapped record's missing fields from its page and names what it filled.

Explicit structured fields (and hints a connector resolved) always win: a field is extracted
only where the record has no value of its own. The names of the filled schema fields go to
`extracted`, so the municipality's reports can say "aus dem Text erkannt".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from hub.ingest.extract.ages import extract_age
from hub.ingest.extract.contact import extract_contact
from hub.ingest.extract.cost import extract_cost
from hub.ingest.extract.dates import extract_dates
from hub.ingest.extract.flags import extract_modes, extract_registration
from hub.ingest.extract.kinds import extract_audiences, extract_kind
from hub.ingest.extract.languages import extract_languages
from hub.ingest.extract.locations import extract_locations
from hub.ingest.extract.page import Page, page_of


def extract_into(
    data: dict[str, Any],
    area_ags: Sequence[str] = (),
    now: datetime | None = None,
    page: Page | None = None,
) -> list[str]:
    """Fill what `data` lacks from its title, summary, description and categories (in place);
    return the names of the fields filled, also stored as `data["extracted"]`. `page` is the
    record's page when the caller has read it already."""
    page = page or page_of(data)
    filled: list[str] = []
    _ages(data, page, filled)
    _cost(data, page, filled)
    if not data.get("languages"):
        _simple(data, "languages", extract_languages(page) or None, filled)
    if data.get("registration_required") is None:
        _simple(data, "registration_required", extract_registration(page), filled)
    if "online" not in data:
        modes = extract_modes(page)
        _simple(data, "online", True if modes and modes.online else None, filled)
    if not data.get("kind"):
        _simple(data, "kind", extract_kind(page), filled)
    if not data.get("audiences"):
        _simple(data, "audiences", extract_audiences(page) or None, filled)
    if not data.get("locations"):
        _simple(data, "locations", extract_locations(page, area_ags) or None, filled)
    _contact(data, page, filled)
    _dates(data, page, now or datetime.now(UTC), filled)
    data["extracted"] = filled
    return filled


def _ages(data: dict[str, Any], page: Page, filled: list[str]) -> None:
    given = ("age_min_months", "age_max_months")
    if any(data.get(k) is not None for k in given) or data.get("pregnancy"):
        return
    age = extract_age(page)
    if age is None:
        return
    if age.min_months is not None or age.max_months is not None:
        data["age_min_months"], data["age_max_months"] = age.min_months, age.max_months
        filled.extend(given)
    if age.pregnancy:
        data["pregnancy"] = True
        filled.append("pregnancy")


def _cost(data: dict[str, Any], page: Page, filled: list[str]) -> None:
    if data.get("cost") not in (None, "", "unknown"):
        return
    cost = extract_cost(page)
    if cost is None:
        return
    data["cost"] = cost.cost
    filled.append("cost")
    if cost.note and not data.get("cost_note"):
        data["cost_note"] = cost.note[:500]
        filled.append("cost_note")


def _contact(data: dict[str, Any], page: Page, filled: list[str]) -> None:
    provider = data.get("provider")
    if provider is not None and not isinstance(provider, dict):
        return  # left to validation
    provider = dict(provider or {})
    if provider.get("phone") and provider.get("email"):
        return
    contact = extract_contact(page)
    if contact is None:
        return
    added = [k for k in ("name", "phone", "email") if getattr(contact, k) and not provider.get(k)]
    provider.update({key: getattr(contact, key) for key in added})
    if added and not provider.get("name") and (venue := _venue_name(data)):
        # A contact without a named provider: the page presents the offer at this venue's
        # organisation ("Ort: Familienzentrum …, Kontakt: 0221 …"); say it was read, not given.
        provider["name"] = venue
        added.append("name")
    if provider.get("name"):  # the schema's provider needs a name: without one, nothing is kept
        data["provider"] = provider
        filled.extend(f"provider.{key}" for key in added)


def _venue_name(data: dict[str, Any]) -> str | None:
    """The name of the offer's first location, if it has one."""
    locations = data.get("locations")
    first = locations[0] if isinstance(locations, list) and locations else None
    name = str(first.get("name") or "").strip() if isinstance(first, dict) else ""
    return name[:300] or None


def _dates(data: dict[str, Any], page: Page, now: datetime, filled: list[str]) -> None:
    if data.get("dates") or data.get("recurrence_text"):
        return  # a source that words its schedule itself (opening hours) chose to give no dates
    found = extract_dates(page, now)
    if found is None:
        return
    if found.sessions:
        data["dates"] = found.sessions
        filled.append("dates")
    if found.recurrence_text:
        data["recurrence_text"] = found.recurrence_text
        filled.append("recurrence_text")


def _simple(data: dict[str, Any], key: str, value: Any, filled: list[str]) -> None:
    if value is not None:
        data[key] = value
        filled.append(key)
