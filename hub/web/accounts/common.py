"""What every signed-in page shares: the session cookie, the CSRF check on each form, who is
signed in, and pages for refusals (German, HTML)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import redis
import structlog
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from hub.accounts.csrf import FIELD, REFUSED_DE, token_matches
from hub.accounts.organisations import Organisation, OrganisationStore
from hub.accounts.sessions import COOKIE, Session, SessionStore
from hub.accounts.users import Role, User, UserStore
from hub.audit import Actor
from hub.core.answers import public_detail, status_of
from hub.core.errors import HubError, NotFound, PageRefusal
from hub.core.settings import Settings
from hub.search.engine import SearchEngine, get_engine
from hub.sources.store import Source, SourceRegistry
from hub.web.templating import render

log = structlog.get_logger(__name__)
SIGN_IN_PATH = "/anmelden"
NOT_YOURS_DE = "Diese Quelle gehört nicht zu Ihrer Organisation."
MINISTRY_ONLY_DE = "Diese Seite ist dem Ministerium vorbehalten."
SESSIONS_DOWN_DE = (
    "Die Anmeldung ist gerade nicht erreichbar. Bitte versuchen Sie es in ein paar Minuten erneut."
)
ADMIN_ONLY_DE = "Das dürfen nur Administratorinnen und Administratoren Ihrer Organisation."
MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 50
URLENCODED = "application/x-www-form-urlencoded"
Form = dict[str, str]


class PageRoute(APIRoute):
    """A route of these pages: hub errors (engine or queue down, a lost race) become German
    pages with the API's status and wording, never JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except PageRefusal:
                raise
            except redis.RedisError as exc:
                log.warning("page.redis_unavailable", error=type(exc).__name__)
                raise PageRefusal(503, SESSIONS_DOWN_DE) from exc
            except HubError as exc:
                status = status_of(exc)
                if status >= 500:
                    log.warning("page.unavailable", error=exc.code, message=exc.message)
                raise PageRefusal(status, public_detail(exc, status)) from exc

        return handler


@dataclass
class Visit:
    """One request's session (created when missing) and, when signed in, person and org."""

    request: Request
    sid: str
    session: Session
    fresh: bool = False
    user: User | None = None
    org: Organisation | None = None
    extra_cookies: dict[str, str] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        settings: Settings = self.request.app.state.settings
        return settings

    @property
    def engine(self) -> SearchEngine:
        return get_engine(self.settings, "index")

    @property
    def sessions(self) -> SessionStore:
        return sessions_of(self.request)

    def signed_in(self) -> tuple[User, Organisation]:
        """Person and organisation, or a redirect to the sign-in page."""
        if self.user is None or self.org is None:
            raise PageRefusal(303, "Bitte melden Sie sich an.", location=SIGN_IN_PATH)
        return self.user, self.org

    def actor(self) -> Actor:
        """The signed-in person as the audit log names her."""
        user, org = self.signed_in()
        return Actor.person(user.email, org.id)

    def ministry(self) -> tuple[User, Organisation]:
        user, org = self.signed_in()
        if not org.is_ministry:
            raise PageRefusal(403, MINISTRY_ONLY_DE)
        return user, org

    def admin(self) -> tuple[User, Organisation]:
        """Person and organisation, if she is an admin of it (secrets, withdrawal, new feeds)."""
        user, org = self.signed_in()
        if Role.ADMIN not in user.roles:
            raise PageRefusal(403, ADMIN_ONLY_DE)
        return user, org

    def own_source(self, source_id: str) -> Source:
        """A source of the signed-in organisation (the ministry sees all); 404 / 403."""
        _, org = self.signed_in()
        try:
            source = SourceRegistry(self.engine).get(source_id)
        except NotFound:
            raise PageRefusal(404, "Diese Quelle gibt es nicht.") from None
        if not org.is_ministry and source.organisation_id != org.id:
            raise PageRefusal(403, NOT_YOURS_DE)
        return source

    def switch_session(self, sid: str) -> None:
        """After sign-in/out: the browser gets the new id."""
        self.sid, self.fresh = sid, True
        found = self.sessions.load(sid)
        self.session = found or Session()


def sessions_of(request: Request) -> SessionStore:
    client: redis.Redis = request.app.state.redis
    return SessionStore(client, request.app.state.settings)


def visit(request: Request) -> Visit:
    """The request's session (a new anonymous one when there is none) and who signed in."""
    store = sessions_of(request)
    sid = request.cookies.get(COOKIE)
    session = store.load(sid)
    fresh = False
    if session is None or sid is None:
        sid, session = store.create()
        fresh = True
    found = Visit(request, sid, session, fresh)
    if session.user_id:
        engine = found.engine
        found.user = UserStore(engine).by_id(session.user_id)
        if found.user is None or not found.user.active:
            store.delete(sid)
            found.sid, found.session = store.create()
            found.fresh, found.user = True, None
        else:
            try:
                found.org = OrganisationStore(engine).get(found.user.organisation_id)
            except NotFound:
                found.user = None
    return found


async def posted(request: Request) -> tuple[Visit, Form]:
    """A form POST with a valid CSRF token of this session; 403 page otherwise."""
    form = await read_form(request)
    found = visit(request)
    if found.fresh or not token_matches(found.session.csrf_token, form.get(FIELD)):
        raise PageRefusal(403, REFUSED_DE)
    return found, form


async def read_form(request: Request) -> Form:
    """The fields of a urlencoded form, read up to `MAX_FORM_BYTES` (413 beyond); other
    bodies (multipart, JSON) yield no fields, so their CSRF check fails."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise PageRefusal(413, "Das Formular ist zu groß.")
    if not request.headers.get("content-type", "").startswith(URLENCODED):
        return {}
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return dict(pairs[:MAX_FIELDS])


def text(form: Form, name: str, limit: int = 2000) -> str:
    return form.get(name, "").strip()[:limit]


def _with_cookie(response: Response, found: Visit) -> Response:
    if found.fresh:
        response.set_cookie(
            COOKIE,
            found.sid,
            httponly=True,
            samesite="lax",
            secure=found.settings.environment == "production",
            path="/",
        )
    response.headers["Cache-Control"] = "no-store"
    return response


def page(found: Visit, template: str, *, status: int = 200, **ctx: Any) -> Response:
    """A German page with the person, the CSRF token for its forms and the session cookie."""
    html = render(
        f"accounts/{template}",
        found.settings,
        status=status,
        user=found.user,
        org=found.org,
        csrf_field=FIELD,
        csrf_token=found.session.csrf_token,
        **ctx,
    )
    return _with_cookie(html, found)


def redirect(found: Visit, location: str) -> Response:
    return _with_cookie(RedirectResponse(location, status_code=303), found)


async def page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageRefusal)
    if exc.location:
        return RedirectResponse(exc.location, status_code=exc.status)
    settings: Settings = request.app.state.settings
    response: HTMLResponse = render(
        "accounts/message.html",
        settings,
        status=exc.status,
        user=None,
        org=None,
        title="Nicht möglich" if exc.status < 500 else "Fehler",
        message=exc.message_de,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
