"""The "Fehler melden" form of an offer page and its freshness line.

The form posts to `/fehler-melden` (urlencoded, capped body). Citizen pages keep no session, so
the CSRF defence is the signed form token bound to the offer and the time it was shown
(`hub.notify.formtoken`); with `form-action 'self'` in the CSP and no cookies, a foreign page
can neither mint a valid token nor ride on a session. A refused report shows the page again
with the German reason and the answer's 4xx status; an accepted one redirects (303) to the
offer page with a thank-you note.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from hub.core.errors import ReportRefused
from hub.core.settings import Settings
from hub.notify import formtoken
from hub.notify.freshness import is_stale, updated_ago
from hub.notify.reports import CATEGORIES, MESSAGE_MAX, ReportDesk, ReportForm
from hub.search.engine import get_engine
from hub.sources.vault import derived_key
from hub.web.i18n import Translator

REPORT_PATH = "/fehler-melden"
MAX_BODY_BYTES = 16 * 1024
FIELDS = ("offer_id", "category", "message", "contact_email", "token", "website")


@dataclass
class ReportState:
    """What the form shows: its token, the values typed, an error, or the thank-you note."""

    token: str
    values: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    sent: bool = False
    categories: tuple[str, ...] = tuple(CATEGORIES)
    message_max: int = MESSAGE_MAX


def new_state(settings: Settings, offer_id: str, **kwargs: Any) -> ReportState:
    token = formtoken.issue(derived_key(settings, "report-form"), offer_id, time.time())
    return ReportState(token=token, **kwargs)


def freshness(settings: Settings, offer: dict[str, Any], tr: Translator) -> dict[str, Any] | None:
    """ "zuletzt aktualisiert vor …" and whether the offer is stale (None without a date)."""
    updated = offer.get("updated_at")
    if not updated:
        return None
    now = datetime.now(UTC)
    return {
        "ago": updated_ago(updated, tr.lang, now),
        "stale": is_stale(settings, updated, now),
        "months": round(settings.stale_after_days / 30.4),
    }


async def read_form(request: Request) -> dict[str, str] | None:
    """The posted fields (first value each), or None if the body is too large."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    values: dict[str, str] = {}
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        if key in FIELDS and key not in values:
            values[key] = value
    return values


async def submit(request: Request, settings: Settings, values: dict[str, str]) -> None:
    """Check and store the report (`ReportRefused` or `NotFound` otherwise)."""
    form = ReportForm(
        offer_id=values.get("offer_id", "")[:300],
        category=values.get("category", ""),
        message=values.get("message", ""),
        contact_email=values.get("contact_email", ""),
        token=values.get("token", "")[:100],
        honeypot=values.get("website", ""),
    )
    if not form.offer_id:
        raise ReportRefused(
            "offer id missing",
            message_de="Die Meldung gehört zu keinem Angebot. Bitte nutzen Sie das Formular "
            "auf der Seite des Angebots.",
            status=400,
        )
    client = request.client.host if request.client else "unknown"
    desk = ReportDesk(settings, get_engine(settings, "serve"), request.app.state.redis)
    await run_in_threadpool(desk.submit, form, client, time.time())
