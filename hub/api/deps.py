"""Annotated dependency aliases shared by every router."""

from __future__ import annotations

import hmac
from typing import Annotated

import redis
from fastapi import Depends, Header, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from hub.core.settings import Settings
from hub.search.engine import SearchEngine, cached_engine, get_engine


async def settings_dep(request: Request) -> Settings:
    """Async, as every dependency that never waits: a sync one costs a trip to a worker
    thread per request."""
    settings: Settings = request.app.state.settings
    return settings


async def serving_engine(settings: Annotated[Settings, Depends(settings_dep)]) -> SearchEngine:
    """Short-timeout client for citizen-facing reads (errors map to 503); created once per
    process in a worker thread, since detecting the engine's flavour may ask the engine."""
    engine = cached_engine(settings, "serve")
    if engine is None:
        engine = await run_in_threadpool(get_engine, settings, "serve")
    return engine


def indexing_engine(settings: Annotated[Settings, Depends(settings_dep)]) -> SearchEngine:
    """Long-timeout client for registry writes."""
    return get_engine(settings, "index")


def redis_dep(request: Request) -> redis.Redis:
    client: redis.Redis = request.app.state.redis
    return client


def is_admin(settings: Settings, given: str) -> bool:
    """Whether `given` is the ministry admin token (constant-time)."""
    expected = settings.admin_token.get_secret_value()
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def require_admin(
    settings: Annotated[Settings, Depends(settings_dep)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """Ministry admin routes need `Authorization: Bearer <HUB_ADMIN_TOKEN>`."""
    if not is_admin(settings, (authorization or "").removeprefix("Bearer ").strip()):
        raise HTTPException(401, detail="Admin-Token fehlt oder ist ungültig.")


SettingsDep = Annotated[Settings, Depends(settings_dep)]
ServeEngine = Annotated[SearchEngine, Depends(serving_engine)]
IndexEngine = Annotated[SearchEngine, Depends(indexing_engine)]
RedisDep = Annotated[redis.Redis, Depends(redis_dep)]
AdminDep = Annotated[None, Depends(require_admin)]
