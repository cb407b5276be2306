"""When a reconciliation is due: pure rules over a source's cursor and planned time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.core.settings import Settings
from hub.ingest.reconcile import plan_reconcile, reconcile_due, reconcile_interval
from hub.sources.store import Source

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
INCREMENTAL = {"position": {"modified_gmt": "2026-12-01T10:00:00", "boundary_ids": ["7"]}}


def source(**fields: object) -> Source:
    base = {"id": "hamm-wp", "ags": ["05915000"], "kind": "wordpress", "url": "https://hamm.de"}
    return Source.model_validate(base | fields)


def test_source_whose_runs_are_full_is_never_due() -> None:
    etag_only = {"etag": '"v3"', "position": {}}
    assert not reconcile_due(source(cursor=etag_only), NOW)
    assert not reconcile_due(source(), NOW)


def test_incremental_source_never_reconciled_is_due_at_once() -> None:
    assert reconcile_due(source(cursor=INCREMENTAL), NOW)


def test_incremental_source_is_due_only_once_its_time_has_come() -> None:
    later = source(cursor=INCREMENTAL, next_reconcile_at=NOW + timedelta(minutes=1))
    passed = source(cursor=INCREMENTAL, next_reconcile_at=NOW - timedelta(minutes=1))
    assert not reconcile_due(later, NOW)
    assert reconcile_due(passed, NOW)


def test_default_interval_is_daily_and_a_source_may_set_its_own() -> None:
    settings = Settings(environment="test")
    assert reconcile_interval(source(), settings) == timedelta(days=1)
    assert reconcile_interval(source(reconcile_hours=6), settings) == timedelta(hours=6)


def test_planning_moves_the_next_reconciliation_one_interval_ahead() -> None:
    planned = source(cursor=INCREMENTAL, reconcile_hours=12)
    plan_reconcile(planned, NOW, Settings(environment="test"))
    assert planned.next_reconcile_at == NOW + timedelta(hours=12)
    assert not reconcile_due(planned, NOW + timedelta(hours=11))
    assert reconcile_due(planned, NOW + timedelta(hours=12))
