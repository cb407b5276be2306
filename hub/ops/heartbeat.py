"""Celery beat's heartbeat: beat writes the time of its latest tick to Redis, `hub doctor`
reads it. Beat runs no task itself, so without it a dead beat stays invisible until sources
go stale. The key names the queue, so deployments (and test sessions) sharing a Redis keep
their own heartbeat."""

from __future__ import annotations

import time

import redis

from hub.core.settings import Settings

# Beat ticks at least once per schedule interval (every 60 s: workers/app.py); the key lives
# for five of them, and the doctor calls beat dead after three missed ticks.
KEY_TTL_SECONDS = 300
STALE_AFTER_SECONDS = 180


def beat_key(settings: Settings) -> str:
    return f"hub:{settings.index_prefix}{settings.queue_name}:beat-heartbeat"


def record_beat(client: redis.Redis, settings: Settings, now: float | None = None) -> None:
    """Note that beat is alive now."""
    stamp = time.time() if now is None else now
    client.set(beat_key(settings), f"{stamp:.3f}", ex=KEY_TTL_SECONDS)


def beat_age(client: redis.Redis, settings: Settings, now: float | None = None) -> float | None:
    """Seconds since beat's latest tick, or None when no heartbeat is recorded."""
    raw = client.get(beat_key(settings))
    if raw is None:
        return None
    return max(0.0, (time.time() if now is None else now) - float(raw))
