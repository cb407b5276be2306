"""Hands work to the Celery workers by stable task name; the one place that talks to the broker.

The API, the CLI, the webhook receiver and the workers themselves enqueue through here. Tasks
are sent by name (`send_task`), so importing a hub module never builds the worker app, and a
broker that refuses the message becomes one error, `BrokerUnavailable`, wherever it happens.
Pushed webhook events go to a queue of their own (`Settings.events_queue`), so a statewide
sync filling the hub's queue never delays them; everything else shares `Settings.queue_name`.
The Redis transport has no publisher confirms: the publish is an LPUSH, and returning from it
without error means Redis holds the message; `retry=False` makes a refusal raise at once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from celery import Celery
from kombu.exceptions import OperationalError

from hub.core.errors import BrokerUnavailable
from hub.core.settings import Settings

SYNC_SOURCE = "workers.sync.sync_source"
RECONCILE_SOURCE = "workers.sync.reconcile_source"
SCHEDULE_DUE_SOURCES = "workers.sync.schedule_due_sources"
SWEEP_ABANDONED_RUNS = "workers.sync.sweep_abandoned_runs"
APPLY_EVENT = "workers.events.apply_event"
DRAIN_EVENTS = "workers.events.drain_events"
SWEEP_EVENT_BACKLOGS = "workers.events.sweep_event_backlogs"
EVENT_TASKS = frozenset({APPLY_EVENT, DRAIN_EVENTS, SWEEP_EVENT_BACKLOGS})
MAIL_REPORT = "workers.notify.mail_report"
SEND_DIGESTS = "workers.notify.send_digests"
TAKE_PLANNING_SNAPSHOT = "workers.planning.take_planning_snapshot"
FLUSH_SEARCH_DEMAND = "workers.planning.flush_search_demand"
REINDEX_OFFERS = "workers.reindex.reindex_offers"

BROKER_DOWN_DE = "Die Warteschlange ist gerade nicht erreichbar. Bitte später erneut versuchen."


@lru_cache(maxsize=8)
def _producer(broker_url: str) -> Celery:
    """A send-only Celery client (no tasks, no worker settings) per broker URL."""
    app = Celery("familienhub-producer", broker=broker_url, set_as_current=False)
    app.conf.update(task_serializer="json", accept_content=["json"], task_ignore_result=True)
    return app


def queue_of(settings: Settings, task: str) -> str:
    """The queue a task goes to: pushed events their own, everything else the hub's."""
    return settings.events_queue if task in EVENT_TASKS else settings.queue_name


def send(
    settings: Settings, task: str, kwargs: dict[str, Any], *, countdown: float | None = None
) -> str:
    """Publish `task` with `kwargs` on its queue; its task id, or `BrokerUnavailable`."""
    queue = queue_of(settings, task)
    try:
        result = _producer(settings.redis_url).send_task(
            task, kwargs=kwargs, queue=queue, countdown=countdown, retry=False
        )
    except (OperationalError, ConnectionError, OSError) as exc:
        raise BrokerUnavailable(f"broker unavailable: {exc}", message_de=BROKER_DOWN_DE) from exc
    return str(result.id)


def enqueue_sync(
    settings: Settings,
    source_id: str,
    *,
    trigger: str,
    full: bool = False,
    allow_mass_delete: bool = False,
    countdown: float | None = None,
) -> str:
    """Queue a sync of one source."""
    kwargs: dict[str, Any] = {"source_id": source_id, "trigger": trigger, "full": full}
    if allow_mass_delete:
        kwargs["allow_mass_delete"] = True
    return send(settings, SYNC_SOURCE, kwargs, countdown=countdown)


def enqueue_reconcile(
    settings: Settings,
    source_id: str,
    *,
    trigger: str,
    allow_mass_delete: bool = False,
    countdown: float | None = None,
) -> str:
    """Queue a full reconciliation of one source (deletions for incremental sources)."""
    kwargs: dict[str, Any] = {"source_id": source_id, "trigger": trigger}
    if allow_mass_delete:
        kwargs["allow_mass_delete"] = True
    return send(settings, RECONCILE_SOURCE, kwargs, countdown=countdown)


def enqueue_drain(settings: Settings, source_id: str, *, countdown: float | None = None) -> str:
    """Queue a drain of one source's backlog of pushed events (`hub.push.backlog`)."""
    return send(settings, DRAIN_EVENTS, {"source_id": source_id}, countdown=countdown)


def enqueue_report_mail(settings: Settings, report_id: str) -> str:
    """Queue the mail that tells a source's municipality of a parent's report."""
    return send(settings, MAIL_REPORT, {"report_id": report_id})


def enqueue_reindex(settings: Settings) -> str:
    """Queue the zero-downtime reindex (claim it first: `hub.ingest.reindex_job.claim`)."""
    return send(settings, REINDEX_OFFERS, {})
