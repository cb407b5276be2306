"""Planning routes for the ministry and, once organisations sign in, the Jugendämter.

`GET /api/v1/planning/report` (JSON), `/report.csv`, `/report.xlsx`, `/trend`, `/demand`.
Who may see which area is decided only in `hub.planning.access`; this module turns the
caller into a `Principal` (today: the admin token) and asks it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import Response

from hub.api.deps import SettingsDep
from hub.core.places import gazetteer
from hub.core.settings import Settings
from hub.planning import demand as demand_counts
from hub.planning.access import Principal, check_area, principal_from_token
from hub.planning.areas import Area, resolve_area
from hub.planning.export import report_csv, report_json, report_xlsx
from hub.planning.report import DEFAULT_KM, Report, build_report
from hub.planning.snapshots import trend
from hub.search.engine import get_engine
from hub.search.prepared import PreparedSearch

router = APIRouter(prefix="/api/v1/planning", tags=["planning"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AreaParam = Annotated[
    str,
    Query(
        min_length=2,
        max_length=4000,
        description="AGS (8 digits), district key (5 digits) or name, `nrw`, or a list of AGS "
        "separated by commas (a Jugendamt's area).",
    ),
]
KmParam = Annotated[float, Query(gt=0, le=100, description="Reach distance in kilometres.")]
MonthParam = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


def planning_principal(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> Principal:
    """The caller: the admin token is the ministry (all areas). Organisation sign-in plugs in
    here and returns `Principal("organisation", name, ags)`."""
    found = principal_from_token(settings, authorization)
    if found is not None:
        return found
    raise HTTPException(401, detail="Für Planungsberichte ist eine Anmeldung nötig.")


PrincipalDep = Annotated[Principal, Depends(planning_principal)]


def allowed_area(area: str, principal: Principal) -> Area:
    """The area asked for, if the caller may see it (422 unknown, 403 another's)."""
    found = resolve_area(area)
    check_area(principal, found)
    return found


def _report(settings: Settings, area: str, principal: Principal, km: float) -> Report:
    found = allowed_area(area, principal)
    # staff reports are heavy aggregations: the long-timeout client, not the citizens' one
    return build_report(get_engine(settings, "index"), found, km=km)


@router.get("/report", summary="Coverage matrix, gaps and comparisons of an area")
def report(
    settings: SettingsDep, principal: PrincipalDep, area: AreaParam, km: KmParam = DEFAULT_KM
) -> dict[str, Any]:
    return report_json(_report(settings, area, principal, km))


@router.get("/report.csv", summary="The coverage matrix as CSV")
def report_as_csv(
    settings: SettingsDep, principal: PrincipalDep, area: AreaParam, km: KmParam = DEFAULT_KM
) -> Response:
    found = _report(settings, area, principal, km)
    return Response(
        report_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="planung-{_slug(found)}.csv"'},
    )


@router.get("/report.xlsx", summary="Matrix, gaps, comparisons and notes as a workbook")
def report_as_xlsx(
    settings: SettingsDep, principal: PrincipalDep, area: AreaParam, km: KmParam = DEFAULT_KM
) -> Response:
    found = _report(settings, area, principal, km)
    names = {ags: m.name for ags, m in gazetteer().municipalities.items()}
    return Response(
        report_xlsx(found, names),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="planung-{_slug(found)}.xlsx"'},
    )


def _slug(found: Report) -> str:
    code = found.matrix.area_code
    return code if "," not in code else f"gebiet-{len(found.matrix.members)}"


@router.get("/trend", summary="An area's month against the same month last year")
def area_trend(
    settings: SettingsDep, principal: PrincipalDep, area: AreaParam, month: MonthParam = None
) -> dict[str, Any]:
    found = allowed_area(area, principal)
    result = trend(get_engine(settings, "index"), found, month)
    return {
        "area": {"code": found.code, "label": found.label},
        "month": result.month,
        "compared_with": result.compared_with,
        "cells": [c.__dict__ for c in result.cells],
    }


@router.get("/demand", summary="Searches per topic, age group and place; queries found little")
def search_demand(
    request: Request,
    settings: SettingsDep,
    principal: PrincipalDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    k: Annotated[int, Query(ge=demand_counts.K_MIN, le=1000)] = demand_counts.K_MIN,
) -> dict[str, Any]:
    """State-wide counts: search demand is not split by organisation (places are counted, not
    people), so only the ministry sees it for now."""
    if principal.kind != "admin":
        raise HTTPException(403, detail="Die Suchnachfrage sieht derzeit nur das Ministerium.")
    engine = get_engine(settings, "index")
    demand_counts.flush(engine, request.app.state.redis, prefix=settings.index_prefix)
    until = datetime.now(UTC).date()
    found = demand_counts.demand(engine, until - timedelta(days=days - 1), until, k)
    return {
        "since": found.since.isoformat(),
        "until": found.until.isoformat(),
        "k": found.k,
        "total": found.total,
        "by": {dim: dict(counts.most_common()) for dim, counts in found.by.items()},
        "hidden_queries": found.hidden,
    }


def note_search(request: Request, search: PreparedSearch, total: int) -> None:
    """The search route's one call: count the search in the day's demand counters."""
    settings: Settings = request.app.state.settings
    demand_counts.record_search(
        request.app.state.redis, search, total, prefix=settings.index_prefix
    )
