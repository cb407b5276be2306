"""The municipality's page (/kommune): its sources with status and freshness, runs, pending
deletions, rejections with reasons, resync, settings, per-record overrides, secrets (masked,
rotated on request, shown once), withdrawal, parents' reports (marked done here) and stale
offers; and the feed registration with its dry run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from connectors.sdk.filters import OfferFilters
from hub import audit
from hub.accounts.feed_check import check_feed
from hub.accounts.people import invite
from hub.accounts.source_admin import (
    PUSH_INTERVAL_MINUTES,
    activate,
    change_settings,
    filters_of,
    mark_record,
    withdraw,
)
from hub.accounts.users import Role, UserStore
from hub.core.errors import (
    BrokerUnavailable,
    ConfigError,
    ConflictError,
    HubError,
    NotFound,
    PageRefusal,
)
from hub.notify.reports import ReportStore
from hub.sources.enrolment import request_sync
from hub.sources.runs import RunStore
from hub.sources.secrets import is_valid, rotate_api_key, rotate_webhook_secret
from hub.sources.store import SourceInput, SourceRegistry
from hub.web.accounts.common import (
    PageRoute,
    Visit,
    page,
    posted,
    redirect,
    text,
    visit,
)
from hub.web.accounts.notices import notices_of
from hub.web.accounts.views import RUN_STATUS_DE, STATE_DE, ago, lines, offer_row

router = APIRouter(
    prefix="/kommune", tags=["accounts"], include_in_schema=False, route_class=PageRoute
)
QUEUE_DOWN_DE = "Die Warteschlange ist gerade nicht erreichbar. Bitte versuchen Sie es später."
GENERIC_DE = "Die Adresse konnte nicht geprüft werden."
PENDING_SHOWN = 100
SYNC_QUEUED_DE = "Die Synchronisierung ist angestoßen. Laden Sie die Seite gleich neu."
SETTINGS_SAVED_DE = (
    "Die Einstellungen sind gespeichert. Sie gelten ab der nächsten Synchronisierung."
)
KEY_ROTATED_DE = "Der alte API-Schlüssel gilt ab sofort nicht mehr."
SECRET_ROTATED_DE = "Das bisherige Secret gilt noch 24 Stunden."
CONFIRM_ID_DE = "Bitte geben Sie zur Bestätigung die Kennung der Quelle ein."


@router.get("")
def overview(request: Request) -> Response:
    found = visit(request)
    _, org = found.signed_in()
    return _overview_page(found, _rows(found, org.id))


def _rows(found: Visit, organisation_id: str) -> list[dict[str, Any]]:
    """Each source of the organisation with its state, freshness and last run."""
    sources = SourceRegistry(found.engine).list(organisation_id=organisation_id)
    runs = RunStore(found.engine)
    rows = []
    for source in sources:
        last = runs.for_source(source.id, limit=1)
        rows.append(
            {
                "source": source,
                "state": STATE_DE.get(source.state.value, source.state.value),
                "fresh": ago(source.last_success_at),
                "last_run": last[0] if last else None,
                "pending": len(source.pending_deletion.get("ids", [])),
            }
        )
    return rows


def _overview_page(found: Visit, rows: list[dict[str, Any]], **extra: Any) -> Response:
    user, org = found.signed_in()
    ctx: dict[str, Any] = {
        "rows": rows,
        "people": UserStore(found.engine).of_organisation(org.id),
        "is_admin": Role.ADMIN in user.roles,
        "notice": None,
        "error": None,
        **notices_of(found.settings, found.engine, [row["source"] for row in rows]),
    }
    ctx.update(extra)
    return page(found, "kommune.html", **ctx)


@router.post("/personen")
async def invite_colleague(request: Request) -> Response:
    found, form = await posted(request)
    _, org = found.admin()
    role = Role.ADMIN if text(form, "role") == Role.ADMIN.value else Role.EDITOR
    email = text(form, "email", 320)
    try:
        invited = await run_in_threadpool(
            invite, found.settings, found.engine, request.app.state.redis, org, email, role
        )
    except ConfigError as exc:
        return _overview_page(found, _rows(found, org.id), error=exc.message_de)
    audit.record(found.engine, found.actor(), "person.invited", invited.email, after={"role": role})
    notice = f"{invited.email} ist eingeladen und bekommt eine E-Mail mit einem Link."
    return _overview_page(found, _rows(found, org.id), notice=notice)


@router.get("/quellen/neu")
def new_source(request: Request) -> Response:
    found = visit(request)
    found.signed_in()
    return page(found, "source_new.html", url="", error=None)


@router.post("/quellen/pruefen")
async def check_source(request: Request) -> Response:
    found, form = await posted(request)
    _, org = found.admin()
    url, mode = text(form, "url", 2000), text(form, "mode", 10)
    if not url.startswith(("http://", "https://")):
        return page(
            found,
            "source_new.html",
            status=422,
            url=url,
            error="Bitte geben Sie eine Web-Adresse an, die mit https:// beginnt.",
        )
    if mode == "push":
        pending: dict[str, Any] = {"url": url, "kind": "push", "config": {}, "filters": {}}
        found.session.pending = pending
        found.sessions.save(found.sid, found.session)
        return page(found, "preview.html", check=None, push=True, **_activation_defaults(org.id))
    try:
        check = await run_in_threadpool(check_feed, found.settings, url, tuple(org.ags))
    except HubError as exc:
        message = exc.message_de if exc.message_de != exc.message else GENERIC_DE
        return page(found, "source_new.html", status=422, url=url, error=message)
    found.session.pending = {
        "url": url,
        "kind": check.kind,
        "config": check.config,
        "filters": check.proposal.filters.model_dump(exclude_defaults=True),
    }
    found.sessions.save(found.sid, found.session)
    return page(
        found,
        "preview.html",
        check=check,
        push=False,
        offers=[offer_row(o) for o in check.report.offers[:50]],
        **_activation_defaults(org.id),
    )


def _activation_defaults(org_id: str) -> dict[str, Any]:
    return {"source_id": org_id[:63], "interval": 60, "error": None}


@router.post("/quellen/aktivieren")
async def activate_source(request: Request) -> Response:
    found, form = await posted(request)
    _, org = found.admin()
    pending = found.session.pending
    if not pending:
        raise PageRefusal(409, "Bitte prüfen Sie zuerst die Adresse Ihres Feeds.")
    config = dict(pending["config"])
    if text(form, "apply_filters") == "ja" and pending.get("filters"):
        config["offer_filters"] = pending["filters"]
    push = pending["kind"] == "push"
    try:
        interval = PUSH_INTERVAL_MINUTES if push else int(text(form, "interval") or 60)
        data = SourceInput(
            id=text(form, "source_id", 63),
            name=text(form, "name", 200) or org.name,
            ags=org.ags,
            kind=pending["kind"],
            url=pending["url"],
            config=config,
            interval_minutes=interval,
        )
        done = await run_in_threadpool(activate, found.settings, found.engine, org, data)
    except (ValueError, ConfigError) as exc:
        message = (
            exc.message_de
            if isinstance(exc, ConfigError)
            else (
                "Bitte prüfen Sie die Kennung (2–63 Zeichen: a–z, 0–9 und „-“) und das Intervall."
            )
        )
        return page(
            found,
            "preview.html",
            status=422,
            check=None,
            push=push,
            source_id=text(form, "source_id", 63),
            interval=text(form, "interval") or 60,
            error=message,
        )
    found.session.pending = {}
    found.sessions.save(found.sid, found.session)
    after = audit.source_snapshot(done.source)
    audit.record(
        found.engine, found.actor(), "source.registered", data.id, after=after, source_id=data.id
    )
    return page(
        found,
        "secrets.html",
        source=done.source,
        api_key=done.api_key,
        webhook_secret=done.webhook_secret,
        queued=done.task_id is not None,
    )


@router.get("/quellen/{source_id}")
def source_page(request: Request, source_id: str) -> Response:
    found = visit(request)
    return _source_page(found, source_id)


def _source_page(found: Visit, source_id: str, **extra: Any) -> Response:
    source = found.own_source(source_id)
    runs = RunStore(found.engine).for_source(source_id, limit=10)
    rejected_run = next((r for r in runs if r.rejections or r.counts.rejected), None)
    filters = filters_of(source)
    now = datetime.now(UTC)
    secrets = [s for s in source.webhook_secrets if is_valid(s, now)]
    ctx: dict[str, Any] = {
        "source": source,
        "state": STATE_DE.get(source.state.value, source.state.value),
        "fresh": ago(source.last_success_at),
        "last_run_ago": ago(source.last_run_at),
        "runs": [(r, RUN_STATUS_DE.get(r.status.value, r.status.value)) for r in runs],
        "rejected_run": rejected_run,
        "pending": len(source.pending_deletion.get("ids", [])),
        "pending_ids": [
            str(i).removeprefix(f"{source.id}:") for i in source.pending_deletion.get("ids", [])
        ][:PENDING_SHOWN],
        "filters": filters,
        "secret_fingerprints": [str(s.get("fingerprint", "")) for s in secrets],
        "api_keys": len(source.api_key_hashes),
        "notice": None,
        "error": None,
        "shown_secret": None,
        **notices_of(found.settings, found.engine, [source]),
    }
    ctx.update(extra)
    return page(found, "source.html", **ctx)


def _queue(found: Visit, source_id: str, **options: bool) -> str | None:
    try:
        request_sync(found.settings, source_id, trigger="kommune", **options)
    except BrokerUnavailable:
        return QUEUE_DOWN_DE
    return None


@router.post("/quellen/{source_id}/synchronisieren")
async def sync_now(request: Request, source_id: str) -> Response:
    found, _ = await posted(request)
    found.own_source(source_id)
    error = _queue(found, source_id, full=True)
    if not error:
        audit.record(found.engine, found.actor(), "source.sync", source_id, source_id=source_id)
    notice = None if error else SYNC_QUEUED_DE
    return _source_page(found, source_id, notice=notice, error=error)


@router.post("/quellen/{source_id}/loeschungen-bestaetigen")
async def confirm_deletions(request: Request, source_id: str) -> Response:
    found, _ = await posted(request)
    source = found.own_source(source_id)
    error = _queue(found, source_id, full=True, allow_mass_delete=True)
    if not error:
        before = audit.source_snapshot(source)
        audit.record(
            found.engine,
            found.actor(),
            "source.deletions_confirmed",
            source_id,
            before,
            source_id=source_id,
        )
    notice = (
        None
        if error
        else ("Die Löschungen sind bestätigt: Ein vollständiger Lauf entfernt die Angebote gleich.")
    )
    return _source_page(found, source_id, notice=notice, error=error)


@router.post("/quellen/{source_id}/einstellungen")
async def save_settings(request: Request, source_id: str) -> Response:
    found, form = await posted(request)
    before = audit.source_snapshot(found.own_source(source_id))
    try:
        interval = int(text(form, "interval") or 0)
        if not 15 <= interval <= 7 * 24 * 60:
            raise ValueError("interval")
        filters = OfferFilters(
            include_categories=lines(text(form, "include_categories", 4000)),
            exclude_categories=lines(text(form, "exclude_categories", 4000)),
            offers=lines(text(form, "offers", 20000)),
            not_offers=lines(text(form, "not_offers", 20000)),
        )
        changed = change_settings(SourceRegistry(found.engine), source_id, interval, filters)
    except (ValueError, ConfigError):
        return _source_page(
            found,
            source_id,
            error="Das Intervall muss zwischen 15 und 10080 Minuten liegen.",
        )
    after = audit.source_snapshot(changed)
    audit.record(
        found.engine,
        found.actor(),
        "source.settings",
        source_id,
        before,
        after,
        source_id=source_id,
    )
    return _source_page(
        found,
        source_id,
        notice=SETTINGS_SAVED_DE,
    )


@router.post("/quellen/{source_id}/datensatz")
async def mark(request: Request, source_id: str) -> Response:
    found, form = await posted(request)
    found.own_source(source_id)
    local_id = text(form, "local_id", 400)
    if not local_id:
        return _source_page(found, source_id, error="Bitte geben Sie die Kennung des Beitrags an.")
    is_offer = text(form, "is_offer") == "ja"
    mark_record(SourceRegistry(found.engine), source_id, local_id, is_offer)
    after = {"local_id": local_id, "is_offer": is_offer}
    audit.record(
        found.engine, found.actor(), "source.override", source_id, after=after, source_id=source_id
    )
    what = "als Angebot" if is_offer else "als „kein Angebot“"
    return _source_page(
        found,
        source_id,
        notice=f"Der Beitrag „{local_id}“ ist {what} markiert; "
        "das gilt ab der nächsten Synchronisierung.",
    )


@router.post("/meldungen/{report_id}/erledigt")
async def report_done(request: Request, report_id: str) -> Response:
    """Mark a parent's report done: any person of the organisation owning its source."""
    found, form = await posted(request)
    store = ReportStore(found.engine)
    try:
        report = store.get(report_id)
    except NotFound:
        raise PageRefusal(404, "Diese Meldung gibt es nicht.") from None
    found.own_source(report.source_id)  # another organisation's report: 403
    store.mark_done(report.source_id, report.id)
    notice = f"Die Meldung zu „{report.offer_title or report.offer_id}“ ist erledigt."
    if text(form, "back") == "quelle":
        return _source_page(found, report.source_id, notice=notice)
    _, org = found.signed_in()
    return _overview_page(found, _rows(found, org.id), notice=notice)


