"""The planners' page `/planung`: heat-map table, gaps on a map and as a table, comparisons,
trend and search demand, with CSV/XLSX links. German only (planners read German).

Access is the planning API's: the same principal, the same `check_area`; the page renders
refusals and bad input as German messages with their status, never a 500.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hub.core.errors import AccessDenied, HubError, NotFound, UnknownPlace
from hub.core.places import gazetteer
from hub.core.settings import Settings
from hub.planning.access import (
    Principal,
    check_area,
    organisation_principal,
    principal_from_token,
)
from hub.planning.areas import resolve_area
from hub.planning.demand import demand
from hub.planning.export import group_label, topic_label
from hub.planning.report import DEFAULT_KM, Report, build_report
from hub.planning.snapshots import Trend, trend
from hub.search.engine import get_engine
from hub.web.accounts.common import SIGN_IN_PATH, visit
from hub.web.i18n import Translator
from hub.web.templating import render

router = APIRouter(tags=["web"], include_in_schema=False)
MAX_GAPS = 50
TEMPLATE = "planning/report.html"
UNAVAILABLE_DE = "Der Planungsbericht ist gerade nicht verfügbar. Bitte später erneut versuchen."
BANDS = (
    (1.0, "full", "alle"),
    (0.9, "high", "fast alle"),
    (0.5, "mid", "viele"),
    (0.0, "low", "wenige"),
)


def band(reach: float) -> tuple[str, str]:
    """CSS class and words of a reach share (colour is never the only signal)."""
    if reach <= 0:
        return "none", "niemand"
    if reach >= 1:
        return "full", "alle"
    if reach >= 0.9:
        return "high", "fast alle"
    if reach >= 0.5:
        return "mid", "mehr als die Hälfte"
    return "low", "weniger als die Hälfte"


def percent(value: float) -> str:
    return f"{value * 100:.0f} %".replace(".", ",")


def decimal(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _base(status_message: str = "") -> dict[str, Any]:
    tr = Translator("de")
    return {"tr": tr, "t": tr.t, "switch": [], "message": status_message}


def heat_rows(report: Report) -> list[dict[str, Any]]:
    """The matrix as table rows: one per topic, one cell per age group."""
    m = report.matrix
    rows = []
    for topic in m.topics:
        cells = []
        for group in m.age_groups:
            c = m.cells[(topic, group)]
            css, words = band(c.reach)
            cells.append(
                {
                    "css": css,
                    "words": words,
                    "reach": percent(c.reach),
                    "offers": c.offers,
                    "per_10k": decimal(c.per_10k),
                    "online": c.online,
                    "stale": c.stale,
                }
            )
        rows.append({"label": topic_label(topic), "cells": cells})
    return rows


def gap_points(report: Report) -> list[dict[str, Any]]:
    """Per municipality with gaps: its centre and how many cells lack an offer in reach."""
    gaz = gazetteer()
    counts: dict[str, int] = {}
    for gap in report.gaps:
        counts[gap.ags] = counts.get(gap.ags, 0) + 1
    total = len(report.matrix.cells)
    return [
        {
            "name": gaz.municipalities[ags].name,
            "lat": gaz.municipalities[ags].lat,
            "lon": gaz.municipalities[ags].lon,
            "population": gaz.municipalities[ags].population,
            "gaps": n,
            "cells": total,
        }
        for ags, n in sorted(counts.items(), key=lambda item: -item[1])
    ]


def trend_rows(found: Trend) -> list[dict[str, Any]]:
    """Cells whose reach or offer count changed, largest change of reach first."""
    changed = [c for c in found.cells if (c.reach, c.offers) != (c.reach_before, c.offers_before)]
    changed.sort(key=lambda c: -abs(c.reach - c.reach_before))
    return [
        {
            "topic": topic_label(c.topic),
            "group": group_label(c.age_group),
            "reach": percent(c.reach),
            "reach_before": percent(c.reach_before),
            "offers": c.offers,
            "offers_before": c.offers_before,
        }
        for c in changed[:30]
    ]


def _signed_in_principal(request: Request) -> tuple[Principal, str] | None:
    """The signed-in person's organisation as a principal, with its own area as the default."""
    found = visit(request)
    if found.user is None or found.org is None:
        return None
    org = found.org
    principal = organisation_principal(org.name, org.ags, ministry=org.is_ministry)
    return principal, ("" if org.is_ministry else ",".join(org.ags))


