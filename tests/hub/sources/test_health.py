"""The desk's health rules, one case per rule and their order (pure, no engine)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.sources.health import Health, classify, error_rate, worst
from hub.sources.runs import RunStatus, SyncRun
from hub.sources.store import Source, SourceState

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def source(**fields: object) -> Source:
    base: dict[str, object] = {
        "id": "essen",
        "ags": ["05113000"],
        "kind": "json_feed",
        "url": "https://essen.example/feed.json",
        "interval_minutes": 60,
        "state": SourceState.ACTIVE,
        "created_at": NOW - timedelta(days=30),
    }
    return Source.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"last_success_at": NOW - timedelta(minutes=30)}, Health.FRESH),
        ({"last_success_at": NOW - timedelta(minutes=119)}, Health.FRESH),
        ({"last_success_at": NOW - timedelta(minutes=121)}, Health.STALE),
        ({"last_success_at": None}, Health.STALE),  # never synced, registered long ago
        (
            {"state": SourceState.PENDING, "created_at": NOW - timedelta(minutes=5)},
            Health.WAITING,
        ),
        (
            {"last_success_at": NOW - timedelta(minutes=10), "consecutive_failures": 1},
            Health.FAILING,
        ),
        ({"state": SourceState.FAILING, "last_success_at": NOW}, Health.FAILING),
        (
            {"last_success_at": NOW, "pending_deletion": {"ids": ["essen:1"]}},
            Health.PENDING_DELETION,
        ),
        (
            {
                "state": SourceState.PAUSED,
                "consecutive_failures": 4,
                "pending_deletion": {"ids": ["essen:1"]},
            },
            Health.PAUSED,
        ),
        (
            {"consecutive_failures": 2, "pending_deletion": {"ids": ["essen:1"]}},
            Health.PENDING_DELETION,
        ),
    ],
)
def test_each_rule_and_its_precedence(fields: dict[str, object], expected: Health) -> None:
    assert classify(source(**fields), NOW).health == expected


def test_the_target_scales_with_the_interval_and_the_factor() -> None:
    daily = source(interval_minutes=24 * 60, last_success_at=NOW - timedelta(hours=30))
    assert classify(daily, NOW).health == Health.FRESH  # target 48 h
    assert classify(daily, NOW, factor=1.0).health == Health.STALE  # target 24 h
    assert classify(daily, NOW).target == timedelta(hours=48)


def test_error_rate_counts_finished_runs_only() -> None:
    runs = [
        SyncRun(source_id="essen", status=RunStatus.FAILED),
        SyncRun(source_id="essen", status=RunStatus.SUCCEEDED),
        SyncRun(source_id="essen", status=RunStatus.NOT_MODIFIED),
        SyncRun(source_id="essen", status=RunStatus.RUNNING),
    ]
    rate = error_rate(runs)
    assert (rate.failed, rate.runs) == (1, 3)
    assert rate.share == pytest.approx(1 / 3)
    assert error_rate([]).share == 0.0


def test_a_municipality_shows_its_most_urgent_source() -> None:
    assert worst([Health.FRESH, Health.FAILING, Health.STALE]) == Health.FAILING
    assert worst([Health.FRESH, Health.PAUSED]) == Health.PAUSED
    assert worst([Health.FRESH]) == Health.FRESH
    assert worst([]) is None
