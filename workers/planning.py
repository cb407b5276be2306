"""Planning tasks for beat: this month's snapshot of the coverage matrix (written once a month,
the daily runs after the first skip it) and the hourly flush of the search-demand counters."""

from __future__ import annotations

import redis

from hub.core.settings import get_settings
from hub.planning.demand import flush
from hub.planning.snapshots import take_snapshot
from hub.queue import FLUSH_SEARCH_DEMAND, TAKE_PLANNING_SNAPSHOT
from hub.search.engine import get_engine
from workers.app import app
from workers.base import HubTask


@app.task(bind=True, base=HubTask, name=TAKE_PLANNING_SNAPSHOT, acks_late=True, time_limit=600)
def take_planning_snapshot(self: HubTask) -> dict[str, object]:
    """Write this month's snapshot unless it exists (safe to run twice)."""
    month, written = take_snapshot(get_engine(get_settings()))
    return {"month": month, "written": written}


@app.task(bind=True, base=HubTask, name=FLUSH_SEARCH_DEMAND, acks_late=True, time_limit=120)
def flush_search_demand(self: HubTask) -> int:
    """Copy the kept day counters into the demand index (idempotent: values, not increments)."""
    settings = get_settings()
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=10)
    try:
        return flush(get_engine(settings), client, prefix=settings.index_prefix)
    finally:
        client.close()
