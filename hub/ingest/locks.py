"""Redis locks shared by writers of the offer index: per-source syncs, webhook events, reindex.

Every writer holds a lock named `hub:{prefix}lock:sync:…` while it writes, and checks the reindex
flag only after taking it; a reindex sets the flag first and then waits until no writer lock is
left. So no write can land in the old index while it is being copied into the new one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from hub.core.errors import ConflictError
from hub.core.settings import Settings

REINDEX_LOCK_SECONDS = 3 * 60 * 60


def writer_lock_name(settings: Settings, *parts: str) -> str:
    """The lock a writer holds while it writes (a sync: the source id; an event: + its id)."""
    return f"hub:{settings.index_prefix}lock:sync:{':'.join(parts)}"


def reindex_flag(settings: Settings) -> str:
    return f"hub:{settings.index_prefix}lock:reindex"


def reindex_running(client: redis.Redis, settings: Settings) -> bool:
    """Whether a reindex is copying the offer index (writers defer meanwhile)."""
    return bool(client.exists(reindex_flag(settings)))


def active_writers(client: redis.Redis, settings: Settings) -> list[str]:
    pattern = writer_lock_name(settings, "*")
    return [key.decode() for key in client.scan_iter(match=pattern, count=200)]


@contextmanager
def writers_paused(
    client: redis.Redis, settings: Settings, wait_seconds: float = 900, poll: float = 0.5
) -> Iterator[None]:
    """Hold the reindex flag and wait until running writers have finished."""
    flag = client.lock(reindex_flag(settings), timeout=REINDEX_LOCK_SECONDS, blocking=False)
    if not flag.acquire():
        raise ConflictError(
            "another reindex is running", message_de="Es läuft bereits eine Neuindizierung."
        )
    try:
        deadline = time.monotonic() + wait_seconds
        while writers := active_writers(client, settings):
            if time.monotonic() > deadline:
                raise ConflictError(
                    f"writers still running after {wait_seconds:.0f} s: {writers[:5]}",
                    message_de="Laufende Synchronisierungen sind nicht fertig geworden.",
                )
            time.sleep(poll)
        yield
    finally:
        if flag.owned():
            flag.release()
