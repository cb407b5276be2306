"""Citizen web pages, the map's page script and the embeddable widget (server-rendered)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hub.web import pages, planning_page, report_page, widget
from hub.web.security import PublicReadCors
from hub.web.templating import STATIC_DIR


def install(app: FastAPI) -> None:
    """Add the pages, the widget, `/static` (own CSS/JS and vendored Leaflet) and public CORS."""
    app.include_router(pages.router)
    app.include_router(report_page.router)  # "Fehler melden" posts
    app.include_router(planning_page.router)  # /planung, for planners (admin token for now)
    app.include_router(widget.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(PublicReadCors)
