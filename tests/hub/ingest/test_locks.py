"""Reindex and writers on the real Redis: a reindex waits for running writers, and new writers
see the reindex flag only after taking their own lock."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import redis

from hub.core.errors import ConflictError
from hub.core.settings import Settings
from hub.ingest.locks import active_writers, reindex_running, writer_lock_name, writers_paused


@pytest.fixture
def local(services: None, settings: Settings) -> Settings:
    return settings.model_copy(update={"index_prefix": f"locks-{uuid.uuid4().hex[:6]}-"})


@pytest.fixture
def client(local: Settings) -> redis.Redis:
    return redis.Redis.from_url(local.redis_url)


def test_reindex_waits_until_running_writers_are_done(client: redis.Redis, local: Settings) -> None:
    writer = client.lock(writer_lock_name(local, "essen"), timeout=30)
    assert writer.acquire()
    entered: list[float] = []

    def reindex() -> None:
        with writers_paused(client, local, wait_seconds=20, poll=0.05):
            entered.append(time.monotonic())

    thread = threading.Thread(target=reindex)
    thread.start()
    time.sleep(0.5)
    assert entered == [] and reindex_running(client, local)  # flag set, still waiting
    released = time.monotonic()
    writer.release()
    thread.join(10)
    assert entered and entered[0] >= released
    assert not reindex_running(client, local) and active_writers(client, local) == []


def test_a_second_reindex_is_refused_while_one_runs(client: redis.Redis, local: Settings) -> None:
    with writers_paused(client, local), pytest.raises(ConflictError), writers_paused(client, local):
        pass


def test_writers_that_never_finish_make_the_reindex_give_up(
    client: redis.Redis, local: Settings
) -> None:
    stuck = client.lock(writer_lock_name(local, "koeln"), timeout=30)
    assert stuck.acquire()
    try:
        with (
            pytest.raises(ConflictError),
            writers_paused(client, local, wait_seconds=0.3, poll=0.05),
        ):
            pass
        assert not reindex_running(client, local)  # the flag is not left behind
    finally:
        stuck.release()
