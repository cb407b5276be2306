"""The Celery app: Redis broker, late acks, and a visibility timeout derived from time limits."""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

from hub.core.errors import ConfigError
from hub.core.logging import configure_logging
from hub.core.settings import get_settings
from hub.queue import (
    EVENT_TASKS,
    FLUSH_SEARCH_DEMAND,
    SCHEDULE_DUE_SOURCES,
    SEND_DIGESTS,
    SWEEP_ABANDONED_RUNS,
    SWEEP_EVENT_BACKLOGS,
    TAKE_PLANNING_SNAPSHOT,
)

# Time limits (seconds), from settings so a fault test can run a worker with short ones.
# The longest task is a full sync of a large feed.
_settings = get_settings()
SYNC_HARD_LIMIT = _settings.sync_time_limit_seconds
SYNC_SOFT_LIMIT = SYNC_HARD_LIMIT * 5 // 6
EVENT_HARD_LIMIT = min(2 * 60, SYNC_HARD_LIMIT)
MAX_RETRY_COUNTDOWN = _settings.max_retry_countdown_seconds
SCHEDULE_JITTER = _settings.schedule_jitter_seconds  # longest countdown of a scheduled sync
# Redis redelivers an unacked task after the visibility timeout. It must exceed the longest
# hard limit plus the longest countdown (ETA tasks sit unacked in the worker meanwhile), or a
# still-running task is handed to a second worker. Defaults: 30 min + max(60 min, 30 s) =
# 90 min; keep 2 h. (Kombu sweeps for expired messages every `unacked_restore_seconds`, 100 s
# by default, so a task of a worker killed outright comes back after the timeout plus up to
# that sweep period.)
VISIBILITY_TIMEOUT = _settings.visibility_timeout_seconds
LONGEST_COUNTDOWN = max(MAX_RETRY_COUNTDOWN, SCHEDULE_JITTER)
if not VISIBILITY_TIMEOUT > SYNC_HARD_LIMIT + LONGEST_COUNTDOWN:
    raise ConfigError(
        f"HUB_VISIBILITY_TIMEOUT_SECONDS={VISIBILITY_TIMEOUT} must exceed the sync time limit "
        f"({SYNC_HARD_LIMIT}) plus the longest countdown ({LONGEST_COUNTDOWN})"
    )


def create_app() -> Celery:
    settings = get_settings()
    configure_logging(settings)
    app = Celery(
        "familienhub",
        broker=settings.redis_url,
        include=[
            "workers.sync",
            "workers.events",
            "workers.notify",
            "workers.planning",
            "workers.reindex",
        ],
    )
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=SYNC_HARD_LIMIT,
        task_soft_time_limit=SYNC_SOFT_LIMIT,
        broker_transport_options={
            "visibility_timeout": VISIBILITY_TIMEOUT,
            # one sweep for expired unacked tasks every `unacked_restore_seconds` (kombu's
            # default period is 10 s × every 10th call = 100 s)
            "unacked_restore_interval": settings.unacked_restore_seconds,
            "unacked_restore_throttle": 1,
        },
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
        task_default_queue=settings.queue_name,
        # pushed events never wait behind syncs (retries and beat's sends keep this route)
        task_routes={name: {"queue": settings.events_queue} for name in EVENT_TASKS},
        beat_scheduler="workers.beat:HeartbeatScheduler",  # heartbeat for `hub doctor`
        beat_schedule={
            "schedule-due-sources": {"task": SCHEDULE_DUE_SOURCES, "schedule": 60.0},
            "sweep-abandoned-runs": {"task": SWEEP_ABANDONED_RUNS, "schedule": 600.0},
            "sweep-event-backlogs": {"task": SWEEP_EVENT_BACKLOGS, "schedule": 60.0},
            # Monday 07:00 UTC; idempotent per ISO week (hub-digests), so a rerun sends nothing
            "freshness-digests": {
                "task": SEND_DIGESTS,
                "schedule": crontab(minute=0, hour=7, day_of_week=1),
            },
            # daily; writes only the first time in a month (idempotent per month)
            "take-planning-snapshot": {"task": TAKE_PLANNING_SNAPSHOT, "schedule": 86_400.0},
            "flush-search-demand": {"task": FLUSH_SEARCH_DEMAND, "schedule": 3_600.0},
        },
    )
    return app


app = create_app()
