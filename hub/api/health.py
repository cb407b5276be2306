"""Liveness and readiness: `/readyz` checks the engine and Redis and answers 503 if one is down,
naming the one that failed and why (for a load balancer's log and the operator)."""

from __future__ import annotations

import re

import redis
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from hub.api.deps import RedisDep, SettingsDep
from hub.core.errors import HubError
from hub.core.settings import Settings
from hub.search.engine import get_engine

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Engine and Redis answer", response_model=None)
def readyz(settings: SettingsDep, client: RedisDep) -> JSONResponse:
    reasons = {
        name: reason
        for name, reason in (("search", _search_down(settings)), ("redis", _redis_down(client)))
        if reason
    }
    checks = {name: name not in reasons for name in ("search", "redis")}
    body: dict[str, object] = {"status": "unavailable" if reasons else "ready", "checks": checks}
    if reasons:
        body["reasons"] = reasons
    return JSONResponse(body, status_code=503 if reasons else 200)


def _search_down(settings: Settings) -> str | None:
    """Why the engine is not ready, or None when it answers its cluster health."""
    try:
        get_engine(settings, "serve").request("GET", "/_cluster/health")
    except HubError as exc:
        return _without_credentials(exc.message)
    return None


def _redis_down(client: redis.Redis) -> str | None:
    try:
        client.ping()
    except redis.RedisError as exc:
        return _without_credentials(f"redis not reachable: {exc}")
    return None


def _without_credentials(reason: str) -> str:
    """The reason with any `user:password@` of a URL removed (the answer is public)."""
    return re.sub(r"//[^/@\s]+@", "//", reason)
