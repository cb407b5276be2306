"""The latency benchmarks run end to end on the real stack in miniature and report the shape
docs/benchmarks.md reads: percentiles per request kind for hub and engine, acknowledgement and
webhook → searchable percentiles with their baseline. Times are never asserted."""

from __future__ import annotations

import asyncio

import pytest

from hub.core.settings import Settings
from hub.dev.scale.openloop import by_kind, open_loop, percentiles
from hub.dev.scale.search import bench_search
from hub.dev.scale.searchmix import KINDS
from hub.dev.scale.webhooks import bench_webhooks

pytestmark = pytest.mark.services
PERCENTILES = {"p50", "p95", "p99", "max"}
OVERLOAD = {"ReadTimeout", "503"}


def test_percentiles_are_ordered_and_in_milliseconds() -> None:
    figures = percentiles([0.001 * n for n in range(1, 101)])
    assert figures["p50"] <= figures["p95"] <= figures["p99"] <= figures["max"] == 100.0
    assert percentiles([0.02]) == {"p50": 20.0, "p95": 20.0, "p99": 20.0, "max": 20.0}


def test_the_open_loop_fires_every_request_and_counts_failures_per_kind() -> None:
    async def send(number: int) -> str:
        if number % 3 == 2:
            raise ConnectionError("refused")
        return "ok"

    samples = asyncio.run(open_loop(["a", "b", "c"], send, rate=200.0, seconds=0.1))
    figures = by_kind(samples)
    assert sorted(s.number for s in samples) == list(range(20))
    assert figures["all"]["requests"] == 20
    assert figures["c"]["errors"] == figures["c"]["requests"] > 0
    assert figures["c"]["error_kinds"] == {"ConnectionError": figures["c"]["requests"]}
    assert figures["a"]["errors"] == 0 and set(figures["a"]) >= PERCENTILES


def test_a_tiny_search_run_reports_hub_and_engine_percentiles_per_kind(
    engine: object, settings: Settings
) -> None:
    result = bench_search(settings, size=150, rates=(7.0,), seconds=2.0, workers=1,
                          distinct=60, mix_size=14)  # fmt: skip
    assert result["index"]["offers"] == 150
    assert result["engine_calls_per_request"] >= 1
    [entry] = result["rounds"]
    for side in ("hub", "engine"):
        assert set(entry[side]) == {*KINDS, "all"}
        assert entry[side]["all"]["requests"] == 14
        # on a machine too loaded to answer in time a request may time out; none is refused
        assert set(entry[side]["all"]["error_kinds"]) <= OVERLOAD, entry[side]["all"]
        assert set(entry[side]["keyword"]) >= PERCENTILES
    assert set(entry["overhead_percent"]["map"]) == {"p50", "p95"}
    assert entry["api_cpu_ms_per_request"] > 0  # the API's own CPU, measured while it served


def test_a_tiny_webhook_run_makes_every_event_searchable_and_has_its_baseline(
    engine: object, settings: Settings
) -> None:
    result = bench_webhooks(settings, events=20, rate=10.0, burst_events=10, sources=2,
                            wait=90.0)  # fmt: skip
    hub, base = result["hub"], result["baseline"]
    assert hub["acknowledged"] == hub["searchable"] == 20
    assert set(hub["ack_ms"]) >= PERCENTILES and set(hub["searchable_ms"]) >= PERCENTILES
    assert result["burst"]["verified"] == 10
    assert base["single_writes"]["searchable"] == 20
    assert base["bulk"]["documents"] == 20
