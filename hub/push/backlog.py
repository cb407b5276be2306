"""Per-source backlog of accepted webhook events in Redis, drained in batches by one task.

The receiver appends an event to its source's list and, in the same transaction, claims the
source's drain flag; only the delivery that claimed it queues a drain task, so a flood of one
source is one task in the events queue, not thousands. The drain task reads up to a batch from
the head, applies it, and only then trims it away (at-least-once: a crash leaves the batch for
the next drain, and applying it twice changes nothing). It gives the flag back atomically when
the list is empty, or queues itself again behind the other sources' drains (round-robin), so
one source's flood never starves another's events. A drain lost with its worker leaves the
flag to expire; `orphaned` finds such backlogs for the periodic sweep.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, cast

import redis

from hub.core.errors import BrokerUnavailable
from hub.core.settings import Settings
from hub.queue import BROKER_DOWN_DE, enqueue_drain

# A drain refreshes its flag at every batch; a flag older than this belongs to a lost drain.
DRAIN_FLAG_SECONDS = 5 * 60

# Give the flag back only if nothing arrived meanwhile (else the caller drains on).
_RELEASE_IF_EMPTY = """
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2])
  return 0
end
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 1
"""


@dataclass(frozen=True)
class PushedEvent:
    """One accepted delivery, as the receiver stored it."""

    event_type: str
    data: dict[str, Any]
    webhook_id: str
    timestamp: int | None = None

    def dumps(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def loads(cls, raw: bytes | str) -> PushedEvent:
        document = json.loads(raw)
        return cls(
            event_type=str(document["event_type"]),
            data=dict(document["data"]),
            webhook_id=str(document["webhook_id"]),
            timestamp=document.get("timestamp"),
        )


def backlog_key(settings: Settings, source_id: str) -> str:
    return f"hub:{settings.index_prefix}events:{source_id}"


def drain_flag(settings: Settings, source_id: str) -> str:
    return f"hub:{settings.index_prefix}events-drain:{source_id}"


class EventBacklog:
    """The pending events of one source and its drain flag."""

    def __init__(self, settings: Settings, client: redis.Redis, source_id: str) -> None:
        self.settings, self.redis, self.source_id = settings, client, source_id
        self.key = backlog_key(settings, source_id)
        self.flag = drain_flag(settings, source_id)

    def append(self, event: PushedEvent) -> str | None:
        """Store `event`; the id of the drain task queued for it, or None when a drain is
        already pending. `BrokerUnavailable` (event not kept) when Redis refuses."""
        raw = event.dumps()
        try:
            pipe = self.redis.pipeline(transaction=True)
            pipe.rpush(self.key, raw)
            pipe.set(self.flag, "1", nx=True, ex=DRAIN_FLAG_SECONDS)
            _length, claimed = pipe.execute()
        except redis.RedisError as exc:
            raise _broker_down(exc) from exc
        if not claimed:
            return None
        try:
            return enqueue_drain(self.settings, self.source_id)
        except BrokerUnavailable:
            self._withdraw(raw)
            raise

    def peek(self, count: int) -> list[PushedEvent]:
        """Up to `count` events from the head, oldest first (left in place until `drop`)."""
        raws = cast(list[bytes], self.redis.lrange(self.key, 0, count - 1))
        return [PushedEvent.loads(raw) for raw in raws]

    def drop(self, count: int) -> None:
        """Remove the `count` events a drain has applied (new ones were appended behind)."""
        self.redis.ltrim(self.key, count, -1)

    def hold(self) -> None:
        """Keep the drain flag alive while a drain works or waits (a retry's countdown)."""
        self.redis.set(self.flag, "1", ex=DRAIN_FLAG_SECONDS)

    def release_or_continue(self) -> bool:
        """Give the flag back if the backlog is empty (False), else keep it (True: drain on)."""
        script = self.redis.register_script(_RELEASE_IF_EMPTY)
        return bool(script(keys=[self.key, self.flag], args=[DRAIN_FLAG_SECONDS]))

    def discard(self) -> None:
        """Forget the backlog and the flag (its source no longer exists)."""
        self.redis.delete(self.key, self.flag)

    def __len__(self) -> int:
        return int(self.redis.llen(self.key))

    def _withdraw(self, raw: str) -> None:
        # the drain could not be queued: take the event back (its sender retries) and the flag
        try:
            pipe = self.redis.pipeline(transaction=True)
            pipe.lrem(self.key, -1, raw)
            pipe.delete(self.flag)
            pipe.execute()
        except redis.RedisError:
            pass  # Redis gone as well: the event went with it, the flag expires


def orphaned(settings: Settings, client: redis.Redis) -> Iterator[str]:
    """Source ids with pending events but no drain flag (their drain was lost)."""
    prefix = backlog_key(settings, "")
    for key in client.scan_iter(match=prefix + "*", count=500):
        source_id = (key.decode() if isinstance(key, bytes) else str(key))[len(prefix) :]
        if not client.exists(drain_flag(settings, source_id)):
            yield source_id


def _broker_down(exc: BaseException) -> BrokerUnavailable:
    return BrokerUnavailable(f"broker unavailable: {exc}", message_de=BROKER_DOWN_DE)
