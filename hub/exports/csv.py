"""Offer documents as a CSV table for Excel/LibreOffice users in the municipalities.

German Excel expects `;` as separator and only reads umlauts right from UTF-8 with a BOM, so the
stream starts with U+FEFF. One row per offer: lists joined with ", ", the first place's address
in its own columns plus the number of places, dates as dd.mm.yyyy (Berlin time). Cells that a
spreadsheet would run as a formula (starting with = + - @ tab or CR) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

from hub.core.text import html_to_text
from hub.exports import label, labels, next_date, parse_date, parse_datetime

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Defuse CSV/formula injection (OWASP): a spreadsheet shows the text instead of running it."""
    return "'" + value if value.startswith(FORMULA_START) else value


def german_date(value: date | datetime | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("ja" if value else "nein")


def _first(doc: dict[str, Any]) -> dict[str, Any]:
    places = doc.get("locations") or []
    return places[0] if places else {}


def _provider(doc: dict[str, Any], key: str) -> str:
    return str((doc.get("provider") or {}).get(key) or "")


def _age(months: int | None) -> str:
    return "" if months is None else str(months)


def _next_day(doc: dict[str, Any]) -> str:
    return german_date(next_date(doc))


def _next_time(doc: dict[str, Any]) -> str:
    upcoming = next_date(doc)
    return upcoming.strftime("%H:%M") if upcoming else ""


Column = tuple[str, Callable[[dict[str, Any]], Any]]

COLUMNS: list[Column] = [
    ("Kennung", lambda d: d["id"]),
    ("Titel", lambda d: d["title"]),
    ("Kurzbeschreibung", lambda d: html_to_text(d.get("summary"))),
    ("Angebotsform", lambda d: label("kinds", d["kind"]) if d.get("kind") else ""),
    ("Themen", lambda d: ", ".join(labels("topics", d.get("topics")))),
    ("Zielgruppen", lambda d: ", ".join(labels("audiences", d.get("audiences")))),
    ("Schwangerschaft", lambda d: yes_no(d.get("pregnancy"))),
    ("Alter von (Monate)", lambda d: _age(d.get("age_min_months"))),
    ("Alter bis (Monate)", lambda d: _age(d.get("age_max_months"))),
    ("Sprachen", lambda d: ", ".join(d.get("languages") or [])),
    ("Kosten", lambda d: label("costs", d.get("cost") or "unknown")),
    ("Kostenhinweis", lambda d: d.get("cost_note") or ""),
    ("Anmeldung erforderlich", lambda d: yes_no(d.get("registration_required"))),
    ("Barrierefreiheit", lambda d: ", ".join(labels("accessibility", d.get("accessibility")))),
    ("Anbieter", lambda d: _provider(d, "name")),
    ("Anbieter Telefon", lambda d: _provider(d, "phone")),
    ("Anbieter E-Mail", lambda d: _provider(d, "email")),
    ("Anbieter Website", lambda d: _provider(d, "url")),
    ("Ort Name", lambda d: _first(d).get("name") or ""),
    ("Straße", lambda d: _first(d).get("street") or ""),
    ("PLZ", lambda d: _first(d).get("postcode") or ""),
    ("Ort", lambda d: _first(d).get("city") or ""),
    ("AGS", lambda d: _first(d).get("ags") or ""),
    ("Anzahl Orte", lambda d: len(d.get("locations") or [])),
    ("Online", lambda d: yes_no(d.get("online"))),
    ("Nächster Termin", _next_day),
    ("Uhrzeit nächster Termin", _next_time),
    ("Anzahl Termine", lambda d: len(d.get("dates") or [])),
    ("Regelmäßig", lambda d: d.get("recurrence_text") or ""),
    ("Gültig ab", lambda d: german_date(parse_date(d.get("valid_from")))),
    ("Gültig bis", lambda d: german_date(parse_date(d.get("valid_until")))),
    ("Link", lambda d: d.get("url") or ""),
    ("Quelle", lambda d: d.get("source_id") or ""),
    ("Zuletzt geändert", lambda d: german_date(parse_datetime(d.get("updated_at")))),
]
HEADER = [name for name, _ in COLUMNS]


def row(doc: dict[str, Any]) -> list[Any]:
    """One offer's cells; text cells neutralised, counts left as numbers."""
    cells = [value(doc) for _, value in COLUMNS]
    return [neutralise(c) if isinstance(c, str) else c for c in cells]


def _line(writer_buffer: io.StringIO, cells: list[Any]) -> str:
    writer_buffer.seek(0)
    writer_buffer.truncate()
    csv.writer(writer_buffer, delimiter=";").writerow(cells)
    return writer_buffer.getvalue()


def stream_csv(docs: Iterable[dict[str, Any]]) -> Iterator[str]:
    """BOM + header + one line per offer, as text chunks (CRLF line ends, as Excel writes)."""
    buffer = io.StringIO()
    yield BOM + _line(buffer, HEADER)
    for doc in docs:
        yield _line(buffer, row(doc))
