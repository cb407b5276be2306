"""The offline NRW gazetteer: municipalities (AGS), districts and postcodes (`mappings/gazetteer/`).

Search resolves a place of residence with it and the normaliser fills missing location keys
(AGS, city, postcode, coordinates), so every lookup is a dict access on data loaded once.
Names are compared umlaut-folded ("Köln" = "Koeln") and tolerantly: a suffix in brackets may be
left out ("Halle" → "Halle (Westf.)"), extra trailing words are dropped ("Bad Berleburg
Arfeld" → "Bad Berleburg"), and a near miss is corrected ("Dusseldorf").
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from hub.core.settings import MAPPINGS_DIR
from hub.core.vocab import fold

GAZETTEER_DIR = MAPPINGS_DIR / "gazetteer"
AGS_RE = re.compile(r"^05\d{6}$")
DISTRICT_AGS_RE = re.compile(r"^05\d{3}$")
POSTCODE_RE = re.compile(r"\b\d{5}\b")
_PREFIXES = ("stadt ", "gemeinde ", "kreisstadt ", "hansestadt ")
_FUZZY_CUTOFF = 0.88


@dataclass(frozen=True)
class Municipality:
    """One of NRW's 396 Gemeinden with its district and geographic centre."""

    ags: str
    name: str
    district: str
    district_ags: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True)
class District:
    """A Kreis, the Städteregion Aachen or a kreisfreie Stadt, with its member municipalities."""

    ags: str
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class PostcodeArea:
    """One (postcode, place) row: a postcode can span several places, a city has many postcodes."""

    postcode: str
    place: str
    ags: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Place:
    """A resolved place of residence: the AGS it covers and a centre point for distances."""

    kind: Literal["municipality", "district", "postcode"]
    label: str
    ags: tuple[str, ...]
    lat: float
    lon: float


@dataclass
class Gazetteer:
    """All lookup tables, built once from the CSV files."""

    municipalities: dict[str, Municipality] = field(default_factory=dict)
    districts: dict[str, District] = field(default_factory=dict)
    postcodes: dict[str, tuple[PostcodeArea, ...]] = field(default_factory=dict)
    postcodes_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    district_names: dict[str, str] = field(default_factory=dict)