@router.get("/planung", response_class=HTMLResponse)
def planning_page(
    request: Request,
    gebiet: Annotated[str, Query(max_length=4000)] = "",
    km: Annotated[str, Query(max_length=10)] = "",
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    settings: Settings = request.app.state.settings
    principal = principal_from_token(settings, authorization)
    if principal is None:
        signed_in = _signed_in_principal(request)
        if signed_in is None:
            return RedirectResponse(SIGN_IN_PATH, status_code=303)
        principal, own_area = signed_in
        gebiet = gebiet or own_area
    distance, km_error = _distance(km)
    form = {"gebiet": gebiet, "km": km or f"{DEFAULT_KM:g}"}
    if km_error:
        return render(TEMPLATE, settings, status=422, **_base(km_error), form=form)
    if not gebiet:
        return render(TEMPLATE, settings, **_base(), form=form)
    try:
        ctx = _report_context(settings, principal, gebiet, distance)
    except (UnknownPlace, AccessDenied) as exc:
        status = 403 if isinstance(exc, AccessDenied) else 422
        return render(TEMPLATE, settings, status=status, **_base(exc.message_de), form=form)
    except HubError:
        return render(
            "planning/report.html",
            settings,
            status=503,
            **_base(UNAVAILABLE_DE),
            form=form,
        )
    return render(TEMPLATE, settings, **_base(), form=form, **ctx)


def _distance(text: str) -> tuple[float, str]:
    if not text:
        return DEFAULT_KM, ""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = -1
    if not 0 < value <= 100:
        return DEFAULT_KM, "Die Entfernung muss eine Zahl zwischen 0 und 100 Kilometern sein."
    return value, ""


def _report_context(
    settings: Settings, principal: Principal, text: str, km: float
) -> dict[str, Any]:
    area = resolve_area(text)
    check_area(principal, area)
    engine = get_engine(settings, "index")
    report = build_report(engine, area, km=km)
    names = {ags: m.name for ags, m in gazetteer().municipalities.items()}
    try:
        found: Trend | None = trend(engine, area)
    except NotFound:
        found = None
    query = urlencode({"area": area.code, "km": f"{km:g}"})
    ctx: dict[str, Any] = {
        "report": report,
        "groups": [group_label(g) for g in report.matrix.age_groups],
        "rows": heat_rows(report),
        "gaps": [
            {**g.__dict__, "topic": topic_label(g.topic), "group": group_label(g.age_group)}
            for g in report.gaps[:MAX_GAPS]
        ],
        "gap_count": len(report.gaps),
        "map_config": {
            "tileUrl": settings.tile_url,
            "tileAttribution": settings.tile_attribution,
            "points": gap_points(report),
        },
        "comparisons": [
            {
                **c.__dict__,
                "name": names.get(c.ags, c.ags),
                "topic": topic_label(c.topic),
                "group": group_label(c.age_group),
            }
            for c in report.comparisons
            if c.per_10k < c.peer_median
        ][:MAX_GAPS],
        "without_topic": [
            (topic_label(t), [names.get(a, a) for a in ags])
            for t, ags in report.without_topic.items()
        ],
        "trend": found,
        "trend_rows": trend_rows(found) if found else [],
        "csv_url": f"/api/v1/planning/report.csv?{query}",
        "xlsx_url": f"/api/v1/planning/report.xlsx?{query}",
        "population": f"{report.matrix.population:,}".replace(",", "."),
    }
    if principal.kind == "admin":
        until = datetime.now(UTC).date()
        ctx["demand"] = demand(get_engine(settings), until - timedelta(days=29), until)
    return ctx
