"""The one place the accounts send mail from (password resets), over plain SMTP.

Kept to one function so it can later be pointed at the hub's shared mailer. Without
`HUB_SMTP_HOST` no mail leaves the hub; the attempt is logged without its body, which may hold
a secret link.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import structlog

from hub.core.settings import Settings

log = structlog.get_logger(__name__)


def send(settings: Settings, to: str, subject: str, body: str) -> bool:
    """Send a plain-text German mail; False when no SMTP server is configured or it failed."""
    if not settings.smtp_host:
        log.warning("mail.not_configured", subject=subject)
        return False
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail.failed", subject=subject, error=type(exc).__name__)
        return False
    log.info("mail.sent", subject=subject)
    return True