def _read(name: str, directory: Path) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache
def gazetteer(directory: Path = GAZETTEER_DIR) -> Gazetteer:
    """The gazetteer loaded from `directory` (cached: the files are read once per process)."""
    gaz = Gazetteer()
    for row in _read("nrw_municipalities.csv", directory):
        gaz.municipalities[row["ags"]] = Municipality(
            ags=row["ags"],
            name=row["name"],
            district=row["district"],
            district_ags=row["district_ags"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            population=int(row["population"] or 0),
        )
    _index_names(gaz)
    for row in _read("nrw_districts.csv", directory):
        code = row["district_ags"]
        members = tuple(sorted(a for a, m in gaz.municipalities.items() if m.district_ags == code))
        gaz.districts[code] = District(code, row["name"], members)
        for key in _district_keys(row["name"]):
            gaz.district_names.setdefault(key, row["district_ags"])
    rows: dict[str, list[PostcodeArea]] = {}
    for row in _read("nrw_postcodes.csv", directory):
        area = PostcodeArea(
            row["postcode"], row["place"], row["ags_if_known"], float(row["lat"]), float(row["lon"])
        )
        rows.setdefault(area.postcode, []).append(area)
    gaz.postcodes = {code: tuple(areas) for code, areas in rows.items()}
    of: dict[str, list[str]] = {}
    for code, areas in sorted(gaz.postcodes.items()):
        for ags in dict.fromkeys(a.ags for a in areas):
            of.setdefault(ags, []).append(code)
    gaz.postcodes_of = {ags: tuple(codes) for ags, codes in of.items()}
    return gaz


def _index_names(gaz: Gazetteer) -> None:
    """Exact folded names first, then aliases that stay unambiguous."""
    aliases: dict[str, set[str]] = {}
    for m in gaz.municipalities.values():
        gaz.names[fold(m.name)] = m.ags
        for alias in _aliases(m.name):
            aliases.setdefault(alias, set()).add(m.ags)
    for alias, codes in aliases.items():
        if alias not in gaz.names and len(codes) == 1:
            gaz.names[alias] = codes.pop()


def _aliases(name: str) -> set[str]:
    base = re.sub(r"\s*\(.*?\)", "", name)
    out = {fold(base), fold(re.split(r" (?:an der|am|im) ", base)[0])}
    out |= {a.replace("sankt ", "st ") for a in out if a.startswith("sankt ")}
    return {a for a in out if a}


def _district_keys(name: str) -> set[str]:
    key = fold(name)
    return {key, re.sub(r"^kreis ", "", key), re.sub(r"^staedteregion ", "", key)}


def municipality(ags: str) -> Municipality | None:
    """The municipality with this 8-digit AGS."""
    return gazetteer().municipalities.get(ags.strip())


@lru_cache(maxsize=4096)
def by_name(name: str) -> Municipality | None:
    """The municipality a sloppy name means: umlaut-folded, suffix- and typo-tolerant."""
    gaz = gazetteer()
    key = fold(name)
    for prefix in _PREFIXES:
        key = key.removeprefix(fold(prefix) + " ")
    if not key:
        return None
    words = key.split()
    for end in range(len(words), 0, -1):
        ags = gaz.names.get(" ".join(words[:end]))
        if ags:
            return gaz.municipalities[ags]
    close = difflib.get_close_matches(key, list(gaz.names), n=1, cutoff=_FUZZY_CUTOFF)
    return gaz.municipalities[gaz.names[close[0]]] if close else None


def by_postcode(postcode: str) -> list[PostcodeArea]:
    """Every (place, AGS, point) row of a postcode; empty when the postcode is not in NRW."""
    return list(gazetteer().postcodes.get(postcode.strip(), ()))


def district(name_or_ags: str) -> District | None:
    """A district by 5-digit key, a member's AGS or name ("Märkischer Kreis", "Kreis Unna")."""
    gaz = gazetteer()
    text = name_or_ags.strip()
    if DISTRICT_AGS_RE.match(text):
        return gaz.districts.get(text)
    if AGS_RE.match(text):
        return gaz.districts.get(text[:5])
    key = fold(text)
    code = gaz.district_names.get(key) or gaz.district_names.get(f"kreis {key}")
    return gaz.districts.get(code) if code else None


def district_members(name_or_ags: str) -> list[Municipality]:
    """The municipalities of a district ("Märkischer Kreis" → its 15 towns); empty if unknown."""
    found = district(name_or_ags)
    if found is None:
        return []
    gaz = gazetteer()
    return [gaz.municipalities[ags] for ags in found.members]


def resolve_place(text: str) -> Place | None:
    """A place of residence typed as AGS, postcode, municipality or district name."""
    text = (text or "").strip()
    if not text:
        return None
    if AGS_RE.match(text):
        found = municipality(text)
        return _municipality_place(found) if found else None
    if DISTRICT_AGS_RE.match(text):
        return _district_place(text)
    postcode = POSTCODE_RE.search(text)
    if postcode:
        return _postcode_place(postcode.group(0), text.replace(postcode.group(0), " "))
    key = fold(text)
    if key.startswith(("kreis ", "staedteregion ")) or key.endswith(("kreis", " kreis")):
        district_place = _district_place(text)
        if district_place:
            return district_place
    exact = gazetteer().names.get(key)
    if exact:
        return _municipality_place(gazetteer().municipalities[exact])
    return _district_place(text) or _optional(by_name(text))


def _optional(found: Municipality | None) -> Place | None:
    return _municipality_place(found) if found else None


def _municipality_place(m: Municipality) -> Place:
    return Place("municipality", m.name, (m.ags,), m.lat, m.lon)


def _district_place(name_or_ags: str) -> Place | None:
    found = district(name_or_ags)
    if found is None:
        return None
    members = [gazetteer().municipalities[a] for a in found.members]
    weight = sum(max(m.population, 1) for m in members)
    lat = sum(m.lat * max(m.population, 1) for m in members) / weight
    lon = sum(m.lon * max(m.population, 1) for m in members) / weight
    return Place("district", found.name, found.members, round(lat, 5), round(lon, 5))


def _postcode_place(postcode: str, rest: str) -> Place | None:
    areas = by_postcode(postcode)
    if not areas:
        return None
    named = by_name(rest) if fold(rest) else None
    chosen = [a for a in areas if named and a.ags == named.ags] or areas
    lat = sum(a.lat for a in chosen) / len(chosen)
    lon = sum(a.lon for a in chosen) / len(chosen)
    codes = tuple(dict.fromkeys(a.ags for a in chosen))
    return Place("postcode", f"{postcode} {chosen[0].place}", codes, round(lat, 5), round(lon, 5))


def enrich_location(loc: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `loc` with missing postcode/city/ags/lat/lon filled; given values are kept."""
    out = dict(loc)
    postcode = str(out.get("postcode") or "").strip()
    city = str(out.get("city") or "").strip()
    found = _locate(postcode, city, str(out.get("ags") or "").strip())
    if found is None:
        return out
    place, area = found
    out["ags"] = out.get("ags") or place.ags
    out["city"] = city or place.name
    own_postcodes = gazetteer().postcodes_of.get(place.ags, ())
    if not postcode and len(own_postcodes) == 1:
        out["postcode"] = own_postcodes[0]
    if out.get("lat") is None and out.get("lon") is None:
        point = area or place
        out["lat"], out["lon"] = point.lat, point.lon
    return out


def _locate(postcode: str, city: str, ags: str) -> tuple[Municipality, PostcodeArea | None] | None:
    """The municipality a location lies in, and its postcode row when the postcode is known."""
    areas = by_postcode(postcode) if postcode else []
    named = municipality(ags) if ags else None
    named = named or (by_name(city) if city else None)
    if areas:
        area = next((a for a in areas if named and a.ags == named.ags), None)
        if area is None and named is None:
            area = areas[0]
        if area is not None:
            return gazetteer().municipalities[area.ags], area
    return (named, None) if named else None
