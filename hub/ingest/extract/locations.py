"""Addresses in a page → locations (street, postcode, city; the gazetteer adds AGS and point).

Editors write a place three ways: an `<address>` block, a labelled line ("Ort: …",
"Treffpunkt: …", a table row) and running text ("… im Familienzentrum Sonnenschein,
Hauptstraße 5, 48143 Münster"). Every "postcode town" found is one location; the comma-separated
parts before it are street and name, as `location_from_text` reads them. A postcode outside NRW,
or a town that the postcode does not cover, yields nothing: a wrongly placed offer is worse than
one served in its source's area. A labelled place without a town ("Treffpunkt: vor dem Rathaus")
belongs to the source's municipality when the source serves exactly one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from connectors.sdk.locations import STREET_HINT, location_from_text
from hub.core.places import by_name, by_postcode, gazetteer, municipality
from hub.core.vocab import fold
from hub.ingest.extract.page import Page

MAX_LOCATIONS = 20
PLACE_LABELS = (
    "ort",
    "adresse",
    "anschrift",
    "treffpunkt",
    "veranstaltungsort",
    "wo",
    "standort",
    "kursort",
    "ort der veranstaltung",
    "wir treffen uns",
)
# "48143 Münster", "51643 Gummersbach", "45468 Mülheim an der Ruhr"; not a phone number's tail
# ("0251 48143 …") nor part of a longer number.
POSTCODE_TOWN = re.compile(
    r"(?<![\w/+\-])(?<!\d )(?:D-?\s?)?(\d{5})\s+"
    r"([A-ZÄÖÜ][\w\-]*(?:\.(?!\s))?(?:(?:\s+(?:an der|am|im|in|ob der|bei)\s+|\s+\(|\s+|-)"
    r"[A-ZÄÖÜ][\w\-.)]*)*)"
)
# Where the words before an address stop belonging to it: a sentence end or a label's colon.
# An abbreviation ("Ev. Familienbildungswerk", "St. Marien") is no sentence end: that needs a
# word of three letters or more, or a number ("… 0271 333-2800. Beratungsstelle"), before it.
CLAUSE_START = re.compile(r"(?:^|(?:(?<=[^\W\d]{3})|(?<=\d))[.!?]\s+(?=[A-ZÄÖÜ])|;\s+|:\s*|\n)")
# "… findet im Familienzentrum Sonnenschein" → the place's name follows the last preposition.
PREPOSITION = re.compile(
    r"\b(?:im|in der|in den|in|beim|bei der|bei|am|an der|auf dem|auf der|statt|unter)\s+"
    r"(?=[A-ZÄÖÜ\d])"
)
# Label values that name no physical place: the offer is remote, at home or not yet fixed.
NO_PLACE = re.compile(
    r"online|digital|zoom|webex|video|telefon|zu hause|zuhause|hausbesuch|nach vereinbarung|"
    r"wird (?:noch )?bekannt|folgt|siehe|bitte|anmeldung|\buhr\b|\d:\d|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag",
    re.I,
)
# Small words inside names ("Haus der Familie am Markt"), not signs of a sentence.
NAME_WORDS = frozenset(
    ("der", "die", "das", "des", "dem", "den", "und", "für", "am", "im", "an", "in", "zum", "zur")
)
MAX_TOWN_WORDS = 5  # "Mülheim an der Ruhr", "Halle (Westf.)": no NRW town name is longer
MAX_TOWNLESS = 120  # longer label values are sentences, not places


def extract_locations(page: Page, area_ags: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Location dicts in the schema's shape for every place the page names (empty: none).

    `area_ags` are the municipalities the source serves: a place given without a town
    ("Treffpunkt: vor dem Rathaus") belongs to them.
    """
    found: list[dict[str, Any]] = []
    blocked = False  # an address outside NRW: nothing town-less is guessed for the page
    for text in (*page.addresses, *page.labelled(*PLACE_LABELS), page.summary, *page.lines):
        located, foreign = addresses_in(text)
        found.extend(located)
        blocked = blocked or foreign
    if not found and not blocked:
        found = _townless(page, area_ags)
    return _unique(found)[:MAX_LOCATIONS]


