"""Sending e-mail through the configured SMTP server (`HUB_SMTP_*`), plain text with an optional
HTML alternative. Every mail of the hub (parents' reports, reminders, password resets) leaves
through `send_mail`; the German bodies are rendered where they are written (`hub.notify.mail`).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import structlog

from hub.core.errors import MailUnavailable
from hub.core.settings import Settings, get_settings

log = structlog.get_logger(__name__)


def send_mail(
    to: str | Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    *,
    settings: Settings | None = None,
) -> None:
    """Send one mail to `to` (one address or several, each in To); `MailUnavailable` if no
    SMTP server is configured or the server refuses."""
    config = settings or get_settings()
    recipients = [to] if isinstance(to, str) else list(to)
    if not config.smtp_host:
        raise MailUnavailable(
            "no SMTP server configured (HUB_SMTP_HOST)",
            message_de="Der E-Mail-Versand ist nicht eingerichtet.",
        )
    if not recipients:
        return
    message = build_message(config, recipients, subject, text, html)
    try:
        with smtplib.SMTP(
            config.smtp_host, config.smtp_port, timeout=config.smtp_timeout_seconds
        ) as smtp:
            if config.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.smtp_username and config.smtp_password:
                smtp.login(config.smtp_username, config.smtp_password.get_secret_value())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail.failed", recipients=len(recipients), error=str(exc))
        raise MailUnavailable(
            f"SMTP server {config.smtp_host}:{config.smtp_port} refused the mail: {exc}",
            message_de="Die E-Mail konnte gerade nicht versandt werden.",
        ) from exc
    log.info("mail.sent", recipients=len(recipients), subject=message["Subject"])


def build_message(
    settings: Settings, recipients: list[str], subject: str, text: str, html: str | None
) -> EmailMessage:
    """The MIME message: one line of subject (no header injection), text, optional HTML."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(recipients)
    message["Subject"] = one_line(subject)[:200]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="familienhub.nrw.de")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def one_line(value: str) -> str:
    """Collapse every whitespace run (line breaks included) into one space."""
    return re.sub(r"\s+", " ", value).strip()
