"""Free-text places split into name, street, postcode and city."""

from __future__ import annotations

import pytest

from connectors.sdk.locations import location_from_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Familienzentrum Kinderhaus, Idenbrockplatz 8, 48159 Münster",
            {
                "name": "Familienzentrum Kinderhaus",
                "street": "Idenbrockplatz 8",
                "postcode": "48159",
                "city": "Münster",
            },
        ),
        (
            "Hauptstraße 1, 12345 Musterstadt",
            {"street": "Hauptstraße 1", "postcode": "12345", "city": "Musterstadt"},
        ),
        (
            "Rathaus, Raum 3, D-33602 Bielefeld",
            {"name": "Rathaus, Raum 3", "postcode": "33602", "city": "Bielefeld"},
        ),
        (
            "12th and Market Streets (weather permitting)",
            {"name": "12th and Market Streets (weather permitting)"},
        ),
        ("", {}),
    ],
)
def test_location_text_is_split_into_address_parts(text: str, expected: dict[str, str]) -> None:
    assert location_from_text(text) == expected
