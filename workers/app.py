"""The Celery app: Redis broker, late acks, and a visibility timeout derived from time limits."""

from __future__ import annotations

from celery import Celery

from hub.logging import configure_logging
from hub.settings import get_settings

# Time limits (seconds). The longest task is a full sync of a large feed.
SYNC_SOFT_LIMIT = 25 * 60
SYNC_HARD_LIMIT = 30 * 60
EVENT_HARD_LIMIT = 2 * 60
MAX_RETRY_COUNTDOWN = 60 * 60
# Redis redelivers an unacked task after the visibility timeout. It must exceed the longest
# hard limit plus the longest retry countdown (ETA tasks sit unacked in the worker meanwhile),
# or a still-running task is handed to a second worker: 30 min + 60 min = 90 min; keep 2 h.
VISIBILITY_TIMEOUT = 2 * 60 * 60
assert VISIBILITY_TIMEOUT > SYNC_HARD_LIMIT + MAX_RETRY_COUNTDOWN


def create_app() -> Celery:
    settings = get_settings()
    configure_logging(settings)
    app = Celery("familienhub", broker=settings.redis_url, include=["workers.sync"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=SYNC_HARD_LIMIT,
        task_soft_time_limit=SYNC_SOFT_LIMIT,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
        task_default_queue="hub",
        beat_schedule={
            "schedule-due-sources": {"task": "workers.sync.schedule_due_sources", "schedule": 60.0}
        },
    )
    return app


app = create_app()
