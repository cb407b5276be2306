"""The health of a source at a glance, as the ministry's desk shows it (pure functions).

One label per source, the first rule that applies:

1. `paused` – the ministry paused it (state `paused`);
2. `pending_deletion` – a mass deletion is held for a decision;
3. `failing` – state `failing`, or its last attempt failed (consecutive failures ≥ 1);
4. `waiting` – registered but never synced successfully, and younger than its target;
5. `stale` – last success (or registration, if none) older than its freshness target;
6. `fresh` – otherwise.

The freshness target is the poll interval times a factor (`HUB_FRESHNESS_TARGET_FACTOR`,
default 2): a source polled hourly is stale after two hours without a successful sync.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hub.sources.runs import RunStatus, SyncRun
from hub.sources.store import Source, SourceState


class Health(StrEnum):
    PAUSED = "paused"
    PENDING_DELETION = "pending_deletion"
    FAILING = "failing"
    WAITING = "waiting"
    STALE = "stale"
    FRESH = "fresh"


HEALTH_DE = {
    Health.FRESH: "frisch",
    Health.STALE: "veraltet",
    Health.FAILING: "fehlerhaft",
    Health.PAUSED: "pausiert",
    Health.PENDING_DELETION: "Löschung wartet",
    Health.WAITING: "wartet auf ersten Lauf",
}
URGENCY = [Health.FAILING, Health.PENDING_DELETION, Health.STALE, Health.WAITING, Health.PAUSED]


@dataclass(frozen=True)
class Freshness:
    """How a source stands against its target."""

    health: Health
    target: timedelta
    age: timedelta | None  # since the last success; None if never
    overdue: bool


def target_of(source: Source, factor: float) -> timedelta:
    return timedelta(minutes=source.interval_minutes * factor)


def classify(source: Source, now: datetime, factor: float = 2.0) -> Freshness:
    """The source's health now, by the rules of this module's docstring."""
    target = target_of(source, factor)
    age = now - source.last_success_at if source.last_success_at else None
    overdue = (age if age is not None else now - source.created_at) > target
    if source.state == SourceState.PAUSED:
        health = Health.PAUSED
    elif source.pending_deletion.get("ids"):
        health = Health.PENDING_DELETION
    elif source.state == SourceState.FAILING or source.consecutive_failures > 0:
        health = Health.FAILING
    elif age is None and not overdue:
        health = Health.WAITING
    elif overdue:
        health = Health.STALE
    else:
        health = Health.FRESH
    return Freshness(health, target, age, overdue)


@dataclass(frozen=True)
class ErrorRate:
    failed: int
    runs: int

    @property
    def share(self) -> float:
        return self.failed / self.runs if self.runs else 0.0


def error_rate(runs: Iterable[SyncRun]) -> ErrorRate:
    """Failed runs among the finished ones given (running ones do not count yet)."""
    finished = [r for r in runs if r.status != RunStatus.RUNNING]
    return ErrorRate(sum(r.status == RunStatus.FAILED for r in finished), len(finished))


def worst(healths: Iterable[Health]) -> Health | None:
    """The most urgent of several sources' health (a municipality served by more than one)."""
    found = set(healths)
    return next((h for h in URGENCY if h in found), Health.FRESH if found else None)
