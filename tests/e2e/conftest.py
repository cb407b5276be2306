"""A running API and Celery worker (real child processes) for the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.core.settings import Settings
from hub.dev.processes import Supervisor
from tests.support.stack import supervisor


@pytest.fixture(scope="module")
def stack(
    engine: object, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supervisor]:
    sup = supervisor(settings, Path(tmp_path_factory.mktemp("logs")))
    sup.api()
    sup.worker()
    yield sup
    sup.stop_all()


@pytest.fixture(scope="module")
def api(stack: Supervisor) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=stack.settings.public_base_url, timeout=30, trust_env=False
    ) as client:
        yield client


@pytest.fixture(scope="module")
def admin(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
