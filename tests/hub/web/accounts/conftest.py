"""Page clients over the session's app (tests/hub/web/conftest.py) on the real engine/Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from tests.support.accounts import Clients, clients_of


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Clients]:
    yield from clients_of(app)
