"""Page clients over the session's app (tests/hub/web/conftest.py) on the real engine and
Redis; an SMTP server on 127.0.0.1 (aiosmtpd) and clients of an app that mails to it."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from hub.api.app import create_app
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from tests.support.accounts import Clients, clients_of
from tests.support.stack import free_port


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Clients]:
    yield from clients_of(app)


class Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        body = message_from_bytes(envelope.content).get_payload(decode=True).decode()
        self.mails.append((list(envelope.rcpt_tos), body))
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def mail_clients(
    settings: Settings, engine: SearchEngine, inbox: tuple[Inbox, int]
) -> Iterator[Clients]:
    app: FastAPI = create_app(
        settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox[1]})
    )
    yield from clients_of(app)
