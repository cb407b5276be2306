"""GeoJSON export: RFC 7946 structure, [lon, lat] order, one feature per located place."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.core.schema import Offer
from hub.exports.geojson import features, stream_feature_collection
from hub.search.documents import search_document

SOON = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
PAST = datetime(2024, 1, 1, 9, tzinfo=UTC)


def document(local_id: str = "1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": f"koeln:{local_id}",
        "source_id": "koeln",
        "local_id": local_id,
        "url": f"https://www.stadt-koeln.de/familie/{local_id}",
        "title": "Stillcafé Ehrenfeld",
        "kind": "treffpunkt",
        "topics": ["gesundheit_ernaehrung", "begegnung"],
        "provider": {"name": "Familienzentrum Ehrenfeld"},
        "locations": [
            {
                "name": "Bürgerzentrum",
                "street": "Venloer Straße 429",
                "postcode": "50825",
                "city": "Köln",
                "ags": "05315000",
                "lat": 50.9517,
                "lon": 6.9155,
            }
        ],
        "dates": [{"start": PAST.isoformat()}, {"start": SOON.isoformat()}],
        "updated_at": "2026-02-01T10:00:00+01:00",
    }
    return search_document(Offer(**{**data, **overrides}))


def collection(*docs: dict[str, Any]) -> dict[str, Any]:
    text = "".join(stream_feature_collection(iter(docs)))
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def assert_rfc7946_point_feature(feature: dict[str, Any]) -> None:
    assert feature["type"] == "Feature"
    assert isinstance(feature["id"], str | int)
    assert isinstance(feature["properties"], dict)
    geometry = feature["geometry"]
    assert geometry["type"] == "Point"
    lon, lat = geometry["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90
    assert "crs" not in feature and "crs" not in geometry


def test_collection_is_rfc7946_with_lon_lat_order() -> None:
    fc = collection(document())
    assert fc["type"] == "FeatureCollection"
    assert "crs" not in fc
    (feature,) = fc["features"]
    assert_rfc7946_point_feature(feature)
    assert feature["geometry"]["coordinates"] == [6.9155, 50.9517]  # lon first, then lat


def test_properties_carry_labels_address_and_the_next_date() -> None:
    (feature,) = collection(document())["features"]
    props = feature["properties"]
    assert props["id"] == "koeln:1" and feature["id"] == "koeln:1#0"
    assert props["title"] == "Stillcafé Ehrenfeld"
    assert props["url"] == "https://www.stadt-koeln.de/familie/1"
    assert (props["kind"], props["kind_label"]) == ("treffpunkt", "Treffpunkt")
    assert props["topics"] == ["Gesundheit & Ernährung", "Begegnung & Treffpunkte"]
    assert props["provider"] == "Familienzentrum Ehrenfeld"
    assert props["address"] == "Venloer Straße 429, 50825 Köln"
    assert datetime.fromisoformat(props["next_date"]) == SOON  # the past date is skipped


def test_one_feature_per_located_place_and_online_offers_counted_not_drawn() -> None:
    two_places = document(
        "2",
        locations=[
            {"city": "Köln", "lat": 50.94, "lon": 6.96},
            {"city": "Köln", "lat": 50.93, "lon": 6.95},
            {"city": "Köln"},  # no coordinates: no feature
        ],
    )
    online = document("3", locations=[], online=True)
    fc = collection(document(), two_places, online)
    assert [f["id"] for f in fc["features"]] == ["koeln:1#0", "koeln:2#0", "koeln:2#1"]
    assert (fc["offers"], fc["omitted_offers"]) == (2, 1)
    assert features(online) == []


def test_round_trip_through_json_keeps_every_feature() -> None:
    docs = [document(str(i)) for i in range(5)]
    fc = collection(*docs)
    again = json.loads(json.dumps(fc, ensure_ascii=False))
    assert again == fc
    assert len(again["features"]) == 5
    for feature in again["features"]:
        assert_rfc7946_point_feature(feature)


def test_empty_collection_is_valid_json() -> None:
    fc = collection()
    assert fc == {"type": "FeatureCollection", "features": [], "offers": 0, "omitted_offers": 0}
