"""Map clusters for the citizen page and the widget: the search's filters, grouped on a grid."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from hub.api.deps import ServeEngine
from hub.api.params import SearchParams
from hub.search.geo import BBox, cluster_body, parse_clusters
from hub.search.indices import OFFERS
from hub.search.intent import understand
from hub.search.query import build_query
from hub.search.runner import resolve_residence

router = APIRouter(prefix="/api/v1/offers", tags=["search"])


@router.get("/clusters", summary="Offer clusters of a map view (bbox + zoom) for a search")
def clusters(
    engine: ServeEngine,
    request: SearchParams,
    bbox: Annotated[str, Query(description="west,south,east,north in degrees (WGS 84)")],
    zoom: Annotated[int, Query(ge=0, le=22, description="Leaflet zoom level")],
) -> list[dict[str, Any]]:
    """`[{lat, lon, count, offer_id?, title?}]`: one entry per grid cell with offers (max 500).

    Takes every filter of `GET /api/v1/offers` with the same meaning, so the map shows exactly
    the offers of the result list; paging and sort parameters are ignored.
    """
    try:
        box = BBox.parse(bbox)
    except ValueError as exc:
        raise HTTPException(422, detail=f"Ungültiger Kartenausschnitt: {exc}") from None
    place = resolve_residence(request)
    query = build_query(request, understand(request.q), place)
    found = engine.request(
        "POST", f"/{engine.name(OFFERS)}/_search", cluster_body(box, zoom, query)
    )
    return [cluster.as_json() for cluster in parse_clusters(found)]
