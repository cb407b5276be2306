"""Offer documents as Open Referral HSDS 3.0 `service` objects (the fully nested API shape).

HSDS ids are UUIDs, ours are `{source_id}:{local_id}`: every id here is a uuid5 of the offer id
(plus the sub-object's role), so a re-export gives the same ids and consumers can diff exports.
Field choices:
- ages: HSDS `minimum_age`/`maximum_age` are years (a person's age), ours are months, so they
  are divided by 12 (rounded to 2 decimals: 6 months → 0.5); the exact months stay readable in
  `eligibility_description`.
- topics, kind and audiences become `attributes` pointing at taxonomy terms of the hub's own
  vocabularies (one `taxonomy` per vocabulary, ids stable per code).
- sessions become `schedules` (one per date, local times with UTC offset); they sit on the
  service-at-location when the offer has exactly one place, else on the service.
- online offers get a `virtual` location with the offer's URL.
- `area_ags` become `service_areas` (extent = AGS, extent_type "text").
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from hub.core.places import gazetteer
from hub.core.text import html_to_text
from hub.core.vocab import fold, vocabulary
from hub.exports import BERLIN, label, parse_date, parse_datetime

# Never change: every exported id is derived from it.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/familienhub-nrw/hsds")
STATE = "Nordrhein-Westfalen"
COUNTRY = "DE"

TAXONOMIES: dict[str, tuple[str, str]] = {
    # vocabulary → (HSDS link_type, German name of the taxonomy)
    "topics": ("topic", "Familienhub NRW – Themen"),
    "kinds": ("kind", "Familienhub NRW – Angebotsformen"),
    "audiences": ("audience", "Familienhub NRW – Zielgruppen"),
}

LANGUAGE_NAMES_DE: dict[str, str] = {
    "de": "Deutsch",
    "en": "Englisch",
    "tr": "Türkisch",
    "ar": "Arabisch",
    "uk": "Ukrainisch",
    "ru": "Russisch",
    "pl": "Polnisch",
    "bg": "Bulgarisch",
    "ro": "Rumänisch",
    "fr": "Französisch",
    "es": "Spanisch",
    "it": "Italienisch",
    "pt": "Portugiesisch",
    "el": "Griechisch",
    "fa": "Persisch",
    "ku": "Kurdisch",
    "sq": "Albanisch",
    "sr": "Serbisch",
    "hr": "Kroatisch",
    "bs": "Bosnisch",
    "mk": "Mazedonisch",
    "nl": "Niederländisch",
    "vi": "Vietnamesisch",
    "zh": "Chinesisch",
    "ti": "Tigrinya",
    "so": "Somali",
    "ps": "Paschtu",
}


def hsds_id(role: str, key: str) -> str:
    """A stable UUID for the object playing `role` (service, location, …) under `key`."""
    return str(uuid.uuid5(NAMESPACE, f"{role}:{key}"))


def _compact(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop absent values: HSDS types are strict (a null is not a string)."""
    return {k: v for k, v in obj.items() if v is not None and v != [] and v != ""}


# --- taxonomies ---------------------------------------------------------------------------


def taxonomy(vocab: str) -> dict[str, Any]:
    """The HSDS `taxonomy` object for one of the hub's vocabularies."""
    _, name = TAXONOMIES[vocab]
    return {
        "id": hsds_id("taxonomy", vocab),
        "name": name,
        "description": f"Kontrolliertes Vokabular '{vocab}' des Familienhub NRW.",
        "version": "1",
    }


def taxonomy_term(vocab: str, code: str) -> dict[str, Any]:
    """The HSDS `taxonomy_term` of a vocabulary code (code kept, German label as name)."""
    terms = vocabulary(vocab).terms
    term = terms.get(code)
    return {
        "id": hsds_id("taxonomy_term", f"{vocab}:{code}"),
        "code": code,
        "name": term.label_de if term else code,
        "description": term.label_en if term else code,
        "taxonomy": TAXONOMIES[vocab][1],
        "taxonomy_id": hsds_id("taxonomy", vocab),
        "taxonomy_detail": taxonomy(vocab),
        "language": "de",
    }