def _rotated(
    found: Visit, source_id: str, action: str, rotate: Callable[[SourceRegistry, str], str]
) -> str:
    """Rotate one of the source's secrets (admins only), audited before and after; the new
    secret, to be shown once."""
    found.admin()
    registry = SourceRegistry(found.engine)
    before = audit.source_snapshot(found.own_source(source_id))
    secret = rotate(registry, source_id)
    after = audit.source_snapshot(registry.get(source_id))
    audit.record(found.engine, found.actor(), action, source_id, before, after, source_id=source_id)
    return secret


@router.post("/quellen/{source_id}/api-schluessel")
async def new_api_key(request: Request, source_id: str) -> Response:
    found, _ = await posted(request)
    key = _rotated(found, source_id, "source.api_key_rotated", rotate_api_key)
    shown = ("Neuer API-Schlüssel", key)
    return _source_page(found, source_id, shown_secret=shown, notice=KEY_ROTATED_DE)


@router.post("/quellen/{source_id}/webhook-secret")
async def new_webhook_secret(request: Request, source_id: str) -> Response:
    found, _ = await posted(request)
    secret = _rotated(
        found,
        source_id,
        "source.webhook_secret_rotated",
        lambda registry, sid: rotate_webhook_secret(registry, sid).secret,
    )
    shown = ("Neues Webhook-Secret", secret)
    return _source_page(found, source_id, shown_secret=shown, notice=SECRET_ROTATED_DE)


@router.post("/quellen/{source_id}/zurueckziehen")
async def withdraw_source(request: Request, source_id: str) -> Response:
    found, form = await posted(request)
    found.admin()
    before = audit.source_snapshot(found.own_source(source_id))
    if text(form, "confirm", 100) != source_id:
        return _source_page(found, source_id, error=CONFIRM_ID_DE)
    client = request.app.state.redis
    try:
        deleted = await run_in_threadpool(withdraw, found.settings, found.engine, client, source_id)
    except ConflictError as exc:
        return _source_page(found, source_id, error=exc.message_de)
    after = {"withdrawn": True, "deleted_offers": deleted}
    audit.record(
        found.engine,
        found.actor(),
        "source.withdrawn",
        source_id,
        before,
        after,
        source_id=source_id,
    )
    return page(
        found,
        "message.html",
        title="Quelle zurückgezogen",
        message=f"Die Quelle „{source_id}“ ist zurückgezogen; "
        f"{deleted} Angebote wurden aus der Suche entfernt.",
        back="/kommune",
    )


__all__ = ["redirect", "router"]
