"""Public search routes for citizens, professionals, the web page and the widget."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from hub.api.deps import ServeEngine
from hub.api.params import Prepared, encode_cursor
from hub.search.runner import complete, get_offer, search_page

router = APIRouter(prefix="/api/v1", tags=["search"])


class PlaceOut(BaseModel):
    label: str
    kind: str
    ags: list[str]
    lat: float
    lon: float


class OffersPage(BaseModel):
    """One page of results: hits (offer fields plus `distance_km` and `distance_approximate`,
    true when the offer names no venue and is placed at its area's centre), facets, paging."""

    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    next: str | None = None
    did_you_mean: str | None = None
    place: PlaceOut | None = None


class Suggestions(BaseModel):
    q: str
    suggestions: list[str]


@router.get("/offers", summary="Search offers statewide")
def search(engine: ServeEngine, prepared: Prepared) -> OffersPage:
    page = search_page(engine, prepared)
    hits = [
        {
            **h.offer,
            "distance_km": h.distance_km,
            "distance_approximate": h.distance_approximate,
            "score": h.score,
        }
        for h in page.hits
    ]
    facets = {name: {v.value: v.count for v in values} for name, values in page.facets.items()}
    place = page.place
    return OffersPage(
        total=page.total,
        hits=hits,
        facets=facets,
        next=encode_cursor(page.next_search_after),
        did_you_mean=page.did_you_mean,
        place=PlaceOut(
            label=place.label, kind=place.kind, ags=list(place.ags), lat=place.lat, lon=place.lon
        )
        if place
        else None,
    )


@router.get("/suggest", summary="Completions while typing")
def suggest(
    engine: ServeEngine, q: Annotated[str, Query(min_length=1, max_length=100)]
) -> Suggestions:
    return Suggestions(q=q, suggestions=complete(engine, q))


@router.get("/offers/{offer_id}", summary="One offer by id ('{source_id}:{local_id}')")
def show(offer_id: str, engine: ServeEngine) -> dict[str, Any]:
    return get_offer(engine, offer_id)
