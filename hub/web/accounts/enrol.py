"""Enrolment: the ministry issues links for Jugendämter (/ministerium), a Jugendamt signs up
with its link (/registrieren/{token})."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from hub import audit
from hub.accounts.enrolment_links import (
    INVALID_DE,
    STATE_DE,
    EnrolmentLinks,
    parse_ags,
)
from hub.accounts.organisations import OrganisationStore
from hub.accounts.signup import sign_up
from hub.core.errors import ConfigError
from hub.sources.store import SourceRegistry
from hub.web.accounts.common import PageRoute, Visit, page, posted, redirect, text, visit

router = APIRouter(tags=["accounts"], include_in_schema=False, route_class=PageRoute)


def _ministry_page(found_visit: Visit, status: int = 200, **ctx: Any) -> Response:
    engine = found_visit.engine
    links = EnrolmentLinks(engine).recent()
    sources = SourceRegistry(engine).list()
    orgs = {o.id: o for o in OrganisationStore(engine).all()}
    defaults = {"issued": None, "error": None, "name": "", "ags": ""}
    return page(
        found_visit,
        "ministry.html",
        status=status,
        links=[(link, STATE_DE[link.state()]) for link in links],
        sources=sources,
        orgs=orgs,
        **{**defaults, **ctx},
    )


@router.get("/ministerium")
def ministry(request: Request) -> Response:
    found = visit(request)
    found.ministry()
    return _ministry_page(found)


@router.post("/ministerium/einladungen")
async def issue_link(request: Request) -> Response:
    found, form = await posted(request)
    user, _ = found.ministry()
    name, ags_text = text(form, "name", 200), text(form, "ags", 4000)
    try:
        if len(name) < 2:
            raise ConfigError("name", message_de="Bitte geben Sie den Namen des Jugendamts an.")
        ags = parse_ags(ags_text)
    except ConfigError as exc:
        return _ministry_page(found, 422, error=exc.message_de, name=name, ags=ags_text)
    issued = EnrolmentLinks(found.engine).issue(
        name, ags, user.id, found.settings.enrolment_link_days
    )
    url = f"{found.settings.public_base_url.rstrip('/')}/registrieren/{issued.token}"
    after = {
        "organisation_name": name,
        "ags": ags,
        "expires_at": issued.link.expires_at.isoformat(),
    }
    audit.record(found.engine, found.actor(), "enrolment_link.issued", issued.link.id, after=after)
    return _ministry_page(found, issued=(issued.link, url))


@router.post("/ministerium/einladungen/{link_id}/zurueckziehen")
async def revoke_link(request: Request, link_id: str) -> Response:
    found, _ = await posted(request)
    found.ministry()
    EnrolmentLinks(found.engine).revoke(link_id)
    audit.record(found.engine, found.actor(), "enrolment_link.revoked", link_id)
    return redirect(found, "/ministerium")


@router.get("/registrieren/{token}")
def signup_form(request: Request, token: str) -> Response:
    found = visit(request)
    link = EnrolmentLinks(found.engine).open_link(token)
    if link is None:
        return _invalid_link(found)
    return page(found, "signup.html", link=link.doc, token=token, email="", error=None)


@router.post("/registrieren/{token}")
async def signup(request: Request, token: str) -> Response:
    found, form = await posted(request)
    email = text(form, "email", 320)
    password, repeated = text(form, "password", 1000), text(form, "password_repeat", 1000)
    try:
        done = await run_in_threadpool(sign_up, found.engine, token, email, password, repeated)
    except ConfigError as exc:
        link = EnrolmentLinks(found.engine).open_link(token)
        if link is None:
            return page(
                found, "message.html", status=404, title="Link ungültig", message=INVALID_DE
            )
        return page(
            found,
            "signup.html",
            status=422,
            link=link.doc,
            token=token,
            email=email,
            error=exc.message_de,
        )
    sid = found.sessions.sign_in(found.sid, done.user.id, done.organisation.id)
    actor = audit.Actor.person(done.user.email, done.organisation.id)
    after = {"organisation": done.organisation.name, "ags": list(done.organisation.ags)}
    audit.record(found.engine, actor, "organisation.signed_up", done.organisation.id, after=after)
    found.switch_session(sid)
    return redirect(found, "/kommune/quellen/neu")


def _invalid_link(found: Visit) -> Response:
    return page(found, "message.html", status=404, title="Link ungültig", message=INVALID_DE)
