"""Free-text places ("Familienzentrum, Hauptstr. 5, 48143 Münster") → a location hint.

Calendars, TYPO3 events and schema.org pages often carry a place as one line of text; every
connector reads it the same way. The normaliser later resolves postcode and city in the
gazetteer.
"""

from __future__ import annotations

import re

POSTCODE_CITY = re.compile(r"^(?:D-?\s*)?(\d{5})\s+(\S.*)$")
STREET_HINT = re.compile(r"\d|str\.|straße|strasse|weg\b|platz\b|allee\b|ring\b|gasse\b", re.I)
NOT_STREET = re.compile(r"^(raum|zimmer|etage|stock|saal|eingang|gebäude|haus)\b", re.I)


def location_from_text(text: str | None) -> dict[str, str]:
    """A location hint from free text like "Familienzentrum, Hauptstr. 5, 48143 Münster"."""
    parts = [p.strip() for p in re.split(r"[,\n;]", text or "") if p.strip()]
    for index, part in enumerate(parts):
        match = POSTCODE_CITY.match(part)
        if not match:
            continue
        location = {"postcode": match.group(1), "city": match.group(2)}
        before = parts[:index]
        if before and STREET_HINT.search(before[-1]) and not NOT_STREET.match(before[-1]):
            location["street"] = before.pop()
        if before:
            location["name"] = ", ".join(before)
        return {k: v for k, v in location.items() if len(v) <= 300}
    name = ", ".join(parts)
    return {"name": name} if name and len(name) <= 300 else {}
