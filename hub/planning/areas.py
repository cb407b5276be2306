"""The areas a planner asks about, resolved from the gazetteer to member municipalities.

A municipality (8-digit AGS), a district (5-digit key or name), the state (`nrw` or `05`) or a
Jugendamt's area written as a list of AGS separated by commas (an organisation's AGS codes).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from hub.core.errors import UnknownPlace
from hub.core.places import AGS_RE, DISTRICT_AGS_RE, GAZETTEER_DIR, Gazetteer, gazetteer
from hub.core.places import district as find_district

STATE_CODES = frozenset({"nrw", "05", "land"})
SIZE_CLASSES: tuple[tuple[int, str], ...] = (
    (10_000, "unter 10.000"),
    (20_000, "10.000–20.000"),
    (50_000, "20.000–50.000"),
    (100_000, "50.000–100.000"),
)
LARGEST_CLASS = "100.000 und mehr"

AreaKind = Literal["municipality", "office", "district", "state"]


@dataclass(frozen=True)
class Area:
    """What a report covers: a label for people and the AGS of its member municipalities."""

    kind: AreaKind
    code: str
    label: str
    members: tuple[str, ...]

    def population(self, gaz: Gazetteer) -> int:
        return sum(gaz.municipalities[ags].population for ags in self.members)


def resolve_area(text: str, gaz: Gazetteer | None = None) -> Area:
    """The area `text` names; unknown codes raise `UnknownPlace` with a German reason."""
    gaz = gaz or gazetteer()
    code = (text or "").strip()
    if code.lower() in STATE_CODES:
        return Area("state", "05", "Nordrhein-Westfalen", tuple(sorted(gaz.municipalities)))
    if "," in code:
        return _office_area(code, gaz)
    if AGS_RE.match(code) and code in gaz.municipalities:
        m = gaz.municipalities[code]
        return Area("municipality", code, m.name, (code,))
    if DISTRICT_AGS_RE.match(code) and code in gaz.districts:
        d = gaz.districts[code]
        return Area("district", code, d.name, d.members)
    if not AGS_RE.match(code) and not DISTRICT_AGS_RE.match(code) and gaz is gazetteer():
        found = find_district(code) if code else None
        if found is not None:
            return Area("district", found.ags, found.name, found.members)
    raise UnknownPlace(
        f"unknown planning area {code!r}",
        message_de=f"„{code}“ ist kein bekannter Gemeindeschlüssel (AGS), Kreis oder "
        "Gebiet in NRW.",
    )


def _office_area(text: str, gaz: Gazetteer) -> Area:
    codes = sorted({c.strip() for c in text.split(",") if c.strip()})
    unknown = [c for c in codes if c not in gaz.municipalities]
    if unknown or not codes:
        raise UnknownPlace(
            f"unknown AGS in planning area: {unknown}",
            message_de="Unbekannte Gemeindeschlüssel (AGS): " + ", ".join(unknown or ["(leer)"]),
        )
    names = [gaz.municipalities[c].name for c in codes]
    label = (
        "Gebiet: "
        + ", ".join(names[:4])
        + (f" und {len(names) - 4} weitere" if len(names) > 4 else "")
    )
    return Area("office", ",".join(codes), label, tuple(codes))


@lru_cache
def municipality_types(directory: Path = GAZETTEER_DIR) -> dict[str, str]:
    """AGS → `kreisfreie Stadt`, `Stadt` or `Gemeinde`, as the gazetteer's Destatis extract says."""
    with (directory / "nrw_municipalities.csv").open(encoding="utf-8", newline="") as handle:
        return {row["ags"]: row.get("municipality_type") or "" for row in csv.DictReader(handle)}


def municipality_type(ags: str) -> str:
    """The municipality's type; without a gazetteer entry, kreisfreie Städte by their AGS (…000)."""
    known = municipality_types().get(ags)
    if known:
        return known
    return "kreisfreie Stadt" if ags.endswith("000") else "Gemeinde"


def size_class(population: int) -> str:
    """The population class a municipality is compared within (German label)."""
    for upper, label in SIZE_CLASSES:
        if population < upper:
            return label
    return LARGEST_CLASS
