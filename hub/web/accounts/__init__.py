"""German pages for people who sign in: sign-in and password reset, the ministry's enrolment
links, a Jugendamt's sign-up and feed registration, and the municipality's page (/kommune)."""

from __future__ import annotations

from fastapi import FastAPI

from hub.core.errors import PageRefusal
from hub.web.accounts import auth, desk, enrol, kommune
from hub.web.accounts.common import page_error


def install(app: FastAPI) -> None:
    app.include_router(auth.router)
    app.include_router(enrol.router)
    app.include_router(kommune.router)
    app.include_router(desk.router)
    app.exception_handler(PageRefusal)(page_error)