def addresses_in(text: str) -> tuple[list[dict[str, Any]], bool]:
    """Every "… street, postcode town" in `text` that lies in NRW, and whether the text named
    an address elsewhere (or one whose postcode and town disagree)."""
    located: list[dict[str, Any]] = []
    foreign = False
    start = 0
    for match in POSTCODE_TOWN.finditer(text):
        town = _town(match.group(1), match.group(2))
        if town is None:
            foreign = True
        else:
            clause = _clause(text[start : match.start()])
            location = _location(f"{clause}, {match.group(1)} {town}")
            if location:
                located.append(location)
        start = match.end()
    return located, foreign


def _town(postcode: str, written: str) -> str | None:
    """The town as written, cut to the words that name it; None when the postcode is not in
    NRW or names another town."""
    areas = by_postcode(postcode)
    if not areas:
        return None
    words = re.split(r"\s+", written.split(". ")[0].rstrip(".,"))[:MAX_TOWN_WORDS]
    own = {a.ags for a in areas}
    places = {fold(a.place) for a in areas}
    for end in range(len(words), 0, -1):
        candidate = " ".join(words[:end])
        key = fold(candidate)
        ags = gazetteer().names.get(key)
        if key in places or (ags and ags in own):
            return candidate
    named = by_name(words[0].split("-")[0])
    if named is not None and named.ags not in own and fold(named.name) == fold(words[0]):
        return None  # "40210 Münster": the postcode is Düsseldorf's
    return words[0]


def _clause(before: str) -> str:
    """The words right before a postcode that belong to its address (street, name)."""
    starts = [m.end() for m in CLAUSE_START.finditer(before)]
    parts = [p.strip() for p in before[starts[-1] if starts else 0 :].split(",")]
    parts = [p for p in parts if p]
    if parts:
        parts[0] = _after_preposition(parts[0])
    return ", ".join(parts)


def _after_preposition(words: str) -> str:
    """ "Der Kurs findet im Familienzentrum Sonnenschein" → "Familienzentrum Sonnenschein";
    a name that merely holds a preposition ("Haus am See") stays whole."""
    matches = list(PREPOSITION.finditer(words))
    lead = words[: matches[-1].start()].split() if matches else []
    if not any(w[0].islower() and w not in NAME_WORDS for w in lead):
        return words
    return words[matches[-1].end() :]


def _location(text: str) -> dict[str, Any]:
    location: dict[str, Any] = dict(location_from_text(text))
    if not location.get("postcode"):
        return {}
    name = location.get("name", "")
    if name and (len(name) > 120 or not re.match(r"[A-ZÄÖÜ\d\"„]", name)):
        location.pop("name")
    return location


def _townless(page: Page, area_ags: Sequence[str]) -> list[dict[str, Any]]:
    """Labelled places without a postcode: in the town they end with ("Rathaus, Köln"),
    else in the source's municipality when it serves exactly one."""
    home = municipality(area_ags[0]) if len(area_ags) == 1 else None
    out: list[dict[str, Any]] = []
    for value in page.labelled(*PLACE_LABELS):
        value = value.strip().rstrip(".")
        if not value or len(value) > MAX_TOWNLESS or NO_PLACE.search(value):
            continue
        parts = [p.strip() for p in value.split(",") if p.strip()]
        named = gazetteer().names.get(fold(parts[-1])) if parts else None
        town = municipality(named) if named else home
        if town is None:
            continue
        if named:
            parts.pop()
        location: dict[str, Any] = {"city": town.name, "ags": town.ags}
        if parts and STREET_HINT.search(parts[-1]) and re.search(r"\d", parts[-1]):
            location["street"] = parts.pop()
        if parts:
            location["name"] = ", ".join(parts)
        out.append(location)
    return out


def _unique(locations: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One location per address; the fuller of two mentions wins (a name beats none), and a
    bare "postcode town" line of an address already read whole adds nothing."""
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for loc in locations:
        key = (
            str(loc.get("postcode") or loc.get("ags") or ""),
            fold(str(loc.get("street") or "")),
            "" if loc.get("street") else fold(str(loc.get("name") or "")),
        )
        if key not in seen or len(loc) > len(seen[key]):
            seen[key] = loc
    fuller = {loc.get("postcode") for loc in seen.values() if loc.get("street") or loc.get("name")}
    return [
        loc
        for loc in seen.values()
        if loc.get("street") or loc.get("name") or loc.get("postcode") not in fuller
    ]