def _attributes(doc: dict[str, Any], service_id: str) -> list[dict[str, Any]]:
    coded = {
        "topics": list(doc.get("topics") or []),
        "kinds": [doc["kind"]] if doc.get("kind") else [],
        "audiences": list(doc.get("audiences") or []),
    }
    attributes = []
    for vocab, codes in coded.items():
        for code in codes:
            term = taxonomy_term(vocab, code)
            attributes.append(
                {
                    "id": hsds_id("attribute", f"{doc['id']}:{vocab}:{code}"),
                    "link_id": service_id,
                    "link_type": TAXONOMIES[vocab][0],
                    "link_entity": "service",
                    "taxonomy_term_id": term["id"],
                    "taxonomy_term": term,
                }
            )
    return attributes


# --- ages, costs, eligibility -------------------------------------------------------------


def months_to_years(months: int | None) -> float | int | None:
    """HSDS ages are years: 36 → 3, 6 → 0.5, 2 → 0.17."""
    if months is None:
        return None
    if months % 12 == 0:
        return months // 12
    return round(months / 12, 2)


def _age_words(months: int) -> str:
    if months >= 12 and months % 12 == 0:
        years = months // 12
        return "1 Jahr" if years == 1 else f"{years} Jahre"
    return "1 Monat" if months == 1 else f"{months} Monate"


def eligibility_text(doc: dict[str, Any]) -> str:
    """German free text: who the offer is for (pregnancy, ages in their own unit, audiences)."""
    parts = []
    if doc.get("pregnancy"):
        parts.append("Für werdende Eltern")
    if doc.get("age_min_months") is not None:
        parts.append(f"Mindestalter des Kindes: {_age_words(doc['age_min_months'])}")
    if doc.get("age_max_months") is not None:
        parts.append(f"Höchstalter des Kindes: {_age_words(doc['age_max_months'])}")
    audiences = [label("audiences", a) for a in doc.get("audiences") or []]
    if audiences:
        parts.append("Zielgruppen: " + ", ".join(audiences))
    return "; ".join(parts)


def _cost_options(doc: dict[str, Any], service_id: str) -> list[dict[str, Any]]:
    cost = doc.get("cost") or "unknown"
    if cost == "unknown":
        return []
    option = {
        "id": hsds_id("cost_option", doc["id"]),
        "service_id": service_id,
        "option": label("costs", cost),
        "amount_description": doc.get("cost_note") or None,
        "valid_from": doc.get("valid_from"),
        "valid_to": doc.get("valid_until"),
    }
    if cost == "free":
        option |= {"amount": 0, "currency": "EUR"}
    return [_compact(option)]


def _fees_description(doc: dict[str, Any]) -> str | None:
    cost = doc.get("cost") or "unknown"
    note = doc.get("cost_note") or ""
    if cost == "unknown":
        return note or None
    return f"{label('costs', cost)}: {note}" if note else label("costs", cost)


def _application_process(doc: dict[str, Any]) -> str | None:
    required = doc.get("registration_required")
    if required is None:
        return None
    return "Anmeldung erforderlich." if required else "Ohne Anmeldung."


# --- schedules ------------------------------------------------------------------------------


def _clock(moment: datetime) -> str:
    """HSDS time with offset, e.g. '10:30+02:00'."""
    return moment.isoformat(timespec="minutes")[11:]


def _offset_hours(moment: datetime) -> float | int:
    offset = moment.utcoffset()
    hours = offset.total_seconds() / 3600 if offset else 0
    return int(hours) if hours == int(hours) else hours


def session_schedule(
    doc: dict[str, Any], session: dict[str, Any], links: dict[str, str]
) -> dict[str, Any] | None:
    """One dated session as a schedule (valid on its day(s), with opening and closing time)."""
    start = parse_datetime(session.get("start"))
    if start is None:
        return None
    end = parse_datetime(session.get("end"))
    when = start.strftime("%d.%m.%Y, %H:%M")
    if end is not None:
        when += (
            end.strftime("–%H:%M")
            if end.date() == start.date()
            else end.strftime(" bis %d.%m.%Y, %H:%M")
        )
    return _compact(
        {
            "id": hsds_id("schedule", f"{doc['id']}:{session['start']}"),
            **links,
            "valid_from": start.date().isoformat(),
            "valid_to": (end or start).date().isoformat(),
            "dtstart": start.date().isoformat(),
            "timezone": _offset_hours(start),
            "opens_at": _clock(start),
            "closes_at": _clock(end) if end is not None else None,
            "description": f"Termin: {when} Uhr",
        }
    )


