"""Rate limits of the report form in Redis: fixed windows per client and per offer.

The client is known only by a keyed hash of its address (HMAC with a server key, truncated),
which lives in a Redis key that expires with its window: no raw IP address is stored anywhere.
Without Redis the limit is skipped (logged), as Redis holds only what may be lost; the form
token and the honeypot still apply.
"""

from __future__ import annotations

import hashlib
import hmac

import redis
import structlog

log = structlog.get_logger(__name__)


def client_hash(key: bytes, address: str) -> str:
    """A keyed, non-reversible tag of a client address."""
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:24]


class WindowLimit:
    """At most `limit` hits per `window_seconds` per key, counted in Redis."""

    def __init__(self, client: redis.Redis, prefix: str, limit: int, window_seconds: int) -> None:
        self.client = client
        self.prefix = prefix
        self.limit = limit
        self.window = window_seconds

    def hit(self, key: str) -> bool:
        """Count one hit for `key`; False once the window's limit is exceeded."""
        name = f"{self.prefix}{key}"
        try:
            pipe = self.client.pipeline()
            pipe.incr(name)
            pipe.expire(name, self.window, nx=True)
            count = int(pipe.execute()[0])
        except redis.RedisError as exc:
            log.warning("throttle.unavailable", prefix=self.prefix, error=str(exc))
            return True
        return count <= self.limit
