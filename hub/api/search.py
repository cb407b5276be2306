"""Public search routes for citizens, professionals, the web page and the widget.

The routes are async and hand their engine calls to a worker thread in one go
(`run_in_threadpool`): a sync route would cost one more thread trip for checking its answer
model, and every trip is a wait when the two cores are busy.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from hub.api.deps import ServeEngine
from hub.api.params import Prepared, encode_cursor
from hub.api.planning import note_search
from hub.search.runner import Fallback, Hit, SearchPage, complete, get_offer, search_page

router = APIRouter(prefix="/api/v1", tags=["search"])


class PlaceOut(BaseModel):
    label: str
    kind: str
    ags: list[str]
    lat: float
    lon: float


class YouthOfficeOut(BaseModel):
    """A youth welfare office as publisher of offers for a place (name and contact)."""

    name: str
    url: str | None = None
    phone: str | None = None
    email: str | None = None


class FallbackOut(BaseModel):
    """The nearest thing that exists when a search finds fewer than 3 offers on its first page.

    `relaxed`: the same search without the request field `dropped` (`q`, `topics`, `kinds`,
    `age_months`, `pregnancy`, `languages`, `cost`, `accessibility`, `online`, `district`,
    `municipality`, `near`); `nearby`: the same search around the place of residence within
    `radius_km` (pass it as `km`), or, for a `municipality` filter, in its whole `district`
    (pass it as `district`); `youth_office`: general counselling (kind `beratung`, topics
    `beratung_krisen`/`erziehung_alltag`) in or for the district of `place`, or, when none is
    known, the youth welfare office (`office`) that publishes offers there."""

    kind: Literal["relaxed", "nearby", "youth_office"]
    total: int = Field(description="How many offers the alternative finds.")
    hits: list[dict[str, Any]] = Field(description="Its first offers, shaped like `hits`.")
    dropped: str | None = None
    radius_km: float | None = None
    district: list[str] | None = None
    place: str | None = None
    office: YouthOfficeOut | None = None


class OffersPage(BaseModel):
    """One page of results: hits (offer fields plus `distance_km` to the nearest location,
    `distance_approximate`, true when the offer names no venue and is placed at its area's
    centre, and with a place of residence `place_match`: `in_place`, `nearby` or `online`),
    facets, paging, and `fallbacks` when the first page holds fewer than 3 offers."""

    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    next: str | None = None
    did_you_mean: str | None = None
    place: PlaceOut | None = None
    fallbacks: list[FallbackOut] = Field(default_factory=list)
    partial: bool = Field(
        False, description="The engine reached its time limit: the page holds what it found."
    )


def hit_json(hit: Hit) -> dict[str, Any]:
    """An offer as found: its fields plus distance, place relation and score."""
    return {
        **hit.offer,
        "distance_km": hit.distance_km,
        "distance_approximate": hit.distance_approximate,
        "place_match": hit.place_match,
        "score": hit.score,
    }


def fallback_out(fallback: Fallback) -> FallbackOut:
    office = YouthOfficeOut(**fallback.office) if fallback.office else None
    return FallbackOut(
        kind=fallback.kind,
        total=fallback.total,
        hits=[hit_json(h) for h in fallback.hits],
        dropped=fallback.dropped,
        radius_km=fallback.radius_km,
        district=fallback.district,
        place=fallback.place,
        office=office,
    )


class Suggestions(BaseModel):
    q: str
    suggestions: list[str]


@router.get("/offers", summary="Search offers statewide")
async def search(
    request: Request, engine: ServeEngine, prepared: Prepared, later: BackgroundTasks
) -> OffersPage:
    page = await run_in_threadpool(search_page, engine, prepared)
    # per-day demand counters, nothing personal; counted after the answer is sent
    later.add_task(note_search, request, page.prepared or prepared, page.total)
    return offers_page(page)


def offers_page(page: SearchPage) -> OffersPage:
    """The answer model of a result page."""
    hits = [hit_json(h) for h in page.hits]
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
        fallbacks=[fallback_out(f) for f in page.fallbacks],
        partial=page.partial,
    )


@router.get("/suggest", summary="Completions while typing")
async def suggest(
    engine: ServeEngine, q: Annotated[str, Query(min_length=1, max_length=100)]
) -> Suggestions:
    return Suggestions(q=q, suggestions=await run_in_threadpool(complete, engine, q))


@router.get("/offers/{offer_id}", summary="One offer by id ('{source_id}:{local_id}')")
def show(offer_id: str, engine: ServeEngine) -> dict[str, Any]:
    return get_offer(engine, offer_id)
