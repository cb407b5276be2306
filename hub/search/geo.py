"""Map clusters as pure DSL: a geotile grid over the visible bounding box, one centroid per cell.

The grid's precision follows the map's zoom (a cell is about a quarter of a 256 px map tile, so
clusters sit ~64 px apart on screen) and the bucket count is capped, so a zoomed-out view of the
whole state costs the same as a street view. Unit-testable without the engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

Clause = dict[str, Any]
GEO_FIELD = "geo"
MAX_BUCKETS = 500
MAX_PRECISION = 29
CELL_SHIFT = 2  # precision = zoom + 2: four cells per tile edge


@dataclass(frozen=True)
class BBox:
    """The visible map area in degrees (WGS 84), west/south/east/north."""

    west: float
    south: float
    east: float
    north: float

    def __post_init__(self) -> None:
        if not (-180 <= self.west < self.east <= 180):
            raise ValueError("bbox: need -180 <= west < east <= 180")
        if not (-90 <= self.south < self.north <= 90):
            raise ValueError("bbox: need -90 <= south < north <= 90")

    @classmethod
    def parse(cls, text: str) -> BBox:
        """`"w,s,e,n"` as sent by Leaflet's `getBounds().toBBoxString()`."""
        parts = text.split(",")
        if len(parts) != 4:
            raise ValueError("bbox: expected four numbers 'west,south,east,north'")
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise ValueError("bbox: not a number") from None
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise ValueError("bbox: not a finite number")
        return cls(west, south, east, north)

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def bounds(self) -> Clause:
        """The box in the engine's `top_left`/`bottom_right` form."""
        return {
            "top_left": {"lat": self.north, "lon": self.west},
            "bottom_right": {"lat": self.south, "lon": self.east},
        }


@dataclass(frozen=True)
class Cluster:
    """One cell with offers: its centre of mass, the count and, for a single offer, its id."""

    lat: float
    lon: float
    count: int
    offer_id: str | None = None
    title: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"lat": self.lat, "lon": self.lon, "count": self.count}
        if self.offer_id is not None:
            data["offer_id"] = self.offer_id
            data["title"] = self.title
        return data


def precision_for_zoom(zoom: int) -> int:
    """Grid precision (the geotile zoom level of a cell) for a Leaflet zoom level."""
    return max(0, min(MAX_PRECISION, zoom + CELL_SHIFT))


def bbox_filter(bbox: BBox) -> Clause:
    """Offers with at least one location inside the visible box."""
    return {"geo_bounding_box": {GEO_FIELD: bbox.bounds()}}


def cluster_body(bbox: BBox, zoom: int, query: Clause | None = None) -> Clause:
    """Search body: `query` (text and filters of the search) within the box, aggregated on a grid.

    `bounds` keeps cells of an offer's *other* locations outside the box out of the answer;
    `top_hits` of one gives the offer behind a single-offer cell without a second request.
    Offers placed only at their area's centre (`geo_approximate`) get no marker: a pin on the
    town centre would claim a venue the offer never named. The search's query only decides
    which offers count, so it runs as a filter: no offer is scored (the single offer of a
    cell is the same whichever comes first).
    """
    within: list[Clause] = [bbox_filter(bbox), *([query] if query else [])]
    grid: Clause = {
        "field": GEO_FIELD,
        "precision": precision_for_zoom(zoom),
        "size": MAX_BUCKETS,
        "bounds": bbox.bounds(),
    }
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {
            "bool": {
                "filter": within,
                "must_not": [{"term": {"geo_approximate": True}}],
            }
        },
        "aggs": {
            "cells": {
                "geotile_grid": grid,
                "aggs": {
                    "centre": {"geo_centroid": {"field": GEO_FIELD}},
                    "first": {"top_hits": {"size": 1, "_source": ["id", "title"]}},
                },
            }
        },
    }


def tile_bounds(key: str) -> BBox:
    """The area of a geotile key `"z/x/y"` (Web Mercator tile numbering)."""
    zoom, x, y = (int(p) for p in key.split("/"))
    tiles = 2**zoom

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / tiles))))

    return BBox(x / tiles * 360 - 180, lat(y + 1), (x + 1) / tiles * 360 - 180, lat(y))


def parse_clusters(response: Clause) -> list[Cluster]:
    """Clusters from the engine's answer to `cluster_body`, largest first.

    An offer with several locations adds all its points to a cell's centroid; a centroid that
    falls outside its own cell is replaced by the cell's centre so markers stay where they count.
    """
    buckets = response.get("aggregations", {}).get("cells", {}).get("buckets", [])
    clusters = [_cluster(bucket) for bucket in buckets]
    return sorted(clusters, key=lambda c: (-c.count, c.lat, c.lon))


def _cluster(bucket: Clause) -> Cluster:
    cell = tile_bounds(str(bucket["key"]))
    centre = bucket.get("centre", {}).get("location")
    if centre and cell.contains(centre["lat"], centre["lon"]):
        lat, lon = float(centre["lat"]), float(centre["lon"])
    else:
        lat, lon = (cell.south + cell.north) / 2, (cell.west + cell.east) / 2
    count = int(bucket["doc_count"])
    if count != 1:
        return Cluster(round(lat, 6), round(lon, 6), count)
    hits = bucket.get("first", {}).get("hits", {}).get("hits", [])
    source = hits[0].get("_source", {}) if hits else {}
    offer_id = source.get("id") or (hits[0].get("_id") if hits else None)
    return Cluster(round(lat, 6), round(lon, 6), 1, offer_id, source.get("title"))