def _schedules(doc: dict[str, Any], links: dict[str, str]) -> list[dict[str, Any]]:
    schedules = [s for s in (session_schedule(doc, d, links) for d in doc.get("dates") or []) if s]
    recurrence = doc.get("recurrence_text") or ""
    if recurrence or doc.get("valid_from") or doc.get("valid_until"):
        schedules.append(
            _compact(
                {
                    "id": hsds_id("schedule", f"{doc['id']}:regular"),
                    **links,
                    "valid_from": doc.get("valid_from"),
                    "valid_to": doc.get("valid_until"),
                    "description": recurrence or "Zeitraum, in dem das Angebot gilt.",
                }
            )
        )
    return schedules


# --- places ---------------------------------------------------------------------------------


def _address(location: dict[str, Any], location_id: str) -> list[dict[str, Any]]:
    """HSDS requires street, city and postcode: a partial address is left out, not faked."""
    if not (location.get("street") and location.get("city") and location.get("postcode")):
        return []
    return [
        {
            "id": hsds_id("address", location_id),
            "location_id": location_id,
            "address_1": location["street"],
            "city": location["city"],
            "state_province": STATE,
            "postal_code": location["postcode"],
            "country": COUNTRY,
            "address_type": "physical",
        }
    ]


def _accessibility(doc: dict[str, Any], location_id: str) -> list[dict[str, Any]]:
    return [
        {
            "id": hsds_id("accessibility", f"{location_id}:{code}"),
            "location_id": location_id,
            "description": label("accessibility", code),
            "details": code,
        }
        for code in doc.get("accessibility") or []
    ]


def physical_location(doc: dict[str, Any], index: int, location: dict[str, Any]) -> dict[str, Any]:
    location_id = hsds_id("location", f"{doc['id']}:{index}")
    return _compact(
        {
            "id": location_id,
            "location_type": "physical",
            "name": location.get("name") or location.get("city"),
            "latitude": location.get("lat"),
            "longitude": location.get("lon"),
            "external_identifier": location.get("ags"),
            "external_identifier_type": "AGS" if location.get("ags") else None,
            "addresses": _address(location, location_id),
            "accessibility": _accessibility(doc, location_id),
        }
    )


def virtual_location(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": hsds_id("location", f"{doc['id']}:online"),
        "location_type": "virtual",
        "name": "Online",
        "url": doc["url"],
    }


def _service_at_locations(
    doc: dict[str, Any], service_id: str, with_schedules: bool
) -> list[dict[str, Any]]:
    places = [physical_location(doc, i, loc) for i, loc in enumerate(doc.get("locations") or [])]
    if doc.get("online"):
        places.append(virtual_location(doc))
    result = []
    for place in places:
        sal_id = hsds_id("service_at_location", f"{doc['id']}:{place['id']}")
        links = {"service_id": service_id, "service_at_location_id": sal_id}
        result.append(
            _compact(
                {
                    "id": sal_id,
                    "service_id": service_id,
                    "location_id": place["id"],
                    "schedules": _schedules(doc, links) if with_schedules else [],
                    "location": place,
                }
            )
        )
    return result


def _service_areas(doc: dict[str, Any], service_id: str) -> list[dict[str, Any]]:
    municipalities = gazetteer().municipalities
    areas = []
    for ags in doc.get("area_ags") or []:
        known = municipalities.get(ags)
        name = known.name if known else ags
        areas.append(
            {
                "id": hsds_id("service_area", f"{doc['id']}:{ags}"),
                "service_id": service_id,
                "name": name,
                "description": f"Gemeinde {name} (AGS {ags})",
                "extent": ags,
                "extent_type": "text",
            }
        )
    return areas


# --- organisation ---------------------------------------------------------------------------


def organization(provider: dict[str, Any] | None) -> dict[str, Any] | None:
    """The provider; its id depends on name and website only, so its offers share it."""
    if not provider or not provider.get("name"):
        return None
    org_id = hsds_id("organization", f"{fold(provider['name'])}|{provider.get('url') or ''}")
    phones = (
        [{"id": hsds_id("phone", f"{org_id}:{provider['phone']}"), "number": provider["phone"]}]
        if provider.get("phone")
        else []
    )
    return _compact(
        {
            "id": org_id,
            "name": provider["name"],
            # required by HSDS; the hub knows nothing about the provider beyond its contacts
            "description": f"Anbieter von Angeboten im Familienhub NRW: {provider['name']}",
            "website": provider.get("url"),
            "email": provider.get("email"),
            "phones": phones,
        }
    )


