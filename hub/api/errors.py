"""Errors as HTTP answers, decided in one place: every error body has one shape.

    {"error": "<code>", "detail": "<German text>", "request_id": "<id>"}

`error` is a stable machine-readable code (the hub error's `code`, or the HTTP status as
snake_case for FastAPI's own errors), `detail` is German for the municipality or citizen, and
`request_id` is also sent as the `x-request-id` header. 4xx answers keep their German reason;
5xx answers say in general terms what is unavailable, because the internal message (hosts,
ports, library exceptions) helps an attacker more than a citizen. It goes to the log under the
same request id instead, where an operator finds it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from hub.core.answers import HTTP_ERRORS, INTERNAL_DE, TRY_LATER_DE, public_detail, status_of
from hub.core.errors import HubError

log = structlog.get_logger(__name__)


def install(app: FastAPI) -> None:
    """Register the handlers: hub errors, FastAPI's HTTP and validation errors, anything else."""
    app.exception_handler(HubError)(hub_error)
    app.exception_handler(HTTPException)(http_error)
    app.exception_handler(RequestValidationError)(validation_error)
    app.exception_handler(Exception)(unexpected_error)


def request_id(request: Request) -> str:
    """The id the request-id middleware gave this request (or a fresh one outside it)."""
    found = getattr(request.state, "request_id", None)
    if not found:
        found = request.state.request_id = uuid.uuid4().hex
    return str(found)


def error_response(
    request: Request, status: int, code: str, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one error body, with the request id in body and header."""
    rid = request_id(request)
    return JSONResponse(
        {"error": code, "detail": detail, "request_id": rid},
        status_code=status,
        headers={**(headers or {}), "x-request-id": rid},
    )


async def hub_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HubError)
    status = status_of(exc)
    if status >= 500:
        log.warning(
            "api.unavailable", error=exc.code, message=exc.message, request_id=request_id(request)
        )
    return error_response(request, status, exc.code, public_detail(exc, status))


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's HTTPException: routes raise it with a German detail; defaults become German."""
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    code, default_de = HTTP_ERRORS.get(status, (f"http_{status}", HTTPStatus(status).phrase))
    german = isinstance(exc.detail, str) and exc.detail != HTTPStatus(status).phrase
    detail = str(exc.detail) if german and exc.detail else default_de
    return error_response(request, status, code, detail, exc.headers)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Request validation (422): which parameters are wrong, in German; pydantic's English
    messages stay in the log."""
    assert isinstance(exc, RequestValidationError)
    errors: list[dict[str, Any]] = list(exc.errors())
    names = sorted({_field(e["loc"]) for e in errors})
    reasons = [f"{_field(e['loc'])}: {e['msg']}" for e in errors]  # never the input: personal
    log.info("api.invalid_request", reasons=reasons, request_id=request_id(request))
    detail = f"{HTTP_ERRORS[422][1]} Bitte prüfen Sie: {', '.join(names)}."
    return error_response(request, 422, "invalid_request", detail)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug: 500 in the one shape, the traceback in the log under the request id."""
    log.error("api.unexpected_error", request_id=request_id(request), exc_info=exc)
    return error_response(request, 500, "internal_error", f"{INTERNAL_DE} {TRY_LATER_DE}")


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    """`("query", "size")` → `size`; a body field keeps its path (`config.url`)."""
    parts = [str(p) for p in loc if p not in ("query", "path", "header", "body", "cookie")]
    return ".".join(parts) or "Inhalt"
