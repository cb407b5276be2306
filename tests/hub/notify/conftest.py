"""A local SMTP server per module and settings that send to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.core.settings import Settings
from tests.support.smtp import SmtpServer


@pytest.fixture(scope="module")
def module_smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp(module_smtp: SmtpServer) -> SmtpServer:
    """The module's SMTP server with its inbox emptied for this test."""
    module_smtp.received.clear()
    return module_smtp


@pytest.fixture
def mail_settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_from": "hub@test.example"}
    )
