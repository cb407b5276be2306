"""The pages read the public search API in-process (ASGI), exactly as the widget and map do.

One contract for every client: a filter, field or "Meinten Sie" the API learns shows up on the
page without a second code path, and a parameter the API does not know yet is simply not sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx
from fastapi import FastAPI, Request

Params = list[tuple[str, str]]


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    data: Any

    @property
    def ok(self) -> bool:
        return self.status == 200


async def api_get(app: FastAPI, path: str, params: Params, request_id: str = "") -> ApiAnswer:
    """GET `path` on the app itself; non-JSON or failing answers come back with their status.

    A bug in the API comes back as its 500 answer rather than an exception, so the page shows
    its German error text; `request_id` (the page's own) files both under one id in the log.
    """
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = {"x-request-id": request_id} if request_id else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.internal") as client:
        response = await client.get(path, params=tuple(params), headers=headers)
    try:
        data = response.json()
    except ValueError:
        data = None
    return ApiAnswer(response.status_code, data)


def request_id(request: Request) -> str:
    """The page's request id, passed on to the API call so one id names both in the log."""
    return str(getattr(request.state, "request_id", "") or request.headers.get("x-request-id", ""))


@lru_cache(maxsize=32)
def query_params(app: FastAPI, path: str) -> frozenset[str]:
    """Names of the query parameters the API route at `path` accepts, from its OpenAPI schema."""
    operation = app.openapi().get("paths", {}).get(path, {}).get("get", {})
    return frozenset(
        str(p["name"]) for p in operation.get("parameters", []) if p.get("in") == "query"
    )


def has_route(app: FastAPI, path: str) -> bool:
    """Whether the API serves GET `path` (an optional endpoint such as suggestions)."""
    return "get" in app.openapi().get("paths", {}).get(path, {})
