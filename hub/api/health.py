"""Liveness and readiness: `/readyz` checks the engine and Redis and answers 503 if one is down."""

from __future__ import annotations

from typing import Any

import redis
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from hub.api.deps import RedisDep, ServeEngine

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Engine and Redis answer", response_model=None)
def readyz(engine: ServeEngine, client: RedisDep) -> JSONResponse:
    checks: dict[str, Any] = {"search": engine.ping(), "redis": _redis_ok(client)}
    ready = all(checks.values())
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


def _redis_ok(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
