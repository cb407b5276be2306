"""Sync tasks: one source's sync or reconciliation (locked per source) and the beat job that
finds due sources."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import redis
import structlog
from celery.exceptions import SoftTimeLimitExceeded
from redis.exceptions import LockError
from redis.lock import Lock

from hub.core.errors import NotFound
from hub.core.settings import Settings, get_settings
from hub.ingest.locks import reindex_running, writer_lock_name
from hub.ingest.reconcile import plan_reconcile, reconcile_due
from hub.ingest.runner import SyncOptions, SyncRunner
from hub.queue import (
    RECONCILE_SOURCE,
    SCHEDULE_DUE_SOURCES,
    SWEEP_ABANDONED_RUNS,
    SYNC_SOURCE,
    enqueue_reconcile,
    enqueue_sync,
)
from hub.search.engine import get_engine
from hub.sources.runs import RunStatus, RunStore, sweep_abandoned
from hub.sources.store import Source, SourceRegistry, SourceState
from workers.app import SCHEDULE_JITTER, SYNC_HARD_LIMIT, SYNC_SOFT_LIMIT, app
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
    options = SyncOptions(
        trigger=trigger, full=full, allow_mass_delete=allow_mass_delete,
        attempt=self.request.retries + 1,
    )  # fmt: skip

    def again() -> None:
        enqueue_sync(
            get_settings(), source_id, trigger=trigger, full=full,
            allow_mass_delete=allow_mass_delete, countdown=REINDEX_DEFER_SECONDS,
        )  # fmt: skip

    return _run_locked(self, source_id, options, again, defer_if_locked=False)


@app.task(bind=True, base=HubTask, name=RECONCILE_SOURCE, acks_late=True)
def reconcile_source(
    self: HubTask, source_id: str, trigger: str = "manual", allow_mass_delete: bool = False
) -> dict[str, Any]:
    """Reconcile one source in full (hub/ingest/reconcile.py) under the same writer lock as
    its syncs. A running sync defers it instead of skipping it: the next reconciliation is
    only planned a day or so ahead, a skipped one would be lost until then."""
    options = SyncOptions(
        trigger=trigger, reconcile=True, allow_mass_delete=allow_mass_delete,
        attempt=self.request.retries + 1,
    )  # fmt: skip

    def again() -> None:
        enqueue_reconcile(
            get_settings(), source_id, trigger=trigger, allow_mass_delete=allow_mass_delete,
            countdown=REINDEX_DEFER_SECONDS,
        )  # fmt: skip

    return _run_locked(self, source_id, options, again, defer_if_locked=True)


def _run_locked(
    task: HubTask,
    source_id: str,
    options: SyncOptions,
    again: Callable[[], None],
    *,
    defer_if_locked: bool,
) -> dict[str, Any]:
    """Run one source's sync or reconciliation holding its writer lock; while a reindex copies
    the index (or, if asked, while another writer of the source runs) queue it again later."""
    lock = redis_client().lock(lock_name(source_id), timeout=SYNC_HARD_LIMIT + 60, blocking=False)
    if not lock.acquire(token=task.request.id) and not _take_over(lock, task.request.id):
        if defer_if_locked:
            again()
        log.info("sync.skipped_locked", source_id=source_id, deferred=defer_if_locked)
        return {"source_id": source_id, "status": "deferred" if defer_if_locked else "locked"}
    if reindex_running(lock.redis, get_settings()):
        lock.release()  # the reindex waits for writer locks: let it finish, come back later
        again()
        log.info("sync.deferred_for_reindex", source_id=source_id)
        return {"source_id": source_id, "status": "deferred"}
    try:
        run = SyncRunner(get_settings()).run(source_id, options)
    except NotFound:
        log.warning("sync.unknown_source", source_id=source_id)
        return {"source_id": source_id, "status": "unknown_source"}
    except TRANSIENT as exc:
        raise task.retry(exc=exc, countdown=task.backoff(exc)) from exc
    except SoftTimeLimitExceeded:
        log.warning("sync.time_limit", source_id=source_id, seconds=SYNC_SOFT_LIMIT)
        return {"source_id": source_id, "run_id": _fail_timed_out(source_id), "status": "failed"}
    finally:
        if lock.owned():
            lock.release()
    return {"source_id": source_id, "run_id": run.id, "status": run.status.value}


def _fail_timed_out(source_id: str) -> str | None:
    """Close the run the time limit cut short (the runner saved it still `running`) as failed,
    with a German reason on the run and the source, instead of leaving it for the sweep to
    call "abandoned" forty minutes later. It deletes nothing: deletions follow a complete
    listing, which the cut run never had, or were in progress and stay partial like a crash."""
    engine = get_engine(get_settings())
    reason = (
        f"Die Synchronisierung hat das Zeitlimit ({duration_de(SYNC_SOFT_LIMIT)}) überschritten "
        "und wurde abgebrochen: Der Feed ist zu groß für einen Lauf oder der Server antwortet "
        "zu langsam. Bitte den Feed auf kleinere Seiten verteilen; der nächste geplante Lauf "
        "versucht es erneut."
    )
    runs = [
        r for r in RunStore(engine).for_source(source_id, limit=1) if r.status == RunStatus.RUNNING
    ]
    for run in runs:
        run.errors.append(
            {"code": "time_limit", "message": "soft time limit", "message_de": reason}
        )
        run.finish(RunStatus.FAILED)
        RunStore(engine).save(run)

    def note(source: Source) -> None:
        source.state_reason = reason
        if runs:
            source.last_run_id, source.last_run_at = runs[0].id, runs[0].ended_at

    SourceRegistry(engine).update(source_id, note)
    return runs[0].id if runs else None


def duration_de(seconds: int) -> str:
    """`25 Minuten`, `1 Minute`, `50 Sekunden`: a time limit as the municipality reads it."""
    if seconds >= 120:
        return f"{seconds // 60} Minuten"
    return "1 Minute" if seconds == 60 else f"{seconds} Sekunden"


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
    """Enqueue a sync for every due source and a reconciliation for every source whose
    reconciliation is due (beat runs this every minute); returns how many tasks it queued."""
    settings = get_settings()
    return schedule_due(settings, SourceRegistry(get_engine(settings)), datetime.now(UTC))


def schedule_due(settings: Settings, registry: SourceRegistry, now: datetime) -> int:
    """One beat over the whole registry, a page at a time: the due sources of a page get their
    next times planned in one bulk write (per-document concurrency checks), then their tasks
    are queued with a random countdown, so 10 000 sources cost ten bulk writes, not 10 000
    refreshing single writes, and due sources do not all start in the same second."""
    queued = 0
    for page in registry.pages():
        due = [(s, *_due(s, now)) for s in page if s.state in SCHEDULABLE]
        due = [(s, sync, reconcile) for s, sync, reconcile in due if sync or reconcile]
        for source, sync, reconcile in due:
            _plan(source, settings=settings, now=now, sync=sync, reconcile=reconcile)
        refused = set(registry.save_all([s for s, _, _ in due]))
        for source, sync, reconcile in due:
            if source.id in refused:
                sync, reconcile = _replan(settings, registry, source.id, now)
            jitter = random.uniform(0, SCHEDULE_JITTER)
            if sync:
                enqueue_sync(settings, source.id, trigger="schedule", countdown=jitter)
            if reconcile:
                enqueue_reconcile(settings, source.id, trigger="schedule", countdown=jitter)
            queued += int(sync) + int(reconcile)
    return queued


def _due(source: Source, now: datetime) -> tuple[bool, bool]:
    """(sync due, reconciliation due) of one source at `now`."""
    return not (source.next_run_at and source.next_run_at > now), reconcile_due(source, now)


def _replan(
    settings: Settings, registry: SourceRegistry, source_id: str, now: datetime
) -> tuple[bool, bool]:
    """Plan a source that changed under the bulk write on its own, read afresh: what is due
    of it now (nothing if it is gone, paused, or planned by a concurrent beat)."""
    try:
        source = registry.get(source_id)
    except NotFound:
        return False, False
    sync, reconcile = _due(source, now)
    if source.state not in SCHEDULABLE or not (sync or reconcile):
        return False, False
    plan = partial(_plan, settings=settings, now=now, sync=sync, reconcile=reconcile)
    registry.update(source_id, plan)
    return sync, reconcile


def _plan(
    source: Source, *, settings: Settings, now: datetime, sync: bool, reconcile: bool
) -> None:
    """Move the queued jobs' next times ahead, so the next beat does not queue them again."""
    if sync:
        source.next_run_at = next_run_after(source, now)
    if reconcile:
        plan_reconcile(source, now, settings)


@app.task(bind=True, base=HubTask, name=SWEEP_ABANDONED_RUNS, time_limit=120)
def sweep_abandoned_runs(self: HubTask) -> int:
    """Close runs left `running` by a lost worker (beat, every 10 minutes)."""
    settings = get_settings()
    grace = SYNC_HARD_LIMIT + 10 * 60
    return len(sweep_abandoned(RunStore(get_engine(settings)), grace))
