"""The engine document of an offer: the schema's JSON plus fields derived for filtering."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.core.schema import Offer


def search_document(offer: Offer) -> dict[str, Any]:
    """Offer JSON plus flattened location keys, district keys and geo points for filters."""
    doc = offer.document()
    location_ags = [loc.ags for loc in offer.locations if loc.ags]
    doc["location_ags"] = sorted(set(location_ags))
    served = set(location_ags) | set(offer.area_ags)
    doc["district_ags"] = sorted({ags[:5] for ags in served})
    doc["geo"] = [
        {"lat": loc.lat, "lon": loc.lon}
        for loc in offer.locations
        if loc.lat is not None and loc.lon is not None
    ]
    doc["indexed_at"] = datetime.now(UTC).isoformat()
    return doc
