"""spreadsheet connector: Excel CSV (cp1252, `;`), UTF-8-BOM CSV (`,`), XLSX, golden files.

All three files hold the same Jugendamt list, so they share `angebote.expected.json`: `notes`,
`offers` (`Offer.document()` minus `next_date` and `content_hash`) and `rejected` (local id,
code, field, German message). Set UPDATE_GOLDEN=1 to rewrite it and review the diff.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest

from connectors.sdk.base import SourceContext
from connectors.sdk.mapping import apply_transforms, parse_german_date, parse_german_number
from connectors.sdk.paging import RetryPolicy
from connectors.sdk.registry import connector_class
from connectors.spreadsheet import SpreadsheetConfig, SpreadsheetConnector
from hub.core.errors import PermanentFetchError, RecordError
from tests.support.connectors import local_fetcher, outcome, run
from tests.support.feeds import FeedServer, Request, Route
from tests.support.golden import assert_golden_parts
from tests.support.paths import FIXTURES

FIXTURES = FIXTURES / "spreadsheet"
CONTEXT = SourceContext(source_id="kierspe", ags=("05962028",), name="Stadt Kierspe")
NO_WAIT = RetryPolicy(attempts=2, sleep=lambda _seconds: None)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
USED_FIXTURES = {
    "angebote-excel.csv",
    "angebote-utf8-bom.csv",
    "angebote.xlsx",
    "angebote.expected.json",
}


def connector(
    url: str, mapping: Any = "example-spreadsheet", **config: Any
) -> SpreadsheetConnector:
    raw = {"url": url, "mapping": mapping, **config}
    sheet = SpreadsheetConnector(SpreadsheetConfig.model_validate(raw), local_fetcher(), CONTEXT)
    sheet.retry = NO_WAIT
    return sheet


def assert_golden(got: dict[str, Any], only: tuple[str, ...] = ("offers", "rejected")) -> None:
    """Compare the `only` parts; a partial comparison keeps the other parts on a rewrite."""
    kept = ("notes", *(k for k in got if k not in only))
    parts = {k: got[k] for k in only}
    assert_golden_parts(FIXTURES / "angebote.expected.json", parts, keep=kept)


def serve(server: FeedServer, name: str, body: bytes, content_type: str) -> str:
    return server.route(f"/downloads/{name}", Route(body, content_type=content_type))


# --- golden files ----------------------------------------------------------------------------


def test_excel_csv_in_windows_1252_with_semicolons(feed_server: FeedServer) -> None:
    body = (FIXTURES / "angebote-excel.csv").read_bytes()
    url = serve(feed_server, "angebote.csv", body, "text/csv")
    sheet = connector(url)
    records, _ = run(sheet)

    assert [r.local_id for r in records] == ["K-01", "K-02", "K-03", "K-04"]
    assert records[0].source_url == url + "#zeile=2"
    assert_golden(outcome(sheet, records))


def test_utf8_csv_with_bom_and_commas_gives_the_same_offers(feed_server: FeedServer) -> None:
    body = (FIXTURES / "angebote-utf8-bom.csv").read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    url = serve(feed_server, "angebote.csv", body, "text/csv; charset=utf-8")
    sheet = connector(url)
    records, _ = run(sheet)

    assert_golden(outcome(sheet, records))


def test_stored_xlsx_with_title_row_and_native_cells(feed_server: FeedServer) -> None:
    body = (FIXTURES / "angebote.xlsx").read_bytes()
    url = serve(feed_server, "angebote.xlsx", body, XLSX)
    sheet = connector(url)
    records, _ = run(sheet)

    assert [r.local_id for r in records] == ["K-01", "K-02"]
    assert records[0].source_url == url + "#zeile=3"
    got = outcome(sheet, records)
    assert got["rejected"] == []
    assert_golden(got, only=("offers",))


def test_every_fixture_is_used() -> None:
    assert {p.name for p in FIXTURES.iterdir()} == USED_FIXTURES


# --- XLSX generated in the test --------------------------------------------------------------


def workbook(rows: list[list[Any]], sheet: str = "Angebote") -> bytes:
    book = openpyxl.Workbook()
    worksheet = book.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_generated_xlsx_with_german_numbers_dates_and_an_unnamed_sheet(
    feed_server: FeedServer,
) -> None:
    body = workbook(
        [
            ["Nr", "Angebot", "Link", "Alter ab (Jahre)", "Alter bis (Jahre)", "Geändert am"],
            [7, "Spielgruppe", "https://www.kierspe.de/s", "1,5", 3, datetime(2026, 3, 2, 8, 0)],
            [8.0, "Vorlesen", "https://www.kierspe.de/v", None, None, "02.03.2026 09:30"],
        ],
        sheet="Tabelle1",
    )
    url = serve(feed_server, "liste.xlsx", body, "application/octet-stream")
    sheet = connector(url, sheet="Tabelle1")
    records, _ = run(sheet)
    offers = outcome(sheet, records)["offers"]

    assert [r.local_id for r in records] == ["7", "8"]
    assert (offers[0]["age_min_months"], offers[0]["age_max_months"]) == (18, 36)
    assert offers[0]["updated_at"] == "2026-03-02T08:00:00+01:00"
    assert offers[1]["updated_at"] == "2026-03-02T09:30:00+01:00"


def test_missing_worksheet_names_the_sheets_there_are(feed_server: FeedServer) -> None:
    body = workbook([["Nr", "Angebot"], [1, "x"]], sheet="Daten")
    url = serve(feed_server, "liste.xlsx", body, XLSX)
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert (
        error.value.message_de
        == "Die Excel-Datei hat kein Arbeitsblatt „Angebote“ (vorhanden: „Daten“)."
    )


# --- German values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [("1.234,50", 1234.5), ("12,5", 12.5), ("1234.5", 1234.5), ("1.234", 1234.0), ("0,5", 0.5),
     ("1,234.50", 1234.5), ("2 €", 2.0), (7, 7.0)],
)  # fmt: skip
def test_german_numbers(text: Any, number: float) -> None:
    assert parse_german_number(text) == number


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("01.02.2026", date(2026, 2, 1)),
        ("1.2.26", date(2026, 2, 1)),
        ("2026-02-01", date(2026, 2, 1)),
        ("01.02.2026 10:30", "2026-02-01T10:30:00+01:00"),
        ("1.7.26, 9.15 Uhr", "2026-07-01T09:15:00+02:00"),
    ],
)
def test_german_dates(text: str, parsed: Any) -> None:
    value = parse_german_date(text)
    assert (value.isoformat() if isinstance(value, datetime) else value) == parsed


def test_transform_that_does_not_fit_raises_a_record_error_in_german() -> None:
    with pytest.raises(RecordError) as error:
        apply_transforms("zwölf", ["int"], "age_min_months")
    assert error.value.message_de == (
        "Feld „age_min_months“: Wert „zwölf“ passt nicht (ganze Zahl erwartet)."
    )


# --- bad files -------------------------------------------------------------------------------


def test_binary_garbage_is_not_a_table(feed_server: FeedServer) -> None:
    body = bytes(range(256)) * 40
    url = serve(feed_server, "liste.csv", body, "application/octet-stream")
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert error.value.message_de == (
        "Die Datei ist keine lesbare Tabelle (CSV oder Excel-Datei .xlsx)."
    )


def test_unknown_encoding_is_refused_with_a_hint(feed_server: FeedServer) -> None:
    body = b"Nr;Angebot;Link\n1;Caf\x81\x8d\x90;https://x.de/1\n"
    url = serve(feed_server, "liste.csv", body, "text/csv")
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert "Zeichenkodierung" in error.value.message_de


def test_broken_xlsx_is_not_a_table(feed_server: FeedServer) -> None:
    body = b"PK\x03\x04" + b"\x00" * 200
    url = serve(feed_server, "liste.xlsx", body, XLSX)
    with pytest.raises(PermanentFetchError, match="not a readable table"):
        run(connector(url))


def test_old_xls_format_is_refused_with_advice(feed_server: FeedServer) -> None:
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    url = serve(feed_server, "liste.xls", body, "application/vnd.ms-excel")
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert ".xlsx oder als CSV" in error.value.message_de


def test_missing_title_column_names_the_columns_found(feed_server: FeedServer) -> None:
    body = "Nr;Titel;Link\n1;Babytreff;https://www.kierspe.de/b\n".encode("cp1252")
    url = serve(feed_server, "liste.csv", body, "text/csv")
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert error.value.message_de == (
        "Der Tabelle fehlt die Spalte „Angebot“ (gefundene Spalten: „Nr“, „Titel“, „Link“)."
    )


def test_download_page_instead_of_the_file_is_refused(feed_server: FeedServer) -> None:
    body = "<!DOCTYPE html><html><body>Bitte anmelden</body></html>"
    url = serve(feed_server, "liste.csv", body.encode(), "text/html")
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert error.value.message_de.startswith("Die Adresse liefert eine Webseite, keinen Feed")


def test_unchanged_file_answers_304(feed_server: FeedServer) -> None:
    body = (FIXTURES / "angebote-excel.csv").read_bytes()

    def conditional(request: Request) -> Route:
        if request.headers.get("if-none-match") == '"csv-1"':
            return Route(b"", status=304)
        return Route(body, content_type="text/csv", headers={"ETag": '"csv-1"'})

    url = feed_server.route("/downloads/angebote.csv", conditional)
    sheet = connector(url)
    _, cursor = run(sheet)
    again, second = run(sheet, cursor)

    assert again == [] and second.not_modified


def test_spreadsheet_is_registered_under_its_kind() -> None:
    assert connector_class("spreadsheet") is SpreadsheetConnector


def test_mapping_for_another_format_is_refused_at_registration() -> None:
    with pytest.raises(ValueError, match="format: json, dieser Feed-Typ liest format: table"):
        SpreadsheetConfig.model_validate({"url": "https://a.example/l.csv", "mapping": "demo-json"})
