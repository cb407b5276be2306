"""Per-host rate limits for crawling connectors, so the hub never hammers a municipal server.

`RateLimiter` is the interface: `reserve(key)` takes one token and says how long to wait for it;
`acquire(key)` waits. `TokenBucketLimiter` keeps its buckets in process memory; a Redis-backed
limiter (shared by every worker, DESIGN.md §4) only has to implement `reserve` and `set_rate`.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


def host_key(url: str) -> str:
    """The bucket key of a URL: its lower-cased host and port (one bucket per server)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


class RateLimiter(ABC):
    """Hands out request slots per key (usually a host)."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self.sleep = sleep

    @abstractmethod
    def reserve(self, key: str) -> float:
        """Take one slot for `key`; return the seconds the caller must wait before using it."""

    @abstractmethod
    def set_rate(self, key: str, rate: float) -> None:
        """Lower or raise the rate of one key, e.g. to honour a robots.txt Crawl-delay."""

    def acquire(self, key: str) -> None:
        """Block until one request to `key` may go out."""
        wait = self.reserve(key)
        if wait > 0:
            self.sleep(wait)


@dataclass
class _Bucket:
    rate: float
    tokens: float
    stamp: float


class TokenBucketLimiter(RateLimiter):
    """In-process token buckets: `rate` requests per second, bursts up to `burst`.

    A reservation may drive the bucket negative: the caller then waits for the debt, and the
    next caller waits behind it, so concurrent threads are spaced out instead of stampeding.
    """

    def __init__(
        self,
        rate: float,
        burst: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        super().__init__(sleep)
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.rate, self.burst, now)
        return bucket

    def reserve(self, key: str) -> float:
        with self._lock:
            now = self.clock()
            bucket = self._bucket(key, now)
            elapsed = max(0.0, now - bucket.stamp)
            bucket.tokens = min(self.burst, bucket.tokens + elapsed * bucket.rate)
            bucket.stamp = now
            bucket.tokens -= 1.0
            return 0.0 if bucket.tokens >= 0 else -bucket.tokens / bucket.rate

    def set_rate(self, key: str, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        with self._lock:
            self._bucket(key, self.clock()).rate = rate
