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

from hub.core.errors import (
    AccessDenied,
    BadTimestampError,
    BrokerUnavailable,
    ConfigError,
    ConflictError,
    EngineUnavailable,
    EventShapeError,
    HubError,
    MissingHeadersError,
    NotFound,
    ServiceUnavailable,
    UnknownPlace,
    WebhookVerificationError,
)

log = structlog.get_logger(__name__)

# first match wins: subclasses before their parents
STATUS: tuple[tuple[type[HubError], int], ...] = (
    (MissingHeadersError, 400),
    (BadTimestampError, 400),
    (WebhookVerificationError, 401),
    (AccessDenied, 403),
    (NotFound, 404),
    (ConflictError, 409),
    (ConfigError, 422),
    (UnknownPlace, 422),
    (EventShapeError, 422),
    (ServiceUnavailable, 503),
)
DEFAULT_STATUS = 400

UNAVAILABLE_DE: tuple[tuple[type[ServiceUnavailable], str], ...] = (
    (EngineUnavailable, "Der Suchdienst ist gerade nicht erreichbar."),
    (BrokerUnavailable, "Die Warteschlange ist gerade nicht erreichbar."),
    (ServiceUnavailable, "Ein benötigter Dienst ist gerade nicht erreichbar."),
)
TRY_LATER_DE = "Bitte versuchen Sie es in ein paar Minuten erneut."
INTERNAL_DE = "Bei der Bearbeitung ist ein interner Fehler aufgetreten."

# code and German reason of answers FastAPI or Starlette raise with their English default text
HTTP_ERRORS = {
    400: ("bad_request", "Die Anfrage ist fehlerhaft."),
    401: ("unauthorized", "Anmeldung fehlt oder ist ungültig."),
    403: ("forbidden", "Kein Zugriff."),
    404: ("not_found", "Diese Adresse gibt es nicht."),
    405: ("method_not_allowed", "Diese Methode ist hier nicht erlaubt."),
    409: ("conflict", "Gleichzeitig wurde etwas anderes geändert. Bitte erneut versuchen."),
    413: ("too_large", "Der Inhalt ist zu groß."),
    422: ("invalid_request", "Die Anfrage ist ungültig."),
    429: ("too_many_requests", "Zu viele Anfragen. Bitte warten Sie einen Moment."),
}


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


def status_of(exc: HubError) -> int:
    return next((status for cls, status in STATUS if isinstance(exc, cls)), DEFAULT_STATUS)


def public_detail(exc: HubError, status: int) -> str:
    """German text safe to show anyone: the error's own for 4xx, a general one for 5xx."""
    if status >= 500:
        what = next((text for cls, text in UNAVAILABLE_DE if isinstance(exc, cls)), INTERNAL_DE)
        return f"{what} {TRY_LATER_DE}"
    if exc.message_de == exc.message:  # raised without a German text: never echo the English
        return HTTP_ERRORS.get(status, HTTP_ERRORS[DEFAULT_STATUS])[1]
    return exc.message_de


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
