"""The FastAPI application: routers per audience, request ids in logs, errors as HTTP answers
(`hub.api.errors`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis
import structlog
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.api import (
    accounts,
    errors,
    exports,
    health,
    metrics,
    notices,
    planning,
    search,
    sources,
    webhooks,
)
from hub.api import map as map_api
from hub.core.logging import configure_logging
from hub.core.settings import Settings, get_settings
from hub.search.preload import preload
from hub.web import install as install_web
from hub.web.accounts import install as install_account_pages


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    app = FastAPI(
        title="Familienhub NRW",
        version="1",
        description="Statewide search of family-support offers (Frühe Hilfen) in NRW.",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.redis = redis.Redis.from_url(
        settings.redis_url, socket_timeout=2, socket_connect_timeout=2
    )
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(map_api.router)  # before search: /offers/clusters is not an offer id
    app.include_router(exports.router)  # before search: /offers/export.* is not an offer id
    app.include_router(search.router)
    app.include_router(sources.router)
    app.include_router(notices.router)  # reports and stale offers of a source
    app.include_router(webhooks.router)  # signed pushes and key rotation
    app.include_router(accounts.router)  # enrolment links for the ministry's scripts
    app.include_router(planning.router)  # planning reports (admin token; organisations later)
    install_web(app)  # citizen pages, widget, /static, CORS for public reads
    install_account_pages(app)  # sign-in, enrolment, the municipality's page (German)
    app.add_middleware(RequestId)
    errors.install(app)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """A worker loads the search's data files before it takes requests (`hub.search.preload`)."""
    await run_in_threadpool(preload)
    yield


class RequestId:
    """Every request gets an id (the caller's `x-request-id` or a fresh one) in its log lines,
    its error body and its answer's `x-request-id` header. Plain ASGI rather than
    `app.middleware("http")`, which costs a task group and a stream per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id  # error answers name it too
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-request-id"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)
