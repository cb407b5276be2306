"""Push routes of a source: signed events in, and rotation of its webhook secret and API key."""

from __future__ import annotations

import time
from datetime import datetime

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from hub import audit
from hub.api.deps import IndexEngine, RedisDep, SettingsDep
from hub.api.sources import Auth, actor_of, authorized_source
from hub.push.receiver import WebhookReceiver
from hub.sources.secrets import DEFAULT_OVERLAP_HOURS, rotate_api_key, rotate_webhook_secret
from hub.sources.store import SourceRegistry

router = APIRouter(prefix="/api/v1/sources", tags=["webhooks"])
TOO_LARGE = "Der Inhalt ist zu groß (höchstens {limit} Byte)."


class EventAccepted(BaseModel):
    status: str
    webhook_id: str
    task_id: str | None = None


class WebhookSecretOut(BaseModel):
    """A new signing secret: shown once, never again."""

    source_id: str
    secret: str
    fingerprint: str
    previous_valid_until: datetime | None


class ApiKeyOut(BaseModel):
    """A new API key: shown once; every older key is invalid from now on."""

    source_id: str
    api_key: str


@router.post(
    "/{source_id}/events",
    status_code=202,
    summary="Receive a signed event (Standard Webhooks) from the source's CMS",
    responses={200: {"description": "Duplicate webhook-id, already accepted"}},
)
async def receive_event(
    source_id: str, request: Request, settings: SettingsDep, engine: IndexEngine, client: RedisDep
) -> JSONResponse:
    body = await _read_capped(request, settings.webhook_max_body_bytes)
    receiver = WebhookReceiver(settings, SourceRegistry(engine), client)
    headers = dict(request.headers)
    # verification and shape errors become 400/401/422 in hub.api.errors
    receipt = await run_in_threadpool(receiver.receive, source_id, headers, body, int(time.time()))
    out = EventAccepted(**receipt.__dict__)
    status = 200 if receipt.status == "duplicate" else 202
    return JSONResponse(out.model_dump(exclude_none=True), status_code=status)


@router.post("/{source_id}/webhook-secret", status_code=201, summary="New webhook secret")
def new_webhook_secret(
    source_id: str,
    settings: SettingsDep,
    engine: IndexEngine,
    authorization: Auth = None,
    overlap_hours: float = Query(DEFAULT_OVERLAP_HOURS, ge=0, le=24 * 30),
) -> WebhookSecretOut:
    """The previous secret stays valid for `overlap_hours`, so the CMS can switch over."""
    registry = SourceRegistry(engine)
    authorized_source(registry, source_id, settings, authorization)
    created = rotate_webhook_secret(registry, source_id, overlap_hours)
    after = {"fingerprint": created.fingerprint}
    audit.record(
        engine,
        actor_of(settings, authorization),
        "source.webhook_secret_rotated",
        source_id,
        after=after,
        source_id=source_id,
    )
    return WebhookSecretOut(
        source_id=source_id,
        secret=created.secret,
        fingerprint=created.fingerprint,
        previous_valid_until=created.previous_valid_until,
    )


@router.post("/{source_id}/api-key", status_code=201, summary="Rotate the source's API key")
def new_api_key(
    source_id: str, settings: SettingsDep, engine: IndexEngine, authorization: Auth = None
) -> ApiKeyOut:
    registry = SourceRegistry(engine)
    authorized_source(registry, source_id, settings, authorization)
    key = rotate_api_key(registry, source_id)
    audit.record(
        engine,
        actor_of(settings, authorization),
        "source.api_key_rotated",
        source_id,
        source_id=source_id,
    )
    return ApiKeyOut(source_id=source_id, api_key=key)


async def _read_capped(request: Request, limit: int) -> bytes:
    """The raw body, refusing (413) a declared or actual size above `limit` before reading on."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPException(400, detail="Ungültige Content-Length.")
        if int(declared) > limit:
            raise HTTPException(413, detail=TOO_LARGE.format(limit=limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, detail=TOO_LARGE.format(limit=limit))
        chunks.append(chunk)
    return b"".join(chunks)
