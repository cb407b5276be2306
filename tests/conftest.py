"""Test set-up on the real stack: the project's own Redis and OpenSearch, isolated per run.

Every test session gets its own index prefix and Redis database, exported as HUB_* variables
before anything reads settings, so worker and API child processes see the same ones.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator

import pytest

RUN_PREFIX = f"test-{uuid.uuid4().hex[:8]}-"
os.environ.setdefault("HUB_ENVIRONMENT", "test")
os.environ["HUB_INDEX_PREFIX"] = RUN_PREFIX
os.environ.setdefault("HUB_REDIS_URL", "redis://127.0.0.1:6379/7")
# a queue of its own, so concurrent test sessions never take each other's tasks
os.environ["HUB_QUEUE_NAME"] = f"hub-{RUN_PREFIX.rstrip('-')}"
os.environ.setdefault("HUB_FETCH_ALLOW_HOSTS", json.dumps(["127.0.0.1"]))
os.environ.setdefault("HUB_ADMIN_TOKEN", "test-admin-token")
os.environ.setdefault("HUB_LOG_JSON", "true")
# Many test modules sync copies of the same corpus feeds under different source ids into the
# session's one index; grouping them as duplicates would make each module's results depend on
# the others. The duplicate tests turn grouping on in index sets (and a stack) of their own.
os.environ.setdefault("HUB_DUPLICATE_GROUPING", "false")
# every test feed lives on 127.0.0.1, one "host": pace it far above the production default
os.environ.setdefault("HUB_FETCH_RATE_PER_HOST", "500")
# one API process per test stack (each module starts its own); tests/hub/dev/test_processes.py
# serves one with the production default of one per core
os.environ.setdefault("HUB_API_WORKERS", "1")

from hub.core.settings import Settings, get_settings  # noqa: E402
from tests.support.feeds import FeedServer  # noqa: E402


@pytest.fixture(scope="session")
def settings() -> Settings:
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture(scope="session")
def services(settings: Settings) -> Iterator[None]:
    """Start (or reuse) Redis and OpenSearch through the project's own service code."""
    from hub.dev import services as local

    local.up(settings)
    yield


@pytest.fixture(scope="session")
def engine(services: None, settings: Settings) -> Iterator[object]:
    from hub.search.engine import get_engine
    from hub.search.indices import drop_prefixed, ensure_indices

    eng = get_engine(settings)
    ensure_indices(eng)
    yield eng
    drop_prefixed(eng)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture(scope="module")
def module_server() -> Iterator[FeedServer]:
    """One server for a whole module: stopping one takes half a second."""
    with FeedServer() as feed:
        yield feed


@pytest.fixture
def reused_server(module_server: FeedServer) -> FeedServer:
    """The module's server with its routes and request log emptied for this test."""
    module_server.reset()
    return module_server
