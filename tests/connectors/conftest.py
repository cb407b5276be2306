"""Feed servers for the connector tests: a fresh one per test, or one per module reset per test."""

from __future__ import annotations

import pytest

from tests.support.feeds import FeedServer


@pytest.fixture
def server(feed_server: FeedServer) -> FeedServer:
    """A real HTTP server on 127.0.0.1 of this test's own (the root conftest's feed_server)."""
    return feed_server
