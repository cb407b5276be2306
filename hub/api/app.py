"""The FastAPI application: routers per audience, request ids in logs, hub errors as HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import redis
import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from hub.api import exports, health, search, sources, webhooks
from hub.api import map as map_api
from hub.core.errors import (
    ConfigError,
    ConflictError,
    HubError,
    NotFound,
    ServiceUnavailable,
    UnknownPlace,
)
from hub.core.logging import configure_logging
from hub.core.settings import Settings, get_settings
from hub.web import install as install_web

STATUS = {
    NotFound: 404,
    ConflictError: 409,
    ConfigError: 422,
    UnknownPlace: 422,
    ServiceUnavailable: 503,
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    app = FastAPI(
        title="Familienhub NRW",
        version="1",
        description="Statewide search of family-support offers (Frühe Hilfen) in NRW.",
    )
    app.state.settings = settings
    app.state.redis = redis.Redis.from_url(
        settings.redis_url, socket_timeout=2, socket_connect_timeout=2
    )
    app.include_router(health.router)
    app.include_router(map_api.router)  # before search: /offers/clusters is not an offer id
    app.include_router(exports.router)  # before search: /offers/export.* is not an offer id
    app.include_router(search.router)
    app.include_router(sources.router)
    app.include_router(webhooks.router)  # signed pushes and key rotation
    install_web(app)  # citizen pages, widget, /static, CORS for public reads
    app.middleware("http")(_request_id)
    app.exception_handler(HubError)(_hub_error)
    return app


async def _request_id(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    response = await call_next(request)
    response.headers["x-request-id"] = request_id
    return response


async def _hub_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HubError)
    status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
    if status >= 500:
        structlog.get_logger(__name__).warning("api.unavailable", error=exc.message)
    return JSONResponse(
        {"error": exc.code, "detail": exc.message_de, "message": exc.message},
        status_code=status,
    )
