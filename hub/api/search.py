"""Public search routes for citizens, professionals and the widget."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hub.api.deps import ServeEngine
from hub.errors import NotFound
from hub.search.service import OfferQuery, SearchResult, get_offer, search_offers

router = APIRouter(prefix="/api/v1/offers", tags=["search"])


@router.get("", summary="Search offers statewide")
def search(
    engine: ServeEngine,
    q: Annotated[str, Query(max_length=200, description="Keywords, e.g. 'hebamme'")] = "",
    ags: Annotated[list[str], Query(description="Municipality AGS (8 digits)")] = [],  # noqa: B006
    topic: Annotated[list[str], Query(description="Topic codes")] = [],  # noqa: B006
    age_months: Annotated[int | None, Query(ge=0, le=216, description="Child's age")] = None,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> SearchResult:
    query = OfferQuery(q=q, ags=ags, topics=topic, age_months=age_months, size=size, page=page)
    return search_offers(engine, query)


@router.get("/{offer_id}", summary="One offer by id ('{source_id}:{local_id}')")
def show(offer_id: str, engine: ServeEngine) -> dict[str, Any]:
    try:
        return get_offer(engine, offer_id)
    except NotFound:
        raise NotFound(
            f"offer {offer_id!r} not found", message_de="Dieses Angebot gibt es nicht (mehr)."
        ) from None
