"""The optional Nominatim geocoder, against a local server answering like /search?format=jsonv2."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from hub.ingest.normalise import normalise_record
from hub.ingest.normalise.geocoder import (
    NominatimGeocoder,
    Point,
    geocode_location,
    geocoder_from_settings,
)
from tests.support.feeds import FeedServer, Request, Route

SETTINGS = Settings(environment="test", fetch_allow_hosts=["127.0.0.1"])
HOHER_WEG = [
    {
        "place_id": 123,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
        "osm_type": "way",
        "lat": "51.2969842",
        "lon": "7.6712033",
        "category": "building",
        "type": "yes",
        "display_name": "61, Hoher Weg, Altena, Märkischer Kreis, Nordrhein-Westfalen, 58762",
    }
]


def nominatim(server: FeedServer) -> NominatimGeocoder:
    def search(request: Request) -> Route:
        query = parse_qs(request.query)
        if query.get("street") == ["Hoher Weg 61"]:
            return Route(json.dumps(HOHER_WEG))
        if query.get("street") == ["Unter den Linden 1"]:
            return Route(json.dumps([{"lat": "52.517", "lon": "13.389"}]))
        if query.get("street") == ["Kaputtweg 1"]:
            return Route("overloaded", status=503)
        return Route("[]")

    server.route("/search", search)
    return NominatimGeocoder(server.base_url, SafeFetcher(SETTINGS))


def test_structured_query_finds_the_address(feed_server: FeedServer) -> None:
    geocoder = nominatim(feed_server)
    point = geocoder.geocode("Hoher Weg 61", "58762", "Altena")

    assert point == Point(51.296984, 7.671203)
    query = parse_qs(feed_server.requests[0].query)
    assert query["format"] == ["jsonv2"]
    assert (query["postalcode"], query["city"], query["countrycodes"]) == (
        ["58762"],
        ["Altena"],
        ["de"],
    )


def test_answers_are_cached_including_not_found(feed_server: FeedServer) -> None:
    geocoder = nominatim(feed_server)
    for _ in range(3):
        geocoder.geocode("Hoher Weg 61", "58762", "Altena")
        geocoder.geocode("Gibtsnichtweg 9", "58762", "Altena")

    assert feed_server.hits("/search") == 2


def test_hits_outside_nrw_are_ignored(feed_server: FeedServer) -> None:
    assert nominatim(feed_server).geocode("Unter den Linden 1", None, "Berlin") is None


def test_server_failure_gives_no_point_and_is_not_cached(feed_server: FeedServer) -> None:
    geocoder = nominatim(feed_server)
    assert geocoder.geocode("Kaputtweg 1", None, "Altena") is None
    assert geocoder.geocode("Kaputtweg 1", None, "Altena") is None
    assert feed_server.hits("/search") == 2


def test_only_street_addresses_without_coordinates_are_geocoded(feed_server: FeedServer) -> None:
    geocoder = nominatim(feed_server)
    placed = {"street": "Hoher Weg 61", "city": "Altena", "lat": 51.3, "lon": 7.67}
    without_street = {"postcode": "58762", "city": "Altena"}

    assert geocode_location(placed, geocoder) == placed
    assert geocode_location(without_street, geocoder) == without_street
    assert geocode_location({"street": "Hoher Weg 61"}, geocoder) == {"street": "Hoher Weg 61"}
    assert feed_server.hits("/search") == 0


def test_geocoder_is_off_unless_configured() -> None:
    fetcher = SafeFetcher(SETTINGS)
    assert SETTINGS.geocoder_url is None
    assert geocoder_from_settings(SETTINGS, fetcher) is None
    configured = SETTINGS.model_copy(update={"geocoder_url": "https://nominatim.example/"})
    assert isinstance(geocoder_from_settings(configured, fetcher), NominatimGeocoder)


def test_normaliser_uses_the_exact_point_and_the_gazetteer_for_the_rest(
    feed_server: FeedServer,
) -> None:
    record = {
        "url": "https://www.altena.de/familie/babymassage",
        "title": "Babymassage",
        "updated_at": "2026-01-05T10:00:00+01:00",
        "locations": [{"street": "Hoher Weg 61", "postcode": "58762"}],
    }
    exact = normalise_record("altena", "g-1", record, geocoder=nominatim(feed_server))
    plain = normalise_record("altena", "g-1", record)

    assert exact.offer is not None and plain.offer is not None
    where = exact.offer.locations[0]
    assert (where.lat, where.lon, where.ags, where.city) == (
        51.296984,
        7.671203,
        "05962004",
        "Altena",
    )
    assert (plain.offer.locations[0].lat, plain.offer.locations[0].lon) == (51.2947, 7.6734)
