"""Sign-in attempts limited per account and per address, on the hub's Redis rate limiter.

The limiter spaces requests: each attempt books the next slot `1/rate` seconds later. An attempt
whose slot lies more than `burst` slots ahead is refused, so a few typos pass at once and a
guessing run is slowed to the rate; refused attempts book slots too, so hammering on prolongs
the wait.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import redis

from hub.core.redis_ratelimit import RedisRateLimiter
from hub.core.settings import Settings

TOO_MANY_DE = (
    "Zu viele Anmeldeversuche. Bitte warten Sie einige Minuten und versuchen Sie es dann erneut."
)


@dataclass(frozen=True)
class Limit:
    rate: float  # attempts per second in the long run
    burst: int  # attempts allowed at once


PER_ACCOUNT = Limit(rate=1 / 60, burst=5)  # 5 at once, then one a minute
PER_ADDRESS = Limit(rate=1 / 6, burst=20)  # an office behind one NAT address


class SignInThrottle:
    """Books one attempt for an e-mail and a client address; says whether it may go on."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        prefix = f"hub:{settings.index_prefix}signin:"
        self.account = RedisRateLimiter(client, PER_ACCOUNT.rate, prefix=prefix + "account:")
        self.address = RedisRateLimiter(client, PER_ADDRESS.rate, prefix=prefix + "ip:")

    def allow(self, email: str, ip: str) -> bool:
        account_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        account_ok = self.account.reserve(account_key) <= _slack(PER_ACCOUNT)
        address_ok = self.address.reserve(ip or "unknown") <= _slack(PER_ADDRESS)
        return account_ok and address_ok


def _slack(limit: Limit) -> float:
    """How far ahead a booked slot may lie and still be granted now."""
    return (limit.burst - 1) / limit.rate
