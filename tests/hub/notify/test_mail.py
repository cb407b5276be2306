"""The mailer against a real SMTP server on 127.0.0.1: what it received is what was sent."""

from __future__ import annotations

import pytest

from hub.core.errors import MailUnavailable
from hub.core.mail import send_mail
from hub.core.settings import Settings
from tests.support.smtp import SmtpServer, free_port


def test_text_and_html_arrive_at_every_recipient(mail_settings: Settings, smtp: SmtpServer) -> None:
    send_mail(
        ["a@stadt.example", "b@stadt.example"],
        "Hinweis zu Ihrem Angebot",
        "Guten Tag,\nbitte prüfen Sie die Öffnungszeiten.",
        "<p>Guten Tag,</p>",
        settings=mail_settings,
    )
    [mail] = smtp.received
    assert sorted(mail.rcpt_tos) == ["a@stadt.example", "b@stadt.example"]
    assert mail.mail_from == "hub@test.example"
    assert mail.message["Subject"] == "Hinweis zu Ihrem Angebot"
    assert "Öffnungszeiten" in mail.text()
    assert mail.html().startswith("<p>Guten Tag,</p>")


def test_a_line_break_in_the_subject_cannot_add_a_header(
    mail_settings: Settings, smtp: SmtpServer
) -> None:
    send_mail("a@stadt.example", "Betreff\r\nBcc: x@evil.example", "Text", settings=mail_settings)
    [mail] = smtp.received
    assert mail.rcpt_tos == ["a@stadt.example"]
    assert mail.message["Bcc"] is None
    assert mail.html() == ""


def test_without_smtp_host_the_mail_is_refused_in_german(settings: Settings) -> None:
    with pytest.raises(MailUnavailable) as refused:
        send_mail("a@stadt.example", "Betreff", "Text", settings=settings)
    assert "nicht eingerichtet" in (refused.value.message_de or "")


def test_unreachable_server_and_failed_starttls_raise_mail_unavailable(
    mail_settings: Settings, smtp: SmtpServer
) -> None:
    closed = mail_settings.model_copy(update={"smtp_port": free_port()})
    with pytest.raises(MailUnavailable):
        send_mail("a@stadt.example", "Betreff", "Text", settings=closed)
    tls = mail_settings.model_copy(update={"smtp_starttls": True})
    with pytest.raises(MailUnavailable):  # the test server offers no STARTTLS: never sent clear
        send_mail("a@stadt.example", "Betreff", "Text", settings=tls)
    assert smtp.received == []
