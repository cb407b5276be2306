"""CSV export: parses back with `;` and utf-8-sig, umlauts intact, formulas neutralised."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.core.schema import Offer
from hub.exports.csv import BOM, HEADER, neutralise, stream_csv
from hub.search.documents import search_document

SOON = datetime.now(UTC).replace(hour=8, minute=30, second=0, microsecond=0) + timedelta(days=5)


def document(local_id: str = "1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": f"muenster:{local_id}",
        "source_id": "muenster",
        "local_id": local_id,
        "url": f"https://www.stadt-muenster.de/familie/{local_id}",
        "title": "Väter-Kind-Frühstück in Münster",
        "summary": "<p>Gemütliches Frühstück für Väter &amp; Kinder.</p>",
        "kind": "gruppe",
        "topics": ["begegnung", "erziehung_alltag"],
        "audiences": ["vaeter"],
        "languages": ["de", "en"],
        "cost": "paid",
        "cost_note": "3 € pro Familie",
        "registration_required": False,
        "age_min_months": 12,
        "age_max_months": 72,
        "provider": {"name": "Familienbildungsstätte Münster", "phone": "+49 251 12345"},
        "locations": [
            {"name": "FBS", "street": "Übergasse 5", "postcode": "48143", "city": "Münster"},
            {"city": "Münster", "postcode": "48149"},
        ],
        "dates": [{"start": SOON.isoformat()}],
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "updated_at": "2026-02-14T23:30:00+00:00",
    }
    return search_document(Offer(**{**data, **overrides}))


def parse(text: str) -> list[dict[str, str]]:
    """Read the export the way a consumer would: bytes, utf-8-sig, `;`."""
    raw = text.encode("utf-8")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def export(*docs: dict[str, Any]) -> str:
    return "".join(stream_csv(iter(docs)))


def test_file_starts_with_a_bom_and_a_german_header() -> None:
    text = export(document())
    assert text.startswith(BOM)
    assert text.encode("utf-8")[:3] == b"\xef\xbb\xbf"
    first_line = text[1:].split("\r\n", 1)[0]
    assert first_line.split(";")[:3] == ["Kennung", "Titel", "Kurzbeschreibung"]
    assert "Straße" in HEADER and "Anzahl Orte" in HEADER


def test_rows_parse_back_with_umlauts_intact() -> None:
    (row,) = parse(export(document()))
    assert row["Titel"] == "Väter-Kind-Frühstück in Münster"
    assert row["Kurzbeschreibung"] == "Gemütliches Frühstück für Väter & Kinder."
    assert row["Straße"] == "Übergasse 5" and row["Ort"] == "Münster"
    assert row["Themen"] == "Begegnung & Treffpunkte, Erziehung & Familienalltag"
    assert row["Zielgruppen"] == "Väter"
    assert row["Sprachen"] == "de, en"
    assert (row["Kosten"], row["Kostenhinweis"]) == ("Kostenpflichtig", "3 € pro Familie")
    assert row["Anmeldung erforderlich"] == "nein"
    assert (row["Alter von (Monate)"], row["Alter bis (Monate)"]) == ("12", "72")


def test_first_place_in_columns_plus_the_number_of_places() -> None:
    (row,) = parse(export(document()))
    assert (row["Ort Name"], row["PLZ"], row["Anzahl Orte"]) == ("FBS", "48143", "2")


def test_dates_are_german_dd_mm_yyyy_in_berlin_time() -> None:
    (row,) = parse(export(document()))
    assert (row["Gültig ab"], row["Gültig bis"]) == ("01.01.2026", "31.12.2026")
    assert row["Zuletzt geändert"] == "15.02.2026"  # 23:30 UTC is past midnight in Berlin
    local = SOON.astimezone(ZoneInfo("Europe/Berlin"))
    assert row["Nächster Termin"] == local.strftime("%d.%m.%Y")
    assert row["Uhrzeit nächster Termin"] == local.strftime("%H:%M")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+49 251 12345", "'+49 251 12345"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Babytreff", "Babytreff"),
        ("", ""),
    ],
)
def test_formula_starts_are_prefixed_with_an_apostrophe(value: str, expected: str) -> None:
    assert neutralise(value) == expected


def test_formula_injection_in_an_offer_is_neutralised_in_the_file() -> None:
    evil = document(
        "2",
        title="=cmd|' /C calc'!A0",
        cost_note="@SUM(1+1)*cmd|' /C calc'!A0",
        provider={"name": "-Anbieter", "phone": "+49 251 12345"},
    )
    (row,) = parse(export(evil))
    assert row["Titel"] == "'=cmd|' /C calc'!A0"
    assert row["Kostenhinweis"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["Anbieter"] == "'-Anbieter"
    assert row["Anbieter Telefon"] == "'+49 251 12345"
    assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())


def test_separator_and_quotes_inside_cells_survive() -> None:
    doc = document("3", title='Kurs "Starke Eltern"; Teil 2')
    (row,) = parse(export(doc))
    assert row["Titel"] == 'Kurs "Starke Eltern"; Teil 2'


def test_one_row_per_offer() -> None:
    rows = parse(export(*(document(str(i)) for i in range(7))))
    assert [r["Kennung"] for r in rows] == [f"muenster:{i}" for i in range(7)]
