"""Map clusters: the pure DSL builder, and the grid it asks for on the real engine."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from hub.core.schema import Offer
from hub.search.engine import SearchEngine
from hub.search.geo import (
    MAX_BUCKETS,
    BBox,
    cluster_body,
    parse_clusters,
    precision_for_zoom,
    tile_bounds,
)
from hub.search.indices import OFFERS
from hub.search.writer import OfferWriter

NRW = BBox(5.8, 50.3, 9.5, 52.6)
COLOGNE = (50.9375, 6.9603)
DOM = (50.9413, 6.9583)
ESSEN = (51.4556, 7.0116)


def test_bbox_parses_leaflet_bbox_string() -> None:
    assert BBox.parse("6.5,50.8,7.2,51.1") == BBox(6.5, 50.8, 7.2, 51.1)


@pytest.mark.parametrize("text", ["", "1,2,3", "a,b,c,d", "7,50,6,51", "6,51,7,50", "nan,1,2,3"])
def test_bbox_refuses_malformed_or_inverted_boxes(text: str) -> None:
    with pytest.raises(ValueError):
        BBox.parse(text)


def test_precision_follows_zoom_and_is_capped() -> None:
    assert precision_for_zoom(0) == 2
    assert precision_for_zoom(10) == 12
    assert precision_for_zoom(40) == 29


def test_cluster_body_filters_the_box_and_bounds_the_bucket_count() -> None:
    query = {"term": {"topics": "hebammen"}}
    body = cluster_body(NRW, 8, query)
    grid = body["aggs"]["cells"]["geotile_grid"]
    assert body["size"] == 0
    assert body["query"]["bool"]["filter"][1:] == [query]  # decides which offers, unscored
    assert body["query"]["bool"]["filter"][0]["geo_bounding_box"]["geo"] == NRW.bounds()
    assert (grid["precision"], grid["size"], grid["bounds"]) == (10, MAX_BUCKETS, NRW.bounds())
    assert "geo_centroid" in body["aggs"]["cells"]["aggs"]["centre"]


def test_tile_bounds_of_a_key_contain_its_points() -> None:
    cell = tile_bounds("10/531/343")  # the tile over Cologne at zoom 10
    assert cell.contains(*COLOGNE)


def test_centroid_outside_its_cell_falls_back_to_the_cell_centre() -> None:
    answer = {
        "aggregations": {
            "cells": {
                "buckets": [
                    {
                        "key": "10/531/343",
                        "doc_count": 2,
                        "centre": {"location": {"lat": 51.4556, "lon": 7.0116}},
                    }
                ]
            }
        }
    }
    (cluster,) = parse_clusters(answer)
    assert tile_bounds("10/531/343").contains(cluster.lat, cluster.lon)
    assert cluster.count == 2 and cluster.offer_id is None


def _offer(source: str, local_id: str, *points: tuple[float, float]) -> Offer:
    return Offer(
        id=f"{source}:{local_id}",
        source_id=source,
        local_id=local_id,
        url=f"https://www.example.de/{local_id}",
        title=f"Angebot {local_id}",
        updated_at="2026-03-01T10:00:00+01:00",
        locations=[{"lat": lat, "lon": lon} for lat, lon in points],
    )


@pytest.fixture
def indexed(engine: SearchEngine) -> str:
    source = f"geo-{uuid.uuid4().hex[:8]}"
    offers = [
        _offer(source, "koeln-1", COLOGNE),
        _offer(source, "koeln-2", DOM),
        _offer(source, "essen-1", ESSEN),
    ]
    OfferWriter(engine).write(offers)
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    return source


def _clusters(engine: SearchEngine, box: BBox, zoom: int, source: str) -> list[dict[str, Any]]:
    body = cluster_body(box, zoom, {"term": {"source_id": source}})
    found = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)
    return [c.as_json() for c in parse_clusters(found)]


def test_zoomed_out_view_groups_nearby_offers_into_one_cluster(
    engine: SearchEngine, indexed: str
) -> None:
    found = _clusters(engine, NRW, 7, indexed)
    assert [c["count"] for c in found] == [2, 1]
    assert found[1]["offer_id"] == f"{indexed}:essen-1"
    assert abs(found[0]["lat"] - 50.94) < 0.01 and abs(found[0]["lon"] - 6.96) < 0.01


def test_street_view_splits_clusters_and_names_single_offers(
    engine: SearchEngine, indexed: str
) -> None:
    found = _clusters(engine, BBox(6.9, 50.9, 7.0, 50.97), 16, indexed)
    assert sorted(c["offer_id"] for c in found) == [f"{indexed}:koeln-1", f"{indexed}:koeln-2"]
    assert all(c["title"].startswith("Angebot koeln") for c in found)


def test_offer_with_a_location_outside_the_box_adds_no_cell_outside_it(
    engine: SearchEngine,
) -> None:
    source = f"geo-{uuid.uuid4().hex[:8]}"
    OfferWriter(engine).write([_offer(source, "both", COLOGNE, ESSEN)])
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    box = BBox(6.8, 50.85, 7.1, 51.0)
    found = _clusters(engine, box, 10, source)
    assert len(found) == 1 and box.contains(found[0]["lat"], found[0]["lon"])
