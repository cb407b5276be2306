"""Exact geocoding of street addresses, pluggable and off by default.

The gazetteer gives every location a postcode or town centre for free; a geocoder refines a
location that has a street but no coordinates. It runs only when `Settings.geocoder_url` is set
(a Nominatim instance the operator may use: the public one allows one request per second and
no bulk use), goes through the safe fetcher like every outbound request, and caches answers in
process. A failed lookup never rejects a record: the location keeps the gazetteer's point.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import structlog

from hub.core.errors import FetchError
from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from hub.core.vocab import fold

log = structlog.get_logger(__name__)

# The schema's bounding box for NRW locations; anything outside is a wrong hit.
NRW_LAT = (50.0, 52.8)
NRW_LON = (5.5, 9.8)


@dataclass(frozen=True)
class Point:
    """WGS84 coordinates of a geocoded address."""

    lat: float
    lon: float


class Geocoder(Protocol):
    """Anything that turns a German street address into a point (or None when unsure)."""

    def geocode(self, street: str, postcode: str | None, city: str | None) -> Point | None:
        """The point of the address, or None."""
        ...


class NominatimGeocoder:
    """Structured `/search?format=jsonv2` queries against a Nominatim instance, LRU-cached."""

    def __init__(self, base_url: str, fetcher: SafeFetcher, cache_size: int = 4096) -> None:
        self.base_url = base_url.rstrip("/")
        self.fetcher = fetcher
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str, str], Point | None] = OrderedDict()

    def geocode(self, street: str, postcode: str | None, city: str | None) -> Point | None:
        """Cached lookup; answers (also "not found") are kept, fetch failures are not."""
        key = (fold(street), (postcode or "").strip(), fold(city or ""))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        try:
            point = self._lookup(street, postcode, city)
        except FetchError as exc:
            log.warning("geocoder.failed", error=exc.message)
            return None
        self._cache[key] = point
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return point

    def _lookup(self, street: str, postcode: str | None, city: str | None) -> Point | None:
        params = {"format": "jsonv2", "street": street.strip(), "countrycodes": "de", "limit": "1"}
        if postcode:
            params["postalcode"] = postcode.strip()
        if city:
            params["city"] = city.strip()
        params["state"] = "Nordrhein-Westfalen"
        response = self.fetcher.get(f"{self.base_url}/search?{urlencode(params)}")
        return _first_point(response.json())


def _first_point(answer: Any) -> Point | None:
    if not isinstance(answer, list) or not answer or not isinstance(answer[0], dict):
        return None
    try:
        lat, lon = float(answer[0]["lat"]), float(answer[0]["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    inside = NRW_LAT[0] <= lat <= NRW_LAT[1] and NRW_LON[0] <= lon <= NRW_LON[1]
    return Point(round(lat, 6), round(lon, 6)) if inside else None


def geocoder_from_settings(settings: Settings, fetcher: SafeFetcher) -> Geocoder | None:
    """The configured geocoder, or None when `geocoder_url` is not set (the default)."""
    if not settings.geocoder_url:
        return None
    return NominatimGeocoder(settings.geocoder_url, fetcher)


def geocode_location(loc: dict[str, Any], geocoder: Geocoder | None) -> dict[str, Any]:
    """Add coordinates to a location with a street and none of its own; else return it as is."""
    street = str(loc.get("street") or "").strip()
    if geocoder is None or not street or loc.get("lat") is not None or loc.get("lon") is not None:
        return loc
    if not (loc.get("postcode") or loc.get("city")):
        return loc
    point = geocoder.geocode(street, _str(loc.get("postcode")), _str(loc.get("city")))
    if point is None:
        return loc
    return {**loc, "lat": point.lat, "lon": point.lon}


def _str(value: Any) -> str | None:
    return str(value).strip() if value not in (None, "") else None
