"""The report as JSON (API), CSV and XLSX (spreadsheets of the planners), with German headers.

CSV follows the offer export: `;` separated, UTF-8 with BOM, decimal commas, formula-looking
cells defused. The XLSX workbook holds the matrix, the gaps, the comparisons and a sheet that
says how the figures were computed.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from hub.core.vocab import vocabulary
from hub.exports.csv import BOM, neutralise
from hub.planning.report import Report

MATRIX_HEADER = [
    "Thema",
    "Altersgruppe",
    "Angebote vor Ort",
    "davon seit 12 Monaten nicht aktualisiert",
    "Online-Angebote",
    "Angebote je 10.000 Einwohner",
    "Reichweite (Anteil der Einwohner)",
    "Einwohner ohne Angebot in Reichweite",
]
GAP_HEADER = ["AGS", "Gemeinde", "Thema", "Altersgruppe", "Einwohner", "Online-Angebote"]
COMPARISON_HEADER = [
    "AGS",
    "Gemeinde",
    "Thema",
    "Altersgruppe",
    "Angebote je 10.000 Einwohner",
    "Median NRW",
    "Vergleichsgruppe",
    "Median der Vergleichsgruppe",
    "Gemeinden in der Vergleichsgruppe",
]


def topic_label(code: str) -> str:
    return vocabulary("topics").label(code)


def group_label(code: str) -> str:
    return vocabulary("age_groups").label(code)


def report_json(report: Report) -> dict[str, Any]:
    """The report for the admin API (codes and German labels side by side)."""
    m = report.matrix
    return {
        "area": {"code": m.area_code, "label": m.area_label, "kind": m.area_kind},
        "population": m.population,
        "km": m.km,
        "points_basis": m.points_basis,
        "generated_at": report.generated_at,
        "stale_total": report.stale_total,
        "sources": report.sources,
        "notice": report.notice,
        "cells": [
            {
                "topic": c.topic,
                "topic_label": topic_label(c.topic),
                "age_group": c.age_group,
                "age_group_label": group_label(c.age_group),
                "offers": c.offers,
                "stale": c.stale,
                "online": c.online,
                "per_10k": c.per_10k,
                "reach": c.reach,
                "unreached": c.unreached,
            }
            for c in m.cells.values()
        ],
        "gaps": [g.__dict__ for g in report.gaps],
        "comparisons": [c.__dict__ for c in report.comparisons],
        "without_topic": report.without_topic,
    }


def _decimal(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def matrix_rows(report: Report) -> list[list[Any]]:
    return [
        [
            topic_label(c.topic),
            group_label(c.age_group),
            c.offers,
            c.stale,
            c.online,
            c.per_10k,
            c.reach,
            c.unreached,
        ]
        for c in report.matrix.cells.values()
    ]


def gap_rows(report: Report) -> list[list[Any]]:
    return [
        [g.ags, g.name, topic_label(g.topic), group_label(g.age_group), g.population, g.online]
        for g in report.gaps
    ]


def comparison_rows(report: Report, names: dict[str, str]) -> list[list[Any]]:
    return [
        [
            c.ags,
            names.get(c.ags, c.ags),
            topic_label(c.topic),
            group_label(c.age_group),
            c.per_10k,
            c.state_median,
            c.peer_group,
            c.peer_median,
            c.peers,
        ]
        for c in report.comparisons
    ]


def notes(report: Report) -> list[list[Any]]:
    m = report.matrix
    return [
        ["Gebiet", m.area_label],
        ["Gemeindeschlüssel", m.area_code],
        ["Einwohner", m.population],
        ["Entfernung für die Reichweite (km)", m.km],
        ["Bevölkerungspunkte", m.points_basis],
        ["Erstellt", report.generated_at],
    ]


def report_csv(report: Report) -> str:
    """The matrix as CSV for German spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(MATRIX_HEADER)
    for row in matrix_rows(report):
        writer.writerow(
            [
                neutralise(str(v))
                if isinstance(v, str)
                else _decimal(v)
                if isinstance(v, float)
                else v
                for v in row
            ]
        )
    return BOM + buffer.getvalue()


def report_xlsx(report: Report, names: dict[str, str]) -> bytes:
    """Matrix, gaps, comparisons and notes as sheets of one workbook."""
    book = Workbook()
    sheets = [
        ("Matrix", MATRIX_HEADER, matrix_rows(report)),
        ("Lücken", GAP_HEADER, gap_rows(report)),
        ("Vergleich", COMPARISON_HEADER, comparison_rows(report, names)),
        ("Hinweise", ["Angabe", "Wert"], notes(report)),
    ]
    for index, (title, header, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
