"""Source routes: the ministry registers and operates sources; a municipality sees its own."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException
from pydantic import BaseModel

from hub import audit
from hub.api.deps import AdminDep, IndexEngine, SettingsDep, is_admin
from hub.core.settings import Settings
from hub.sources import enrolment, operations
from hub.sources.keys import key_matches
from hub.sources.runs import RunStore, SyncRun
from hub.sources.store import Source, SourceInput, SourceRegistry

router = APIRouter(prefix="/api/v1/sources", tags=["sources"])


class SourceOut(BaseModel):
    """A source as shown to its municipality or the ministry (no secrets)."""

    id: str
    name: str
    organisation_id: str | None = None
    ags: list[str]
    kind: str
    url: str
    interval_minutes: int
    reconcile_hours: int | None
    contact_emails: list[str]
    state: str
    state_reason: str
    consecutive_failures: int
    offer_count: int
    last_run_id: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_reconciled_at: datetime | None
    pending_deletion: int

    @classmethod
    def of(cls, source: Source) -> SourceOut:
        data = source.model_dump(exclude={"pending_deletion"})
        return cls(**data, pending_deletion=len(source.pending_deletion.get("ids", [])))


class SourceCreated(SourceOut):
    api_key: str


class SyncQueued(BaseModel):
    source_id: str
    task_id: str
    status: str = "queued"


def authorize(
    source_id: str, settings: Settings, source: Source, authorization: str | None
) -> None:
    """Admin token, or an API key of exactly this source."""
    given = (authorization or "").removeprefix("Bearer ").strip()
    if is_admin(settings, given) or (given and key_matches(given, source.api_key_hashes)):
        return
    raise HTTPException(403, detail=f"Kein Zugriff auf die Quelle „{source_id}“.")


def authorized_source(
    registry: SourceRegistry, source_id: str, settings: Settings, authorization: str | None
) -> Source:
    """The source, if the caller may act for it (404 if unknown, 403 if not theirs)."""
    source = registry.get(source_id)
    authorize(source_id, settings, source, authorization)
    return source


Auth = Annotated[str | None, Header(alias="Authorization")]


def actor_of(settings: Settings, authorization: str | None) -> audit.Actor:
    """The admin token or a source's API key, as the audit log names them (never the value)."""
    given = (authorization or "").removeprefix("Bearer ").strip()
    return audit.ADMIN_TOKEN if is_admin(settings, given) else audit.SOURCE_KEY


@router.post("", status_code=201, summary="Register a source (ministry)")
def create_source(
    data: SourceInput, _: AdminDep, settings: SettingsDep, engine: IndexEngine
) -> SourceCreated:
    registered = enrolment.register_source(settings, SourceRegistry(engine), data)
    after = audit.source_snapshot(registered.source)
    audit.record(
        engine, audit.ADMIN_TOKEN, "source.registered", data.id, after=after, source_id=data.id
    )
    return SourceCreated(**SourceOut.of(registered.source).model_dump(), api_key=registered.api_key)


@router.get("", summary="All sources with their health (ministry)")
def list_sources(_: AdminDep, engine: IndexEngine) -> list[SourceOut]:
    return [SourceOut.of(s) for s in SourceRegistry(engine).list()]


@router.get("/{source_id}", summary="One source (its municipality or the ministry)")
def show_source(
    source_id: str, settings: SettingsDep, engine: IndexEngine, authorization: Auth = None
) -> SourceOut:
    source = authorized_source(SourceRegistry(engine), source_id, settings, authorization)
    return SourceOut.of(source)


@router.get("/{source_id}/runs", summary="Recent sync runs with counts and rejections")
def list_runs(
    source_id: str, settings: SettingsDep, engine: IndexEngine, authorization: Auth = None
) -> list[SyncRun]:
    authorized_source(SourceRegistry(engine), source_id, settings, authorization)
    return RunStore(engine).for_source(source_id)


@router.post("/{source_id}/sync", status_code=202, summary="Queue a resync")
def request_sync(
    source_id: str,
    settings: SettingsDep,
    engine: IndexEngine,
    authorization: Auth = None,
    full: bool = False,
) -> SyncQueued:
    authorized_source(SourceRegistry(engine), source_id, settings, authorization)
    task_id = enrolment.request_sync(settings, source_id, trigger="api", full=full)
    actor = actor_of(settings, authorization)
    audit.record(
        engine, actor, "source.sync", source_id, after={"task": task_id}, source_id=source_id
    )
    return SyncQueued(source_id=source_id, task_id=task_id)


def _operated(
    engine: IndexEngine, action: str, source_id: str, change: operations.Change
) -> SourceOut:
    before, after = audit.source_snapshot(change.before), audit.source_snapshot(change.after)
    audit.record(engine, audit.ADMIN_TOKEN, action, source_id, before, after, source_id=source_id)
    return SourceOut.of(change.after)


@router.post("/{source_id}/pause", summary="Pause scheduled syncs; offers stay (ministry)")
def pause_source(source_id: str, _: AdminDep, engine: IndexEngine) -> SourceOut:
    changed = operations.pause(SourceRegistry(engine), source_id)
    return _operated(engine, "source.pause", source_id, changed)


@router.post("/{source_id}/resume", summary="Resume a paused source (ministry)")
def resume_source(source_id: str, _: AdminDep, engine: IndexEngine) -> SourceOut:
    changed = operations.resume(SourceRegistry(engine), source_id)
    return _operated(engine, "source.resume", source_id, changed)
