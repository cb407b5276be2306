"""Sign-in, sign-out and password reset (German pages)."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response
from starlette.concurrency import run_in_threadpool

from hub.accounts import oidc
from hub.accounts.organisations import OrganisationStore
from hub.accounts.passwords import password_problem
from hub.accounts.reset import ANSWER_DE, INVALID_DE, ResetTokens, send_reset_mail
from hub.accounts.throttle import TOO_MANY_DE, SignInThrottle
from hub.accounts.users import User, UserStore
from hub.core.errors import PageRefusal
from hub.web.accounts.common import (
    PageRoute,
    Visit,
    page,
    posted,
    redirect,
    text,
    visit,
)

router = APIRouter(tags=["accounts"], include_in_schema=False, route_class=PageRoute)
WRONG_DE = "E-Mail-Adresse oder Passwort sind falsch."
NO_ACCOUNT_DE = (
    "Für diese Adresse gibt es hier kein Konto. Bitte wenden Sie sich an die Administration "
    "Ihres Jugendamts."
)
OIDC_RETURN = "/anmelden/oidc/rueckkehr"


def home_of(org_is_ministry: bool) -> str:
    return "/ministerium" if org_is_ministry else "/kommune"


@router.get("/anmelden")
def sign_in_form(request: Request) -> Response:
    found = visit(request)
    if found.user and found.org:
        return redirect(found, home_of(found.org.is_ministry))
    return _sign_in_page(found, email="", error=None)


@router.post("/anmelden")
async def sign_in(request: Request) -> Response:
    found, form = await posted(request)
    email, password = text(form, "email", 320), text(form, "password", 1000)
    ip = request.client.host if request.client else ""
    throttle = SignInThrottle(request.app.state.redis, found.settings)
    if not throttle.allow(email, ip):
        return _sign_in_page(found, status=429, email=email, error=TOO_MANY_DE)
    user = await run_in_threadpool(UserStore(found.engine).authenticate, email, password)
    if user is None:
        return _sign_in_page(found, status=401, email=email, error=WRONG_DE)
    return _signed_in(found, user)


def _signed_in(found: Visit, user: User) -> Response:
    """Rotate the session id onto the person and send her to her start page."""
    sid = found.sessions.sign_in(found.sid, user.id, user.organisation_id)
    found.switch_session(sid)
    org = OrganisationStore(found.engine).get(user.organisation_id)
    return redirect(found, home_of(org.is_ministry))


def _sign_in_page(found: Visit, *, status: int = 200, **ctx: Any) -> Response:
    return page(found, "sign_in.html", status=status, oidc=oidc.enabled(found.settings), **ctx)


def _oidc_return(found: Visit) -> str:
    return f"{found.settings.public_base_url.rstrip('/')}{OIDC_RETURN}"


@router.get("/anmelden/oidc")
def oidc_start(request: Request) -> Response:
    """Off to the administration's provider (state, nonce and PKCE verifier kept here)."""
    found = visit(request)
    if not oidc.enabled(found.settings):
        raise PageRefusal(404, "Die Anmeldung über eine Verwaltung ist nicht eingerichtet.")
    client = oidc.OidcClient(found.settings)
    try:
        url, pending = client.start(_oidc_return(found))
    finally:
        client.close()
    found.session.pending = {**found.session.pending, "oidc": pending.as_dict()}
    found.sessions.save(found.sid, found.session)
    return redirect(found, url)


@router.get(OIDC_RETURN)
def oidc_return(request: Request, code: str = "", state: str = "") -> Response:
    """The provider's answer: state checked against the session, the code redeemed, the ID
    token verified; only an existing, active account is signed in."""
    found = visit(request)
    kept = found.session.pending.get("oidc")
    found.session.pending.pop("oidc", None)
    found.sessions.save(found.sid, found.session)
    if not oidc.enabled(found.settings) or not isinstance(kept, dict) or not code:
        raise PageRefusal(400, oidc.FAILED_DE)
    if not hmac.compare_digest(str(kept.get("state", "")), state):
        raise PageRefusal(400, oidc.FAILED_DE)
    client = oidc.OidcClient(found.settings)
    try:
        email = client.finish(code, oidc.Pending(**kept), _oidc_return(found))
    finally:
        client.close()
    user = UserStore(found.engine).by_email(email)
    if user is None or not user.active:
        raise PageRefusal(403, NO_ACCOUNT_DE)
    return _signed_in(found, user)


@router.post("/abmelden")
async def sign_out(request: Request) -> Response:
    found, _ = await posted(request)
    found.sessions.delete(found.sid)
    sid, _ = found.sessions.create()
    found.switch_session(sid)
    return redirect(found, "/anmelden?abgemeldet=1")


@router.get("/passwort-vergessen")
def forgot_form(request: Request) -> Response:
    return page(visit(request), "forgot.html", answer=None)


@router.post("/passwort-vergessen")
async def forgot(request: Request, background: BackgroundTasks) -> Response:
    found, form = await posted(request)
    tokens = ResetTokens(request.app.state.redis, found.settings)
    made = tokens.request(UserStore(found.engine), text(form, "email", 320))
    background.add_task(send_reset_mail, found.settings, made)
    return page(found, "forgot.html", answer=ANSWER_DE)


@router.get("/passwort-neu")
def reset_form(request: Request, token: str = "") -> Response:
    found = visit(request)
    valid = ResetTokens(request.app.state.redis, found.settings).peek(token)
    return page(found, "reset.html", token=token, valid=valid, error=None, done=False)


@router.post("/passwort-neu")
async def reset(request: Request) -> Response:
    found, form = await posted(request)
    token = text(form, "token", 200)
    password, repeated = text(form, "password", 1000), text(form, "password_repeat", 1000)
    problem = password_problem(password, repeated)
    tokens = ResetTokens(request.app.state.redis, found.settings)
    if problem:
        valid = tokens.peek(token)
        return page(
            found, "reset.html", status=422, token=token, valid=valid, error=problem, done=False
        )
    owner = tokens.redeem(token)
    if owner is None:
        return page(
            found, "reset.html", status=400, token="", valid=False, error=INVALID_DE, done=False
        )
    await run_in_threadpool(UserStore(found.engine).set_password, owner, password)
    found.sessions.end_all(owner)
    return page(found, "reset.html", token="", valid=False, error=None, done=True)
