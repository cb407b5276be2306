"""Sync tasks: one source's sync (locked per source) and the beat job that finds due sources."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
import structlog
from redis.exceptions import LockError
from redis.lock import Lock

from hub.core.errors import NotFound
from hub.core.settings import get_settings
from hub.ingest.locks import reindex_running, writer_lock_name
from hub.ingest.runner import SyncOptions, SyncRunner
from hub.queue import SCHEDULE_DUE_SOURCES, SWEEP_ABANDONED_RUNS, SYNC_SOURCE, enqueue_sync
from hub.search.engine import get_engine
from hub.sources.runs import RunStore, sweep_abandoned
from hub.sources.store import Source, SourceRegistry, SourceState
from workers.app import SCHEDULE_JITTER, SYNC_HARD_LIMIT, app
from workers.base import TRANSIENT, HubTask

log = structlog.get_logger(__name__)
SCHEDULABLE = {SourceState.PENDING, SourceState.ACTIVE, SourceState.FAILING}


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(get_settings().redis_url, socket_timeout=10)


def lock_name(source_id: str) -> str:
    return writer_lock_name(get_settings(), source_id)


REINDEX_DEFER_SECONDS = 60


@app.task(bind=True, base=HubTask, name=SYNC_SOURCE, acks_late=True)
def sync_source(
    self: HubTask,
    source_id: str,
    trigger: str = "manual",
    full: bool = False,
    allow_mass_delete: bool = False,
) -> dict[str, Any]:
    """Sync one source unless another sync of it holds the lock; retry transient failures."""
    lock = redis_client().lock(lock_name(source_id), timeout=SYNC_HARD_LIMIT + 60, blocking=False)
    if not lock.acquire(token=self.request.id) and not _take_over(lock, self.request.id):
        log.info("sync.skipped_locked", source_id=source_id)
        return {"source_id": source_id, "status": "locked"}
    if reindex_running(lock.redis, get_settings()):
        lock.release()  # the reindex waits for writer locks: let it finish, come back later
        enqueue_sync(
            get_settings(), source_id, trigger=trigger, full=full,
            allow_mass_delete=allow_mass_delete, countdown=REINDEX_DEFER_SECONDS,
        )  # fmt: skip
        log.info("sync.deferred_for_reindex", source_id=source_id)
        return {"source_id": source_id, "status": "deferred"}
    try:
        options = SyncOptions(
            trigger=trigger,
            full=full,
            allow_mass_delete=allow_mass_delete,
            attempt=self.request.retries + 1,
        )
        run = SyncRunner(get_settings()).run(source_id, options)
    except NotFound:
        log.warning("sync.unknown_source", source_id=source_id)
        return {"source_id": source_id, "status": "unknown_source"}
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=self.backoff(exc)) from exc
    finally:
        if lock.owned():
            lock.release()
    return {"source_id": source_id, "run_id": run.id, "status": run.status.value}


def _take_over(lock: Lock, task_id: str | None) -> bool:
    """Take the lock a killed worker left behind while running this very task (same task id:
    a redelivery after `task_reject_on_worker_lost` or the visibility timeout); without this
    the redelivered sync would see its own lock, skip, and be acked, i.e. lost."""
    if not task_id or lock.redis.get(lock.name) != task_id.encode():
        return False
    lock.local.token = task_id.encode()
    try:
        return bool(lock.reacquire())
    except LockError:
        return False


def next_run_after(source: Source, now: datetime) -> datetime:
    """When a source is due next: its interval, stretched while it keeps failing, plus jitter."""
    minutes = float(source.interval_minutes)
    if source.state == SourceState.FAILING:
        minutes *= 2 ** min(source.consecutive_failures, 6)
    jitter = random.uniform(0, min(minutes * 0.1, 10))
    return now + timedelta(minutes=minutes + jitter)


@app.task(bind=True, base=HubTask, name=SCHEDULE_DUE_SOURCES, time_limit=120)
def schedule_due_sources(self: HubTask) -> int:
    """Enqueue a sync for every due source (beat runs this every minute)."""
    settings = get_settings()
    registry = SourceRegistry(get_engine(settings))
    now = datetime.now(UTC)
    queued = 0
    for source in registry.list():
        if source.state not in SCHEDULABLE:
            continue
        if source.next_run_at and source.next_run_at > now:
            continue

        def plan(s: Source) -> None:
            s.next_run_at = next_run_after(s, now)

        registry.update(source.id, plan)
        enqueue_sync(
            settings, source.id, trigger="schedule", countdown=random.uniform(0, SCHEDULE_JITTER)
        )
        queued += 1
    return queued


@app.task(bind=True, base=HubTask, name=SWEEP_ABANDONED_RUNS, time_limit=120)
def sweep_abandoned_runs(self: HubTask) -> int:
    """Close runs left `running` by a lost worker (beat, every 10 minutes)."""
    settings = get_settings()
    grace = SYNC_HARD_LIMIT + 10 * 60
    return len(sweep_abandoned(RunStore(get_engine(settings)), grace))
