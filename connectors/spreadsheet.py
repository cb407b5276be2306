"""Offer lists kept as spreadsheets (CSV or XLSX), mapped column by column by a YAML file.

Many smaller Jugendämter maintain their Angebote in Excel and publish the file. Paths in the
mapping are column headers (`format: table`); German cells are handled by the mapping's
transforms (`date_de` for "01.02.2026" or "1.2.26", `number` for "1.234,50"). CSV files may be
UTF-8, UTF-8 with BOM or Windows-1252 (Excel's "CSV (Trennzeichen-getrennt)"), separated by
`;` or `,`; XLSX is read with openpyxl in read-only mode (its XML goes through defusedxml).
Each row's source URL carries its row number (`#zeile=5`), so a rejection points at the row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any, ClassVar, Literal

from pydantic import Field

from connectors.json_feed import MappedFeedConfig, MappedFeedConnector, refuse_html
from connectors.sdk.base import ConnectorConfig, RawRecord
from connectors.sdk.mapping import Resolver, TableResolver, header_key
from hub.core.errors import BodyTooLargeError, PermanentFetchError
from hub.core.fetcher import FetchResponse

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
MAX_UNZIPPED = 200 * 1024 * 1024
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NOT_A_TABLE_DE = "Die Datei ist keine lesbare Tabelle (CSV oder Excel-Datei .xlsx)."


class SpreadsheetConfig(MappedFeedConfig):
    """A published CSV or XLSX file, its mapping (`format: table`) and the sheet to read."""

    mapping_format: ClassVar[str] = "table"

    format: Literal["auto", "csv", "xlsx"] = Field(
        "auto", description="File type; 'auto' recognises XLSX by its content, else CSV."
    )
    sheet: str | None = Field(
        default=None,
        description="Worksheet of an XLSX file; default: the mapping's, else the first sheet.",
    )


class Row(dict[str, Any]):
    """One data row (header → cell) that remembers its row number in the file."""

    def __init__(self, cells: Mapping[str, Any], number: int) -> None:
        super().__init__(cells)
        self.number = number


class SpreadsheetConnector(MappedFeedConnector[SpreadsheetConfig]):
    """One file, one page: rows become records; conditional GET spares unchanged files."""

    kind: ClassVar[str] = "spreadsheet"
    config_model: ClassVar[type[ConnectorConfig]] = SpreadsheetConfig

    def resolver(self) -> Resolver:
        return TableResolver()

    def parse(self, response: FetchResponse) -> list[Row]:
        refuse_html(response, (XLSX_MAGIC,))
        content = response.content
        if content.startswith(XLS_MAGIC):
            raise PermanentFetchError(
                "old binary .xls workbook",
                message_de="Das alte Excel-Format (.xls) wird nicht gelesen. Bitte die Tabelle "
                "als .xlsx oder als CSV speichern.",
            )
        if self.config.format == "xlsx" or (
            self.config.format == "auto" and content.startswith(XLSX_MAGIC)
        ):
            grid = read_xlsx(content, self.config.sheet or self.mapping.table.sheet)
        else:
            grid = read_csv(content, self.mapping.table.delimiter)
        return self._rows(grid)

    def _rows(self, grid: list[list[Any]]) -> list[Row]:
        header_at = self._header_index(grid)
        headers = _headers(grid[header_at])
        self._require(headers)
        rows = []
        for number, cells in enumerate(grid[header_at + 1 :], start=header_at + 2):
            values = {h: _cell(v) for h, v in zip(headers, cells, strict=False) if h}
            if any(v is not None for v in values.values()):
                rows.append(Row(values, number))
        return rows

    def _header_index(self, grid: list[list[Any]]) -> int:
        wanted = self.mapping.table.header_row
        if wanted is not None:
            if wanted > len(grid):
                raise _not_a_table(f"header row {wanted} beyond the end")
            return wanted - 1
        for index, cells in enumerate(grid):
            if sum(1 for c in cells if _cell(c) is not None) >= 2:
                return index
        raise _not_a_table("no header row with two or more columns")

    def _require(self, headers: list[str]) -> None:
        """The id and title columns must exist; name the columns found when they do not."""
        present = {header_key(h) for h in headers}
        title = self.mapping.fields.get("title")
        required = [s.path for s in (self.mapping.id, title) if s is not None and s.path]
        missing = [c for c in required if header_key(c) not in present]
        if missing:
            found = ", ".join(f"„{h}“" for h in headers if h) or "keine"
            raise PermanentFetchError(
                f"missing columns {missing}; found {headers}",
                message_de=f"Der Tabelle fehlt die Spalte „{missing[0]}“ (gefundene Spalten: "
                f"{found}).",
            )

    def nodes(self, document: Any) -> list[Any]:
        return list(document)

    def payload(self, node: Any) -> Mapping[str, Any]:
        return {"row": getattr(node, "number", None), "cells": dict(node)}

    def node(self, payload: Mapping[str, Any]) -> Any:
        cells = payload.get("cells")
        return Row(cells, int(payload.get("row") or 0)) if isinstance(cells, dict) else None

    def raw_record(self, node: Any, page_url: str, fallback: datetime | None) -> RawRecord:
        record = super().raw_record(node, page_url, fallback)
        return replace(record, source_url=f"{page_url}#zeile={node.number}")


def read_csv(content: bytes, delimiter: str | None = None) -> list[list[Any]]:
    """Rows of a CSV file in UTF-8 (with or without BOM) or Windows-1252, `;` or `,` separated."""
    text = decode_text(content)
    sample = next((line for line in text.splitlines() if line.strip()), "")
    if not sample:
        raise _not_a_table("empty file")
    separator = delimiter or max(";,\t", key=lambda d: _count_outside_quotes(sample, d))
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator)]


def decode_text(content: bytes) -> str:
    """The text of a CSV file; binary data and unknown encodings are permanent errors."""
    _refuse_binary(content)
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16")):
        if content.startswith(bom):
            return _checked(content.decode(codec, errors="strict"))
    if content.startswith(codecs.BOM_UTF16_BE):
        return _checked(content.decode("utf-16", errors="strict"))
    for codec in ("utf-8", "cp1252"):
        try:
            return _checked(content.decode(codec))
        except UnicodeDecodeError:
            continue
    raise PermanentFetchError(
        "CSV is neither UTF-8 nor Windows-1252",
        message_de="Die Zeichenkodierung der Datei ist nicht erkennbar. Bitte als CSV (UTF-8) "
        "oder aus Excel als „CSV (Trennzeichen-getrennt)“ speichern.",
    )


def _refuse_binary(content: bytes) -> None:
    """Control bytes (other than tab and line ends) mean a binary file, not text."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    sample = content[:20000]
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32 or byte in (11, 12))
    if controls > max(2, len(sample) // 200):
        raise _not_a_table("binary content")


def _checked(text: str) -> str:
    sample = text[:20000]
    if sample and len(CONTROL.findall(sample)) > max(2, len(sample) // 200):
        raise _not_a_table("binary content")
    return text


def read_xlsx(content: bytes, sheet: str | None) -> list[list[Any]]:
    """The cell values of one worksheet; zip bombs and broken workbooks are refused."""
    import openpyxl  # deferred: only spreadsheet sources need it

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise _not_a_table(f"broken zip: {exc}") from exc
    if unpacked > MAX_UNZIPPED:
        raise BodyTooLargeError(
            f"xlsx unpacks to {unpacked} bytes",
            message_de="Die Excel-Datei ist entpackt zu groß.",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken workbooks
        raise _not_a_table(f"unreadable workbook: {exc}") from exc
    try:
        if sheet and sheet not in book.sheetnames:
            names = ", ".join(f"„{n}“" for n in book.sheetnames)
            raise PermanentFetchError(
                f"no sheet {sheet!r}",
                message_de=f"Die Excel-Datei hat kein Arbeitsblatt „{sheet}“ (vorhanden: {names}).",
            )
        worksheet = book[sheet] if sheet else book.worksheets[0]
        return [list(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _headers(cells: list[Any]) -> list[str]:
    names: list[str] = []
    for cell in cells:
        name = re.sub(r"\s+", " ", str(_cell(cell) or "")).strip()
        names.append(name if name and name not in names else "")
    return names


def _cell(value: Any) -> Any:
    """A JSON-friendly cell: text trimmed (empty → None), dates as ISO, 12.0 as 12."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _count_outside_quotes(line: str, separator: str) -> int:
    return re.sub(r'"[^"]*"', "", line).count(separator)


def _not_a_table(detail: str) -> PermanentFetchError:
    return PermanentFetchError(f"not a readable table: {detail}", message_de=NOT_A_TABLE_DE)
