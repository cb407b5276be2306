"""The shared per-host rate limit on the real Redis."""

from __future__ import annotations

import threading
import uuid

import pytest
import redis

from hub.core.redis_ratelimit import RedisRateLimiter
from hub.core.settings import Settings


@pytest.fixture
def client(services: None, settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url)


def test_reservations_are_spaced_by_the_rate_per_host(client: redis.Redis) -> None:
    now = [1000.0]
    limiter = RedisRateLimiter(
        client, rate=2.0, prefix=f"t:{uuid.uuid4().hex}:", clock=lambda: now[0]
    )
    waits = [limiter.reserve("a.example") for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.5, 1.0, 1.5])
    assert limiter.reserve("b.example") == 0.0  # other hosts have their own slots
    now[0] += 10
    assert limiter.reserve("a.example") == 0.0  # the debt is paid off by waiting


def test_concurrent_workers_share_one_schedule(client: redis.Redis) -> None:
    prefix = f"t:{uuid.uuid4().hex}:"
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        limiter = RedisRateLimiter(client, rate=10.0, prefix=prefix, clock=lambda: 5000.0)
        for _ in range(5):
            wait = limiter.reserve("host")
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(round(w, 3) for w in waits) == [round(i * 0.1, 3) for i in range(20)]


def test_set_rate_slows_one_host_down(client: redis.Redis) -> None:
    limiter = RedisRateLimiter(
        client, rate=10.0, prefix=f"t:{uuid.uuid4().hex}:", clock=lambda: 1.0
    )
    limiter.set_rate("slow", 0.5)
    assert [limiter.reserve("slow") for _ in range(2)] == pytest.approx([0.0, 2.0])
