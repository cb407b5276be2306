"""Map clusters for the citizen page and the widget: the search's offers, grouped on a grid."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from hub.api.deps import ServeEngine
from hub.api.params import Prepared
from hub.search.geo import BBox
from hub.search.runner import map_clusters

router = APIRouter(prefix="/api/v1/offers", tags=["search"])


async def map_area(
    bbox: Annotated[str, Query(description="west,south,east,north in degrees (WGS 84)")],
) -> BBox:
    """The visible map area; checked before the search is prepared (no engine call for a typo)."""
    try:
        return BBox.parse(bbox)
    except ValueError as exc:
        raise HTTPException(422, detail=f"Ungültiger Kartenausschnitt: {exc}") from None


@router.get("/clusters", summary="Offer clusters of a map view (bbox + zoom) for a search")
async def clusters(
    engine: ServeEngine,
    box: Annotated[BBox, Depends(map_area)],
    zoom: Annotated[int, Query(ge=0, le=22, description="Leaflet zoom level")],
    search: Prepared,
) -> list[dict[str, Any]]:
    """`[{lat, lon, count, offer_id?, title?}]`: one entry per grid cell with offers (max 500).

    Takes every parameter of `GET /api/v1/offers` with the same meaning and the same spelling
    correction, so the map shows exactly the located offers of the result list; paging and
    sort parameters are ignored.
    """
    found = await run_in_threadpool(map_clusters, engine, search, box, zoom)
    return [cluster.as_json() for cluster in found]
