"""The search's query parameters as one dependency, shared by search, map, and exports.

Every public read takes the same filters with the same meaning and runs the same prepared
search (`Prepared`: place, spelling correction, query), so a result list, its map and its CSV
never disagree. Invalid values answer 422 with a German reason.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Query
from pydantic import ValidationError

from hub.api.deps import ServeEngine
from hub.search.prepared import PreparedSearch
from hub.search.request import MAX_RADIUS_KM, MIN_RADIUS_KM, SearchRequest
from hub.search.runner import prepare_search

StrList = Annotated[list[str], Query()]


def encode_cursor(values: list[Any] | None) -> str | None:
    """An opaque `after` cursor for deep paging from the last hit's sort values."""
    if not values:
        return None
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(422, detail="Ungültiger Blätter-Cursor (after).") from None
    if not isinstance(values, list):
        raise HTTPException(422, detail="Ungültiger Blätter-Cursor (after).")
    return values


async def search_params(
    q: Annotated[str, Query(max_length=200, description="Keywords as typed, e.g. 'hebame'")] = "",
    ags: Annotated[list[str], Query(description="Municipality AGS (8 digits)")] = [],  # noqa: B006
    district: Annotated[list[str], Query(description="District key (5 digits)")] = [],  # noqa: B006
    place: Annotated[
        str | None, Query(max_length=100, description="Place of residence: name, postcode or AGS")
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="Point for distance")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    km: Annotated[
        float | None,
        Query(
            ge=MIN_RADIUS_KM,
            le=MAX_RADIUS_KM,
            description="Radius in km around lat/lon, else around the place of residence "
            "(default 15)",
        ),
    ] = None,
    topic: Annotated[list[str], Query(description="Topic codes")] = [],  # noqa: B006
    kind: StrList = [],  # noqa: B006
    language: Annotated[list[str], Query(description="ISO 639-1 codes")] = [],  # noqa: B006
    cost: StrList = [],  # noqa: B006
    accessibility: StrList = [],  # noqa: B006
    online: Annotated[bool | None, Query(description="true: online only; false: on site")] = None,
    age_months: Annotated[int | None, Query(ge=0, le=216, description="Child's age")] = None,
    pregnancy: Annotated[bool | None, Query(description="Offers for pregnancy")] = None,
    sort: Annotated[Literal["relevance", "distance", "next_date"], Query()] = "relevance",
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    page: Annotated[int, Query(ge=1, le=500)] = 1,
    after: Annotated[str | None, Query(description="Cursor from `next` (deep paging)")] = None,
) -> SearchRequest:
    """Query parameters → a validated `SearchRequest` (async: it never waits, so it runs on
    the event loop instead of costing a trip to a worker thread)."""
    near = None
    radius = {}
    if lat is not None and lon is not None:
        near = {"lat": lat, "lon": lon, **({"km": km} if km else {})}
    elif (lat is None) != (lon is None):
        raise HTTPException(422, detail="lat und lon bitte zusammen angeben.")
    elif km is not None:
        radius = {"radius_km": km}
    try:
        return SearchRequest.model_validate(
            {
                "q": q,
                "municipality": ags,
                "district": district,
                "place": place or None,
                "near": near,
                "topics": topic,
                "kinds": kind,
                "languages": language,
                "cost": cost,
                "accessibility": accessibility,
                "online": online,
                "age_months": age_months,
                "pregnancy": pregnancy,
                "sort": sort,
                "size": size,
                "page": page,
                "search_after": decode_cursor(after) if after else None,
                **radius,
            }
        )
    except ValidationError as exc:
        reason = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise HTTPException(422, detail=f"Ungültige Suchangabe: {reason}") from None


SearchParams = Annotated[SearchRequest, Depends(search_params)]


async def prepared_search(engine: ServeEngine, request: SearchParams) -> PreparedSearch:
    """The request prepared once for the list, the map and every export of it; the spelling
    check rides along with the route's first engine call (one round trip, not two), so
    preparing never waits on the engine and runs on the event loop."""
    return prepare_search(engine, request, defer_spelling=True)


Prepared = Annotated[PreparedSearch, Depends(prepared_search)]
