"""The accounts' one mail function against an SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from typing import Any

from aiosmtpd.controller import Controller

from hub.accounts.mailer import send
from hub.core.settings import Settings
from tests.support.stack import free_port


class Inbox:
    def __init__(self) -> None:
        self.mails: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def test_a_mail_reaches_the_smtp_server_with_german_text(settings: Settings) -> None:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        configured = settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "hub@nrw.example"}
        )
        assert send(configured, "amt@kreis.example", "Prüfung", "Grüße aus dem Hub")
    finally:
        controller.stop()
    (mail,) = inbox.mails
    assert (mail["From"], mail["To"], mail["Subject"]) == (
        "hub@nrw.example",
        "amt@kreis.example",
        "Prüfung",
    )
    assert isinstance(mail, EmailMessage)
    assert "Grüße aus dem Hub" in mail.get_content()


def test_without_a_server_nothing_is_sent(settings: Settings) -> None:
    assert not send(settings.model_copy(update={"smtp_host": None}), "a@b.example", "x", "y")


def test_an_unreachable_server_is_a_false_not_an_error(settings: Settings) -> None:
    closed = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": free_port()})
    assert not send(closed, "a@b.example", "x", "y")
