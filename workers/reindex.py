"""The reindex task the ministry's desk starts: one zero-downtime reindex of the offer index,
its progress kept in Redis for the desk (hub/ingest/reindex_job.py)."""

from __future__ import annotations

from typing import Any

import redis

from hub.core.settings import get_settings
from hub.ingest import reindex_job
from hub.queue import REINDEX_OFFERS
from hub.search.engine import get_engine
from workers.app import app
from workers.base import HubTask


# Not acked late: a reindex lost with its worker is started again by hand, never replayed
# while the claim of the first still stands.
@app.task(bind=True, base=HubTask, name=REINDEX_OFFERS, acks_late=False)
def reindex_offers(self: HubTask) -> dict[str, Any]:
    """Copy the offer index into a fresh one from `mappings/` and swap the alias."""
    settings = get_settings()
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=10)
    done = reindex_job.run(client, settings, get_engine(settings, "index"))
    return {"state": done.state, "documents": done.documents}
