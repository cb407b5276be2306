"""HSDS export: every generated service validates against the official HSDS 3.0 JSON Schema.

The validator is Draft 2020-12 with the per-object schemas registered by file name (their
`$ref`s say "phone.json"), and format checking on: jsonschema's own checkers (uuid, email, date)
plus strict `date-time` and `uri` checks defined here, because their optional packages
(rfc3339-validator, rfc3987) are not installed and jsonschema would silently pass them.
The official example `service_full.json` passing the same validator shows the set-up resolves
every reference.
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hub.core.schema import Offer, offer_id
from hub.dev.demo.fleet import demo_feeds, push_record
from hub.exports.hsds import (
    hsds_id,
    months_to_years,
    page_fields,
    stream_service_list,
    taxonomy,
    taxonomy_term,
    to_service,
)
from hub.search.documents import search_document
from tests.support.paths import HSDS_SCHEMA, HSDS_SERVICE_EXAMPLE

TODAY = date(2026, 3, 1)


def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text("utf-8")), DRAFT202012))
        for path in sorted(HSDS_SCHEMA.glob("*.json"))
    ]
    return Registry().with_resources(resources)


REGISTRY = _registry()


FORMATS = FormatChecker()
for _name, _check in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    FORMATS.checkers[_name] = _check


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """RFC 3339: full date, time and an explicit offset (Z or ±hh:mm)."""
    if not isinstance(value, str):
        return True
    return "T" in value.upper() and datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path)) and " " not in value


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((HSDS_SCHEMA / f"{name}.json").read_text("utf-8"))
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=FORMATS)


SERVICE = validator("service")


def errors(service: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in SERVICE.iter_errors(service)
    ]


def corpus_documents() -> list[dict[str, Any]]:
    """All 400 demo offers as the engine stores them."""
    docs = []
    for feed in demo_feeds():
        for record in feed.records:
            data = push_record(record)
            offer = Offer(
                **data, id=offer_id(feed.source_id, data["local_id"]), source_id=feed.source_id
            )
            docs.append(search_document(offer))
    return docs


def document(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "unna:babytreff-1",
        "source_id": "unna",
        "local_id": "babytreff-1",
        "url": "https://www.unna.de/familie/babytreff",
        "title": "Babytreff im Familienzentrum",
        "summary": "Offener Treff für Eltern mit Babys.",
        "description": "<p>Jeden <b>Dienstag</b> &amp; Donnerstag.</p>",
        "kind": "treffpunkt",
        "topics": ["begegnung", "hebammen"],
        "audiences": ["eltern", "vaeter"],
        "languages": ["de", "tr"],
        "cost": "free",
        "age_min_months": 2,
        "age_max_months": 36,
        "provider": {
            "name": "Familienzentrum Königsborn",
            "url": "https://fz-koenigsborn.de",
            "phone": "02303 12345",
            "email": "info@fz-koenigsborn.de",
        },
        "locations": [
            {
                "name": "Familienzentrum",
                "street": "Hansastraße 3",
                "postcode": "59425",
                "city": "Unna",
                "ags": "05978036",
                "lat": 51.54,
                "lon": 7.70,
            }
        ],
        "dates": [{"start": "2026-03-03T09:30:00+01:00", "end": "2026-03-03T11:00:00+01:00"}],
        "accessibility": ["wheelchair"],
        "updated_at": "2026-02-20T10:00:00+01:00",
    }
    data = {**base, **overrides}
    return search_document(Offer(**data))


def test_validator_setup_accepts_the_official_full_example() -> None:
    example = json.loads(HSDS_SERVICE_EXAMPLE.read_text("utf-8"))
    assert errors(example) == []


def test_validator_checks_formats_and_nested_references() -> None:
    service = to_service(document(), TODAY)
    service["id"] = "unna:babytreff-1"
    service["last_modified"] = "2026-02-20 10:00"
    service["url"] = "www.unna.de/babytreff"
    service["service_at_locations"][0]["location"]["latitude"] = "51.5"
    service["attributes"][0]["taxonomy_term"]["taxonomy_detail"]["id"] = "topics"
    assert sorted(errors(service)) == [
        "attributes/0/taxonomy_term/taxonomy_detail/id: 'topics' is not a 'uuid'",
        "id: 'unna:babytreff-1' is not a 'uuid'",
        "last_modified: '2026-02-20 10:00' is not a 'date-time'",
        "service_at_locations/0/location/latitude: '51.5' is not of type 'number'",
        "url: 'www.unna.de/babytreff' is not a 'uri'",
    ]


def test_every_demo_offer_becomes_a_valid_hsds_service() -> None:
    docs = corpus_documents()
    failures = {doc["id"]: errs for doc in docs if (errs := errors(to_service(doc, TODAY)))}
    assert len(docs) == 400
    assert failures == {}


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"locations": [], "online": True, "dates": []},
        {"locations": [], "online": False, "area_ags": ["05978036", "05978020"]},
        {"provider": None, "cost": "unknown", "registration_required": True},
        {"locations": [{"city": "Unna", "postcode": "59423"}], "cost": "paid", "cost_note": "5 €"},
        {
            "locations": [
                {"street": "Markt 1", "postcode": "59423", "city": "Unna", "lat": 51.5, "lon": 7.6},
                {"street": "Bahnhofstr. 2", "postcode": "59425", "city": "Unna"},
            ],
            "recurrence_text": "jeden Dienstag 9:30 Uhr",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
        {"pregnancy": True, "age_min_months": None, "age_max_months": None},
        {"valid_until": "2026-01-31", "valid_from": "2025-01-01"},
    ],
    ids=[
        "full",
        "online-only",
        "service-area",
        "no-provider",
        "partial-address",
        "two-places",
        "pregnancy",
        "expired",
    ],
)
def test_edge_case_offers_validate(overrides: dict[str, Any]) -> None:
    assert errors(to_service(document(**overrides), TODAY)) == []


def test_ids_are_stable_uuid5_of_the_offer_id() -> None:
    first, second = to_service(document(), TODAY), to_service(document(), TODAY)
    assert first == second
    assert first["id"] == hsds_id("service", "unna:babytreff-1")
    assert uuid.UUID(first["id"]).version == 5
    other = to_service(document(id="unna:babytreff-2", local_id="babytreff-2"), TODAY)
    assert other["id"] != first["id"]
    assert other["organization"]["id"] == first["organization"]["id"]  # same provider


def test_ages_are_years_and_the_months_stay_in_the_eligibility_text() -> None:
    service = to_service(document(), TODAY)
    assert (service["minimum_age"], service["maximum_age"]) == (0.17, 3)
    assert "Mindestalter des Kindes: 2 Monate" in service["eligibility_description"]
    assert "Höchstalter des Kindes: 3 Jahre" in service["eligibility_description"]
    assert "Zielgruppen: Eltern, Väter" in service["eligibility_description"]
    assert [months_to_years(m) for m in (0, 6, 12, 18, None)] == [0, 0.5, 1, 1.5, None]


def test_place_address_and_session_schedule() -> None:
    service = to_service(document(), TODAY)
    (sal,) = service["service_at_locations"]
    location = sal["location"]
    assert (location["latitude"], location["longitude"]) == (51.54, 7.70)
    assert location["external_identifier"] == "05978036"
    (address,) = location["addresses"]
    assert address["address_1"] == "Hansastraße 3"
    assert (address["postal_code"], address["state_province"], address["country"]) == (
        "59425",
        "Nordrhein-Westfalen",
        "DE",
    )
    assert location["accessibility"][0]["description"] == "Rollstuhlgerecht"
    (schedule,) = sal["schedules"]
    assert schedule["opens_at"] == "09:30+01:00" and schedule["closes_at"] == "11:00+01:00"
    assert schedule["valid_from"] == "2026-03-03" and schedule["timezone"] == 1
    assert "schedules" not in service  # with one place the dates sit on the place


def test_online_offer_gets_a_virtual_location() -> None:
    service = to_service(document(locations=[], online=True), TODAY)
    (sal,) = service["service_at_locations"]
    assert sal["location"]["location_type"] == "virtual"
    assert sal["location"]["url"] == "https://www.unna.de/familie/babytreff"


def test_partial_address_is_left_out_not_faked() -> None:
    service = to_service(document(locations=[{"city": "Unna", "postcode": "59423"}]), TODAY)
    location = service["service_at_locations"][0]["location"]
    assert "addresses" not in location and location["name"] == "Unna"


def test_area_ags_become_named_service_areas() -> None:
    service = to_service(document(locations=[], area_ags=["05978036"]), TODAY)
    (area,) = service["service_areas"]
    assert (area["name"], area["extent"], area["extent_type"]) == ("Unna", "05978036", "text")


def test_topics_kind_and_audiences_are_taxonomy_attributes() -> None:
    service = to_service(document(), TODAY)
    by_type: dict[str, list[str]] = {}
    for attribute in service["attributes"]:
        assert attribute["link_id"] == service["id"]
        assert attribute["taxonomy_term_id"] == attribute["taxonomy_term"]["id"]
        by_type.setdefault(attribute["link_type"], []).append(attribute["taxonomy_term"]["code"])
    assert by_type == {
        "topic": ["begegnung", "hebammen"],
        "kind": ["treffpunkt"],
        "audience": ["eltern", "vaeter"],
    }
    term = taxonomy_term("topics", "hebammen")
    assert term["name"] == "Hebammen" and term["taxonomy_id"] == taxonomy("topics")["id"]
    assert validator("taxonomy_term").is_valid(term)
    assert validator("taxonomy").is_valid(taxonomy("kinds"))


def test_costs_languages_description_and_status() -> None:
    service = to_service(document(), TODAY)
    (option,) = service["cost_options"]
    assert (option["option"], option["amount"], option["currency"]) == ("Kostenlos", 0, "EUR")
    assert [(lang["code"], lang["name"]) for lang in service["languages"]] == [
        ("de", "Deutsch"),
        ("tr", "Türkisch"),
    ]
    assert service["description"] == "Jeden Dienstag & Donnerstag."
    assert service["status"] == "active"
    expired = to_service(document(valid_from="2025-01-01", valid_until="2026-01-31"), TODAY)
    assert expired["status"] == "inactive"


def _page_schema() -> dict[str, Any]:
    openapi = json.loads((HSDS_SCHEMA / "openapi.json").read_text("utf-8"))
    page: dict[str, Any] = openapi["components"]["schemas"]["Page"]
    return {**page, "required": list(page["properties"])}


def test_streamed_list_is_one_json_page_with_hsds_counters() -> None:
    docs = corpus_documents()[:25]
    text = "".join(stream_service_list(iter(docs), total=25, limit=10_000, today=TODAY))
    page = json.loads(text)
    assert Draft202012Validator(_page_schema()).is_valid(page)
    assert (page["total_items"], page["size"], page["total_pages"]) == (25, 25, 1)
    assert page["first_page"] and page["last_page"] and not page["empty"]
    assert len(page["contents"]) == 25
    assert all(not errors(service) for service in page["contents"])


def test_truncated_list_says_there_are_more_pages() -> None:
    docs = corpus_documents()[:3]
    page = json.loads("".join(stream_service_list(iter(docs), total=7, limit=3, today=TODAY)))
    assert (page["total_items"], page["size"], page["total_pages"]) == (7, 3, math.ceil(7 / 3))
    assert not page["last_page"]


def test_empty_list() -> None:
    page = json.loads("".join(stream_service_list(iter([]), total=0, limit=10_000)))
    assert page["contents"] == [] and page["empty"] and page["total_items"] == 0
    assert page_fields(0, 0, 10_000)["total_pages"] == 1
