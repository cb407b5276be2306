"""Feed servers for the connector tests: a fresh one per test, or one per module reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.feeds import FeedServer


@pytest.fixture
def server(feed_server: FeedServer) -> FeedServer:
    """A real HTTP server on 127.0.0.1 of this test's own (the root conftest's feed_server)."""
    return feed_server


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
