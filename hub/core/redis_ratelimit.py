"""A per-host rate limit shared by every worker, kept in Redis (DESIGN.md §4).

Each host has a "next free slot" timestamp; a reservation moves it forward by 1/rate and tells
the caller how long to wait. One Lua script makes the read-modify-write atomic across workers.
Losing Redis loses only the pacing, never data.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

from hub.core.ratelimit import RateLimiter
from hub.core.settings import Settings

RESERVE = """
local now = tonumber(ARGV[1])
local interval = tonumber(redis.call('GET', KEYS[2]) or ARGV[2])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
local ttl = math.ceil((slot + interval - now) * 1000) + 60000
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', ttl)
return tostring(slot - now)
"""


class RedisRateLimiter(RateLimiter):
    """`rate` requests per second per host across all processes sharing one Redis."""

    def __init__(
        self,
        client: redis.Redis,
        rate: float,
        *,
        prefix: str = "hub:ratelimit:",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        super().__init__(sleep)
        self.client = client
        self.interval = 1.0 / rate
        self.prefix = prefix
        self.clock = clock
        self._reserve = client.register_script(RESERVE)

    def reserve(self, key: str) -> float:
        keys = [f"{self.prefix}slot:{key}", f"{self.prefix}interval:{key}"]
        try:
            wait = self._reserve(keys=keys, args=[repr(self.clock()), repr(self.interval)])
        except redis.RedisError:
            return 0.0  # without Redis only the pacing is lost, never a sync
        return max(0.0, float(wait))

    def set_rate(self, key: str, rate: float) -> None:
        """Per-host override (robots.txt Crawl-delay, a Retry-After that asks for less)."""
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self.client.set(f"{self.prefix}interval:{key}", repr(1.0 / rate), ex=7 * 24 * 3600)


def host_limiter(settings: Settings) -> RedisRateLimiter:
    """The shared per-host limiter of this hub (prefix keeps test runs apart)."""
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
    prefix = f"hub:{settings.index_prefix}ratelimit:"
    return RedisRateLimiter(client, settings.fetch_rate_per_host, prefix=prefix)
