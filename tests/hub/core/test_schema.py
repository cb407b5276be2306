"""The common offer schema: validation, derived fields, and rejections in German."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from hub.core.schema import Offer, rejection_from_error
from hub.ingest.normalise import normalise_record
from tests.support.paths import DEMO_CORPUS

CORPUS = DEMO_CORPUS


def base(**extra: Any) -> dict[str, Any]:
    return {
        "id": "s:1",
        "source_id": "s",
        "local_id": "1",
        "url": "https://www.unna.de/a",
        "title": "Babytreff",
        "updated_at": "2026-03-01T10:00:00+01:00",
        **extra,
    }


def test_every_corpus_offer_validates() -> None:
    lines = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        data = {
            k: v
            for k, v in line.items()
            if k not in ("source_municipality_ags", "categories_free_text")
        }
        result = normalise_record("corpus", data.pop("local_id"), data)
        assert result.rejection is None, result.rejection
    assert len(lines) == 400


def test_content_hash_ignores_derived_fields_and_changes_with_content() -> None:
    a = Offer.model_validate(base())
    b = Offer.model_validate(base())
    c = Offer.model_validate(base(title="Babytreff am Markt"))
    assert a.content_hash == b.content_hash != c.content_hash


def test_external_version_is_updated_at_in_milliseconds() -> None:
    assert Offer.model_validate(base()).version() == 1772355600000


@pytest.mark.parametrize(
    ("extra", "groups"),
    [
        ({"pregnancy": True}, ["schwangerschaft"]),
        ({"age_min_months": 0, "age_max_months": 12}, ["baby_0_1"]),
        ({"age_min_months": 0, "age_max_months": 36}, ["baby_0_1", "kleinkind_1_3"]),
        ({"age_min_months": 12, "age_max_months": 12}, ["kleinkind_1_3"]),
        ({"age_min_months": 14, "age_max_months": 30}, ["kleinkind_1_3"]),
        ({"age_min_months": 36}, ["kita_3_6"]),
        ({}, []),
    ],
)
def test_age_groups_are_derived_from_the_range(extra: dict[str, Any], groups: list[str]) -> None:
    assert Offer.model_validate(base(**extra)).age_groups == groups


def test_offer_without_location_or_area_is_not_made_online() -> None:
    assert Offer.model_validate(base()).online is False
    assert Offer.model_validate(base(area_ags=["05978036"])).online is False
    assert Offer.model_validate(base(online=True)).online is True


@pytest.mark.parametrize(
    ("extra", "code", "german"),
    [
        ({"title": ""}, "invalid_string_too_short", "Titel: Text ist leer"),
        ({"title": "x" * 301}, "invalid_string_too_long", "Titel: Text ist zu lang"),
        ({"url": "javascript:alert(1)"}, "invalid_url_scheme", "Link zur Angebotsseite"),
        ({"kind": "zauberei"}, "invalid_value_error", "Angebotsform: Wert ungültig: unknown kinds"),
        ({"languages": ["deutsch"]}, "invalid_value_error", "Sprachen"),
        ({"age_min_months": 24, "age_max_months": 12}, "invalid_value_error", "age_min_months"),
        ({"locations": [{"lat": 48.1, "lon": 11.5}]}, "invalid_greater_than_equal", "Orte"),
        ({"updated_at": "gestern"}, "invalid_datetime_from_date_parsing", "Änderungsdatum"),
    ],
)
def test_invalid_records_give_a_machine_code_and_a_german_message(
    extra: dict[str, Any], code: str, german: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Offer.model_validate(base(**extra))
    rejection = rejection_from_error("s", "1", caught.value)
    assert rejection.code == code
    assert german in rejection.message_de


def test_missing_required_fields_are_named_in_german() -> None:
    data = base()
    del data["updated_at"]
    with pytest.raises(ValidationError) as caught:
        Offer.model_validate(data)
    rejection = rejection_from_error("s", "1", caught.value)
    assert (rejection.code, rejection.message_de) == (
        "invalid_missing",
        "Änderungsdatum: Pflichtfeld fehlt",
    )


def test_html_is_sanitised_to_plain_text_before_validation() -> None:
    result = normalise_record(
        "s",
        "1",
        {
            "title": "Eltern&shy;café <script>alert(1)</script>",
            "description": "<p>Offen <strong>mittwochs</strong></p><ul><li>Tee</li></ul>"
            "<img src=x onerror=alert(2)>",
            "url": "https://www.unna.de/a",
            "updated_at": "2026-03-01T10:00:00+01:00",
        },
    )
    assert result.offer is not None
    assert "<" not in result.offer.title + result.offer.description
    assert "alert" not in result.offer.title
    assert result.offer.description.splitlines() == ["Offen mittwochs", "• Tee"]
