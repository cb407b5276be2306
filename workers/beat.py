"""Beat's scheduler with a heartbeat: the persistent scheduler of Celery, plus a Redis key
written on every tick (hub/ops/heartbeat.py) so that `hub doctor` can tell beat is alive."""

from __future__ import annotations

from typing import Any

import redis
import structlog
from celery.beat import PersistentScheduler

from hub.core.settings import get_settings
from hub.ops.heartbeat import record_beat

log = structlog.get_logger(__name__)


class HeartbeatScheduler(PersistentScheduler):  # type: ignore[misc]
    """Writes the heartbeat before each tick; a Redis outage is logged, never fatal."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        settings = get_settings()
        if getattr(self, "_heartbeat_redis", None) is None:
            self._heartbeat_redis = redis.Redis.from_url(settings.redis_url, socket_timeout=5)
        try:
            record_beat(self._heartbeat_redis, settings)
        except redis.RedisError as exc:
            log.warning("beat.heartbeat_failed", error=str(exc))
        interval: float = super().tick(*args, **kwargs)
        return interval
