"""A tiny fairness benchmark through a real worker: the small sources are all synced while one
huge source enqueued before them still runs (it holds one pool slot, not the queue), and each
round reports its figures. Speeds are never asserted."""

from __future__ import annotations

from hub.core.settings import Settings
from hub.dev.scale.fairness import bench_fairness

HUGE = 5000


def test_small_sources_finish_while_a_huge_one_enqueued_first_still_runs(
    engine: object, settings: Settings
) -> None:
    result = bench_fairness(settings, sources=3, records=30, latency=0.2, slow_pages=1,
                            huge_records=HUGE, concurrency=2)  # fmt: skip

    baseline, slow, huge = result["rounds"].values()
    assert baseline["slow_source_seconds"] is None and slow["slow_source_seconds"] > 0
    assert huge["huge_source_seconds"] is None  # not done when the last small one was
    assert huge["huge_source_offers_indexed_by_then"] < HUGE
    assert all(r["seconds_until_last_fast_source"] > 0 for r in result["rounds"].values())
    assert result["fast_sources_slowed_by_huge"] is not None
