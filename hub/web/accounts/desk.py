"""The ministry's operations desk (/ministerium/betrieb) and the audit log (/ministerium/protokoll):
health of every source, coverage of NRW, pause / resume / resync / decisions on held
deletions, the zero-downtime reindex; for admins of the ministry only."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from hub import audit
from hub.accounts.organisations import OrganisationStore
from hub.accounts.users import Role
from hub.core.errors import BrokerUnavailable, ConflictError, NotFound, PageRefusal
from hub.ingest import reindex_job
from hub.queue import enqueue_reindex
from hub.sources import operations
from hub.sources.enrolment import request_sync
from hub.sources.overview import error_rates, offer_counts
from hub.sources.store import Source, SourceRegistry
from hub.web.accounts.common import PageRoute, Visit, page, posted, visit
from hub.web.accounts.desk_view import coverage, district_rows, health_counts, source_rows

router = APIRouter(
    prefix="/ministerium", tags=["accounts"], include_in_schema=False, route_class=PageRoute
)
OPERATORS_ONLY_DE = (
    "Der Betrieb ist den Administratorinnen und Administratoren des Ministeriums vorbehalten."
)
QUEUE_DOWN_DE = "Die Warteschlange ist gerade nicht erreichbar. Bitte versuchen Sie es später."
BAD_QUERY_DE = "Bitte prüfen Sie die Suche: Datumsangaben im Format JJJJ-MM-TT, Seite ab 1."


def operator(found: Visit) -> audit.Actor:
    """The signed-in admin of the ministry as an audit actor; 303 to sign-in, else 403."""
    user, org = found.ministry()
    if Role.ADMIN not in user.roles:
        raise PageRefusal(403, OPERATORS_ONLY_DE)
    return audit.Actor.person(user.email, org.id)


def _desk_page(found: Visit, status: int = 200, **extra: Any) -> Response:
    engine, settings = found.engine, found.settings
    now = datetime.now(UTC)
    orgs = {o.id: o for o in OrganisationStore(engine).all()}
    rows = source_rows(
        SourceRegistry(engine).list(),
        orgs,
        error_rates(engine),
        now,
        settings.freshness_target_factor,
    )
    per_place, per_district = offer_counts(engine)
    places = coverage(rows, per_place)
    map_data = {
        "tileUrl": settings.tile_url,
        "tileAttribution": settings.tile_attribution,
        "places": [
            {k: p[k] for k in ("ags", "name", "lat", "lon", "health", "health_de", "offers")}
            for p in places
            if p["sources"]
        ],
    }
    ctx: dict[str, Any] = {
        "rows": rows,
        "counts": health_counts(rows),
        "places": places,
        "covered": sum(1 for p in places if p["sources"]),
        "districts": district_rows(per_district, places),
        "map_config": json.dumps(map_data, ensure_ascii=False),
        "reindex": reindex_job.status(found.request.app.state.redis, settings),
        "factor": settings.freshness_target_factor,
        "notice": None,
        "error": None,
    }
    ctx.update(extra)
    return page(found, "desk.html", status=status, **ctx)


@router.get("/betrieb")
def desk(request: Request) -> Response:
    found = visit(request)
    operator(found)
    return _desk_page(found)


def _source(found: Visit, source_id: str) -> Source:
    try:
        return SourceRegistry(found.engine).get(source_id)
    except NotFound:
        raise PageRefusal(404, "Diese Quelle gibt es nicht.") from None


@router.post("/betrieb/quellen/{source_id}/pausieren")
async def pause(request: Request, source_id: str) -> Response:
    found, _ = await posted(request)
    actor = operator(found)
    _source(found, source_id)
    try:
        done = operations.pause(SourceRegistry(found.engine), source_id)
    except ConflictError as exc:
        return _desk_page(found, 409, error=exc.message_de)
    _record(found, actor, "source.pause", source_id, done)
    return _desk_page(found, notice=f"Die Quelle „{source_id}“ ist pausiert.")


@router.post("/betrieb/quellen/{source_id}/fortsetzen")
async def resume(request: Request, source_id: str) -> Response:
    found, _ = await posted(request)
    actor = operator(found)
    _source(found, source_id)
    try:
        done = operations.resume(SourceRegistry(found.engine), source_id)
    except ConflictError as exc:
        return _desk_page(found, 409, error=exc.message_de)
    _record(found, actor, "source.resume", source_id, done)
    notice = f"Die Quelle „{source_id}“ läuft wieder; der nächste Takt synchronisiert sie."
    return _desk_page(found, notice=notice)


@router.post("/betrieb/quellen/{source_id}/synchronisieren")
async def resync(request: Request, source_id: str) -> Response:
    found, _ = await posted(request)
    actor = operator(found)
    _source(found, source_id)
    throttle = operations.ResyncThrottle(request.app.state.redis, found.settings)
    if not throttle.allow(source_id):
        return _desk_page(found, 429, error=operations.TOO_MANY_RESYNCS_DE)
    try:
        task = request_sync(found.settings, source_id, trigger="ministerium", full=True)
    except BrokerUnavailable:
        return _desk_page(found, 503, error=QUEUE_DOWN_DE)
    audit.record(
        found.engine, actor, "source.sync", source_id, after={"task": task}, source_id=source_id
    )
    return _desk_page(found, notice=f"Die Synchronisierung von „{source_id}“ ist angestoßen.")


@router.post("/betrieb/quellen/{source_id}/loeschung-freigeben")
async def approve_deletion(request: Request, source_id: str) -> Response:
    found, _ = await posted(request)
    actor = operator(found)
    source = _source(found, source_id)
    try:
        operations.check_deletion_waits(source)
        request_sync(
            found.settings, source_id, trigger="ministerium", full=True, allow_mass_delete=True
        )
    except ConflictError as exc:
        return _desk_page(found, 409, error=exc.message_de)
    except BrokerUnavailable:
        return _desk_page(found, 503, error=QUEUE_DOWN_DE)
    held = len(source.pending_deletion.get("ids", []))
    audit.record(
        found.engine,
        actor,
        "source.deletion_approved",
        source_id,
        before=audit.source_snapshot(source),
        after={"approved": held},
        source_id=source_id,
    )
    notice = f"Die Löschung von {held} Angeboten ist freigegeben; ein voller Lauf entfernt sie."
    return _desk_page(found, notice=notice)


@router.post("/betrieb/quellen/{source_id}/loeschung-ablehnen")
async def refuse_deletion(request: Request, source_id: str) -> Response:
    found, _ = await posted(request)
    actor = operator(found)
    _source(found, source_id)
    try:
        done = operations.refuse_deletion(SourceRegistry(found.engine), source_id, actor.name)
    except ConflictError as exc:
        return _desk_page(found, 409, error=exc.message_de)
    _record(found, actor, "source.deletion_refused", source_id, done)
    notice = f"Die Löschung bei „{source_id}“ ist abgelehnt; die Angebote bleiben in der Suche."
    return _desk_page(found, notice=notice)


@router.post("/betrieb/neuindizierung")
async def start_reindex(request: Request) -> Response:
    found, _ = await posted(request)
    actor = operator(found)
    client = request.app.state.redis
    try:
        reindex_job.claim(client, found.settings, actor.name)
        enqueue_reindex(found.settings)
    except ConflictError as exc:
        return _desk_page(found, 409, error=exc.message_de)
    except BrokerUnavailable:
        reindex_job.release(client, found.settings, QUEUE_DOWN_DE)
        return _desk_page(found, 503, error=QUEUE_DOWN_DE)
    audit.record(found.engine, actor, "index.reindex", "offers")
    return _desk_page(found, notice="Die Neuindizierung ist gestartet. Die Suche antwortet weiter.")


@router.get("/betrieb/neuindizierung")
def reindex_status(request: Request) -> Response:
    """The reindex's progress for desk.js (JSON, same access rules as the desk)."""
    found = visit(request)
    operator(found)
    current = reindex_job.status(request.app.state.redis, found.settings)
    return JSONResponse(reindex_job.as_dict(current), headers={"Cache-Control": "no-store"})