# --- the service ----------------------------------------------------------------------------


def _status(doc: dict[str, Any], today: date) -> str:
    until = parse_date(doc.get("valid_until"))
    return "inactive" if until is not None and until < today else "active"


def _languages(doc: dict[str, Any], service_id: str) -> list[dict[str, Any]]:
    return [
        {
            "id": hsds_id("language", f"{doc['id']}:{code}"),
            "service_id": service_id,
            "name": LANGUAGE_NAMES_DE.get(code, code),
            "code": code,
        }
        for code in doc.get("languages") or []
    ]


def _description(doc: dict[str, Any]) -> str | None:
    """Plain text (HSDS has no markup); the summary stands in when there is no description."""
    text = html_to_text(doc.get("description")) or html_to_text(doc.get("summary"))
    return text or None


def _metadata(doc: dict[str, Any], service_id: str) -> list[dict[str, Any]]:
    """Provenance: which municipal source last changed the offer, and when."""
    updated = parse_datetime(doc.get("updated_at"))
    return [
        {
            "id": hsds_id("metadata", doc["id"]),
            "resource_id": service_id,
            "resource_type": "service",
            "last_action_date": (updated or datetime.now(BERLIN)).date().isoformat(),
            "last_action_type": "update",
            "field_name": "",
            "previous_value": "",
            "replacement_value": "",
            "updated_by": str(doc.get("source_id") or ""),
        }
    ]


def _last_modified(doc: dict[str, Any]) -> str | None:
    updated = parse_datetime(doc.get("updated_at"))
    return updated.isoformat(timespec="milliseconds") if updated else None


def to_service(doc: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """One offer document as a fully nested HSDS 3.0 service."""
    day = today or datetime.now(BERLIN).date()
    service_id = hsds_id("service", doc["id"])
    org = organization(doc.get("provider"))
    single_place = len(doc.get("locations") or []) + (1 if doc.get("online") else 0) == 1
    provider = doc.get("provider") or {}
    phones = (
        [{"id": hsds_id("phone", f"{service_id}:provider"), "number": provider["phone"]}]
        if provider.get("phone")
        else []
    )
    return _compact(
        {
            "id": service_id,
            "organization_id": org["id"] if org else None,
            "name": doc["title"],
            "description": _description(doc),
            "url": doc.get("url"),
            "email": provider.get("email"),
            "status": _status(doc, day),
            "application_process": _application_process(doc),
            "fees_description": _fees_description(doc),
            "eligibility_description": eligibility_text(doc) or None,
            "minimum_age": months_to_years(doc.get("age_min_months")),
            "maximum_age": months_to_years(doc.get("age_max_months")),
            "last_modified": _last_modified(doc),
            "phones": phones,
            "schedules": [] if single_place else _schedules(doc, {"service_id": service_id}),
            "service_areas": _service_areas(doc, service_id),
            "service_at_locations": _service_at_locations(doc, service_id, single_place),
            "languages": _languages(doc, service_id),
            "organization": org,
            "cost_options": _cost_options(doc, service_id),
            "attributes": _attributes(doc, service_id),
            "metadata": _metadata(doc, service_id),
        }
    )


# --- the paginated list ---------------------------------------------------------------------


def page_fields(total: int, returned: int, limit: int) -> dict[str, Any]:
    """HSDS `Page` counters for an export that is page 1 of `limit`-sized pages."""
    pages = max(1, math.ceil(total / limit)) if limit else 1
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": 1,
        "size": returned,
        "first_page": True,
        "last_page": pages == 1,
        "empty": returned == 0,
    }


def stream_service_list(
    docs: Iterable[dict[str, Any]], total: int, limit: int, today: date | None = None
) -> Iterator[str]:
    """The HSDS paginated list as JSON text chunks: `contents` first, then the page counters.

    The counters come last because `size` is only known once every service is written (the
    index may change between the count and the scroll); JSON key order carries no meaning.
    """
    yield '{"contents": ['
    returned = 0
    for doc in docs:
        prefix = "," if returned else ""
        yield prefix + "\n" + json.dumps(to_service(doc, today), ensure_ascii=False)
        returned += 1
    counters = page_fields(max(total, returned), returned, limit)
    yield "\n], " + json.dumps(counters, ensure_ascii=False)[1:]
