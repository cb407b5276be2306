"""Offer documents as an RFC 7946 GeoJSON FeatureCollection, for maps and GIS tools.

One Point feature per location that has coordinates (`[lon, lat]`, WGS84, no `crs` member),
so an offer held in three places is three features sharing `properties.id`; the feature's own
`id` is `{offer id}#{location index}`. Offers without any coordinates (online-only offers and
places the gazetteer could not locate) are left out; how many is said in the foreign member
`omitted_offers` at the end of the collection, next to `offers` (offers exported).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from hub.exports import label, labels, located, next_date, street_line


def feature_properties(
    doc: dict[str, Any], location: dict[str, Any], upcoming: datetime | None
) -> dict[str, Any]:
    provider = doc.get("provider") or {}
    return {
        "id": doc["id"],
        "title": doc["title"],
        "url": doc.get("url"),
        "kind": doc.get("kind"),
        "kind_label": label("kinds", doc["kind"]) if doc.get("kind") else None,
        "topics": labels("topics", doc.get("topics")),
        "provider": provider.get("name"),
        "place": location.get("name"),
        "address": street_line(location) or None,
        "ags": location.get("ags"),
        "next_date": upcoming.isoformat() if upcoming else None,
    }


def features(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The offer's Point features, one per located place (none for online-only offers)."""
    upcoming = next_date(doc)
    return [
        {
            "type": "Feature",
            "id": f"{doc['id']}#{index}",
            "geometry": {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]},
            "properties": feature_properties(doc, loc, upcoming),
        }
        for index, loc in enumerate(doc.get("locations") or [])
        if located(loc)
    ]


def stream_feature_collection(docs: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The FeatureCollection as JSON text chunks, one feature per chunk."""
    yield '{"type": "FeatureCollection", "features": ['
    written = offers = omitted = 0
    for doc in docs:
        found = features(doc)
        if not found:
            omitted += 1
            continue
        offers += 1
        for feature in found:
            prefix = "," if written else ""
            yield prefix + "\n" + json.dumps(feature, ensure_ascii=False)
            written += 1
    yield f'\n], "offers": {offers}, "omitted_offers": {omitted}}}'