def _record(
    found: Visit, actor: audit.Actor, action: str, source_id: str, done: operations.Change
) -> None:
    audit.record(
        found.engine,
        actor,
        action,
        source_id,
        audit.source_snapshot(done.before),
        audit.source_snapshot(done.after),
        source_id=source_id,
    )


@router.get("/protokoll")
def audit_log(
    request: Request,
    actor: str = "",
    action: str = "",
    source: str = "",
    since: str = "",
    until: str = "",
    page_no: str = "1",
) -> Response:
    found = visit(request)
    operator(found)
    form = {"actor": actor, "action": action, "source": source, "since": since, "until": until}
    log = audit.AuditLog(found.engine)
    try:
        query = audit.AuditQuery(
            actor=actor[:320],
            action=action[:100],
            source_id=source[:63],
            since=date.fromisoformat(since) if since else None,
            until=date.fromisoformat(until) if until else None,
            page=int(page_no or 1),
        )
    except (ValueError, ValidationError):
        return page(
            found, "audit.html", status=422, result=None, form=form, actions=log.actions(),
            error=BAD_QUERY_DE, links={},
        )  # fmt: skip
    result = log.search(query)
    return page(
        found,
        "audit.html",
        result=result,
        form=form,
        actions=log.actions(),
        error=None,
        links=_page_links(form, result.page, result.pages),
    )


def _page_links(form: dict[str, str], current: int, pages: int) -> dict[str, str]:
    def link(number: int) -> str:
        kept = {k: v for k, v in form.items() if v}
        return "/ministerium/protokoll?" + urlencode({**kept, "page_no": str(number)})

    links = {}
    if current > 1:
        links["previous"] = link(current - 1)
    if current < pages:
        links["next"] = link(current + 1)
    return links
