"""Monthly snapshots of the coverage matrix, and the trend of an area against them.

A snapshot is one document per month and municipality (`{month}:{ags}`) with the in-person
offers located there and whether its inhabitants have an offer within reach, per cell. Since
every population point is a municipality centre, an area's reach in a past month is exact from
its members' documents; its offer count is the sum over its municipalities. The index lives
beside the registry indices, so reindexing the offers leaves it alone. Writing a month that
exists is skipped (the beat task runs daily), unless forced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from hub.core.errors import NotFound
from hub.core.places import Gazetteer, gazetteer
from hub.planning.aggregations import per_municipality_body, read_per_municipality
from hub.planning.areas import Area, resolve_area
from hub.planning.matrix import Key
from hub.planning.reach import PopulationPoint, population_points, reach_share
from hub.planning.report import DEFAULT_KM, axes, covered_points, search_offers
from hub.search.engine import SearchEngine
from hub.search.indices import PLANNING_SNAPSHOTS


@dataclass(frozen=True)
class TrendCell:
    """One cell now and then."""

    topic: str
    age_group: str
    offers: int
    offers_before: int
    reach: float
    reach_before: float


@dataclass(frozen=True)
class Trend:
    month: str
    compared_with: str | None
    cells: list[TrendCell]


def month_of(day: date | datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _index(engine: SearchEngine) -> str:
    return engine.name(PLANNING_SNAPSHOTS)


def months(engine: SearchEngine) -> list[str]:
    """Months with a snapshot, oldest first."""
    body = {"size": 0, "aggs": {"months": {"terms": {"field": "month", "size": 1000}}}}
    answer = engine.request("POST", f"/{_index(engine)}/_search", body)
    return sorted(str(b["key"]) for b in answer["aggregations"]["months"]["buckets"])


def take_snapshot(
    engine: SearchEngine,
    *,
    now: datetime | None = None,
    km: float = DEFAULT_KM,
    force: bool = False,
    gaz: Gazetteer | None = None,
) -> tuple[str, int]:
    """Write this month's snapshot (month, documents written; 0 when it already existed)."""
    gaz = gaz or gazetteer()
    now = now or datetime.now(UTC)
    month = month_of(now)
    if not force and month in months(engine):
        return month, 0
    state = resolve_area("nrw", gaz)
    per_place = read_per_municipality(search_offers(engine, per_municipality_body()))
    covered = covered_points(engine, population_points(state.members, gaz), km)
    topics, groups = axes()
    actions: list[dict[str, Any]] = []
    for ags in state.members:
        cells = {
            f"{t}|{g}": {
                "offers": per_place.get(ags, {}).get((t, g), 0),
                "covered": ags in covered.get((t, g), set()),
            }
            for t in topics
            for g in groups
        }
        doc = {
            "month": month,
            "ags": ags,
            "district_ags": ags[:5],
            "taken_at": now.isoformat(),
            "km": km,
            "cells": cells,
        }
        actions.append(
            {"_op_type": "index", "_index": _index(engine), "_id": f"{month}:{ags}", **doc}
        )
    failed = [item for ok, item in engine.streaming_bulk(actions, chunk_size=500) if not ok]
    if failed:
        raise RuntimeError(f"planning snapshot: {len(failed)} documents not written")
    engine.request("POST", f"/{_index(engine)}/_refresh")
    return month, len(actions)


def _cells_of(engine: SearchEngine, month: str, area: Area) -> dict[str, dict[str, Any]]:
    body = {
        "size": len(area.members),
        "query": {
            "bool": {"filter": [{"term": {"month": month}}, {"terms": {"ags": list(area.members)}}]}
        },
    }
    answer = engine.request("POST", f"/{_index(engine)}/_search", body)
    return {h["_source"]["ags"]: h["_source"]["cells"] for h in answer["hits"]["hits"]}


def _figures(
    docs: dict[str, dict[str, Any]], points: list[PopulationPoint], key: Key
) -> tuple[int, float]:
    field = f"{key[0]}|{key[1]}"
    offers = sum(int(cells.get(field, {}).get("offers", 0)) for cells in docs.values())
    covered = {ags for ags, cells in docs.items() if cells.get(field, {}).get("covered")}
    share, _ = reach_share(points, covered)
    return offers, round(share, 4)


def trend(
    engine: SearchEngine, area: Area, month: str | None = None, gaz: Gazetteer | None = None
) -> Trend:
    """The area in `month` (default: the latest) against the same month a year before, or else
    the earliest snapshot; a month without snapshot is a German 404."""
    gaz = gaz or gazetteer()
    known = months(engine)
    if not known:
        raise NotFound("no planning snapshots", message_de="Es gibt noch keine Monatsstände.")
    month = month or known[-1]
    if month not in known:
        raise NotFound(
            f"no planning snapshot for {month}",
            message_de=f"Für {month} gibt es keinen Monatsstand. Vorhanden: "
            + ", ".join(known[-12:]),
        )
    year, mon = (int(p) for p in month.split("-"))
    last_year = f"{year - 1:04d}-{mon:02d}"
    before = last_year if last_year in known else (known[0] if known[0] != month else None)
    points = population_points(area.members, gaz)
    now_docs = _cells_of(engine, month, area)
    then_docs = _cells_of(engine, before, area) if before else {}
    topics, groups = axes()
    cells = []
    for t in topics:
        for g in groups:
            offers, reach = _figures(now_docs, points, (t, g))
            offers_before, reach_before = (
                _figures(then_docs, points, (t, g)) if before else (0, 0.0)
            )
            cells.append(TrendCell(t, g, offers, offers_before, reach, reach_before))
    return Trend(month, before, cells)
