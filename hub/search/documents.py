"""The engine document of an offer: the schema's JSON plus fields derived for filtering."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.core.places import municipality
from hub.core.schema import Offer
from hub.search.duplicates import blocking_keys


def search_document(offer: Offer) -> dict[str, Any]:
    """Offer JSON plus flattened location keys, district keys and geo points for filters.

    An offer held in person without a usable location (no AGS, no point) is placed in its
    source's area: its municipalities count as its places and their centres as its points
    (`geo_approximate`), so the place, district and distance filters find it, and hits can say
    the distance is approximate. Online offers keep no point. `duplicate_keys` are the blocks in
    which the offer meets its possible duplicates (`hub.search.duplicate_groups`).
    """
    doc = offer.document()
    location_ags = {loc.ags for loc in offer.locations if loc.ags}
    geo = [
        {"lat": loc.lat, "lon": loc.lon}
        for loc in offer.locations
        if loc.lat is not None and loc.lon is not None
    ]
    approximate = not location_ags and not geo and not offer.online and bool(offer.area_ags)
    if approximate:
        location_ags = set(offer.area_ags)
        geo = area_centres(offer.area_ags)
    doc["location_ags"] = sorted(location_ags)
    doc["district_ags"] = sorted({ags[:5] for ags in location_ags | set(offer.area_ags)})
    doc["geo"] = geo
    doc["geo_approximate"] = approximate
    doc["indexed_at"] = datetime.now(UTC).isoformat()
    doc["duplicate_keys"] = blocking_keys(doc)
    return doc


def area_centres(area_ags: list[str]) -> list[dict[str, float]]:
    """The gazetteer's centre of every municipality of an area (unknown codes are skipped)."""
    found = (municipality(ags) for ags in area_ags)
    return [{"lat": m.lat, "lon": m.lon} for m in found if m is not None]
