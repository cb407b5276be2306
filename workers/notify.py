"""Notification tasks: the mail of a parent's report, and the weekly freshness digests."""

from __future__ import annotations

from typing import Any

import structlog

from hub.core.errors import NotFound
from hub.core.settings import get_settings
from hub.notify.digest import send_digests as send_all_digests
from hub.notify.reports import deliver_report
from hub.queue import MAIL_REPORT, SEND_DIGESTS
from hub.search.engine import get_engine
from workers.app import app
from workers.base import TRANSIENT, HubTask

log = structlog.get_logger(__name__)


@app.task(bind=True, base=HubTask, name=MAIL_REPORT, acks_late=True)
def mail_report(self: HubTask, report_id: str) -> dict[str, Any]:
    """Mail one stored report to its source's recipients; retry while SMTP is unavailable."""
    settings = get_settings()
    if not settings.smtp_host:
        log.info("report.mail_disabled", report_id=report_id)
        return {"report_id": report_id, "status": "mail_disabled"}
    try:
        recipients = deliver_report(settings, get_engine(settings), report_id)
    except NotFound:
        log.warning("report.unknown", report_id=report_id)
        return {"report_id": report_id, "status": "unknown"}
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=self.backoff(exc)) from exc
    return {"report_id": report_id, "status": "sent", "recipients": len(recipients)}


@app.task(bind=True, base=HubTask, name=SEND_DIGESTS, acks_late=True)
def send_digests(self: HubTask) -> dict[str, Any]:
    """The weekly beat job: send this week's freshness digests not sent yet."""
    settings = get_settings()
    if not settings.smtp_host:
        log.info("digest.mail_disabled")
        return {"status": "mail_disabled"}
    outcomes = send_all_digests(settings, get_engine(settings))
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return {"status": "done", **counts}
