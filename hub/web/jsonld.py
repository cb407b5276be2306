"""schema.org JSON-LD of an offer's detail page, so search engines and assistants read it right.

An offer with dates is an `Event` (first upcoming session as start, every session in
`eventSchedule`); any other offer is a `Service`. The provider is an `Organization`, the served
municipalities are `areaServed`, the languages `inLanguage` (BCP 47 = ISO 639-1 here).
"""

from __future__ import annotations

import json
from typing import Any

from hub.core.places import municipality
from hub.core.vocab import vocabulary

CONTEXT = "https://schema.org"


def offer_jsonld(offer: dict[str, Any], page_url: str) -> dict[str, Any]:
    """The JSON-LD object for one offer document (as the search API returns it)."""
    dates = offer.get("dates") or []
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Event" if dates else "Service",
        "@id": page_url,
        "name": offer["title"],
        "url": offer["url"],
        "mainEntityOfPage": page_url,
        "inLanguage": offer.get("languages") or ["de"],
    }
    text = offer.get("description") or offer.get("summary")
    if text:
        data["description"] = text
    organisation = _organisation(offer.get("provider"))
    places = [_place(loc) for loc in offer.get("locations") or []]
    areas = _areas(offer)
    if dates:
        data.update(_event(offer, dates, organisation, places))
    else:
        data.update(_service(offer, organisation, places))
    if areas:
        data["areaServed"] = areas
    if offer.get("cost") == "free":
        data["isAccessibleForFree"] = True
    return {k: v for k, v in data.items() if v not in (None, [], {})}


def _event(
    offer: dict[str, Any],
    dates: list[dict[str, Any]],
    organisation: dict[str, Any] | None,
    places: list[dict[str, Any]],
) -> dict[str, Any]:
    first = offer.get("next_date") or min(d["start"] for d in dates)
    session = next((d for d in dates if d["start"] == first), dates[0])
    schedule = [
        {
            "@type": "Schedule",
            "startDate": d["start"],
            **({"endDate": d["end"]} if d.get("end") else {}),
        }
        for d in dates
    ]
    mode = "https://schema.org/OnlineEventAttendanceMode"
    if places:
        mode = (
            "https://schema.org/MixedEventAttendanceMode"
            if offer.get("online")
            else ("https://schema.org/OfflineEventAttendanceMode")
        )
    return {
        "startDate": first,
        "endDate": session.get("end"),
        "eventSchedule": schedule,
        "eventAttendanceMode": mode,
        "location": places or [{"@type": "VirtualLocation", "url": offer["url"]}],
        "organizer": organisation,
    }


def _service(
    offer: dict[str, Any], organisation: dict[str, Any] | None, places: list[dict[str, Any]]
) -> dict[str, Any]:
    kind = offer.get("kind")
    kinds = vocabulary("kinds").terms
    return {
        "provider": organisation,
        "serviceType": kinds[kind].label_de if kind in kinds else None,
        "availableChannel": [
            {"@type": "ServiceChannel", "serviceUrl": offer["url"], "serviceLocation": place}
            for place in places
        ]
        or None,
    }


def _organisation(provider: dict[str, Any] | None) -> dict[str, Any] | None:
    if not provider:
        return None
    found = {
        "@type": "Organization",
        "name": provider.get("name"),
        "url": provider.get("url"),
        "telephone": provider.get("phone"),
        "email": provider.get("email"),
    }
    return {k: v for k, v in found.items() if v}


def _place(loc: dict[str, Any]) -> dict[str, Any]:
    address = {
        "@type": "PostalAddress",
        "streetAddress": loc.get("street"),
        "postalCode": loc.get("postcode"),
        "addressLocality": loc.get("city"),
        "addressRegion": "Nordrhein-Westfalen",
        "addressCountry": "DE",
    }
    place: dict[str, Any] = {
        "@type": "Place",
        "name": loc.get("name") or loc.get("city"),
        "address": {k: v for k, v in address.items() if v},
    }
    if loc.get("lat") is not None and loc.get("lon") is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": loc["lat"], "longitude": loc["lon"]}
    return {k: v for k, v in place.items() if v}


def _areas(offer: dict[str, Any]) -> list[dict[str, Any]]:
    codes = list(
        dict.fromkeys([*(offer.get("area_ags") or []), *(offer.get("location_ags") or [])])
    )
    areas = []
    for code in codes:
        found = municipality(code)
        if found:
            areas.append({"@type": "AdministrativeArea", "name": found.name, "identifier": code})
    return areas


def script_json(data: dict[str, Any]) -> str:
    """JSON safe inside `<script type="application/ld+json">` (no `</script>` breakout)."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
