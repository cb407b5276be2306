"""The accounts' mail (password resets, invitations) through the hub's one mailer,
`hub.core.mail.send_mail`, as a yes/no answer: a page must not fail because no mail left.

Without `HUB_SMTP_HOST`, or when the server refuses, nothing is sent and the attempt is logged
by subject only: the body may hold a secret link.
"""

from __future__ import annotations

import structlog

from hub.core.errors import MailUnavailable
from hub.core.mail import send_mail
from hub.core.settings import Settings

log = structlog.get_logger(__name__)


def send(settings: Settings, to: str, subject: str, body: str) -> bool:
    """Send a plain-text German mail; False when no SMTP server is configured or it failed."""
    try:
        send_mail(to, subject, body, settings=settings)
    except MailUnavailable as exc:
        log.warning("mail.not_sent", subject=subject, reason=exc.message)
        return False
    return True
