"""The metric helpers: a finished run counts once with its records, engine failures count by
kind and answers (not found, conflicts) do not count at all."""

from __future__ import annotations

from prometheus_client import REGISTRY

from hub.core.errors import ConflictError, EngineRequestError, EngineUnavailable, NotFound
from hub.core.metrics import count_engine_error, observe_sync


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_run_counts_its_outcome_duration_and_records() -> None:
    before = {o: sample("hub_sync_records_total", outcome=o) for o in ("created", "rejected")}
    observe_sync("unit-source", "succeeded", 2.5, {"created": 3, "rejected": 1, "deleted": 0})
    assert sample("hub_sync_runs_total", source_id="unit-source", outcome="succeeded") == 1
    assert sample("hub_sync_duration_seconds_sum", source_id="unit-source") == 2.5
    assert sample("hub_sync_duration_seconds_bucket", source_id="unit-source", le="5.0") == 1
    assert sample("hub_sync_records_total", outcome="created") == before["created"] + 3
    assert sample("hub_sync_records_total", outcome="rejected") == before["rejected"] + 1


def test_a_run_that_never_finished_counts_without_a_duration() -> None:
    observe_sync("unit-crashed", "running", None, {})
    assert sample("hub_sync_runs_total", source_id="unit-crashed", outcome="running") == 1
    assert sample("hub_sync_duration_seconds_count", source_id="unit-crashed") == 0


def test_engine_failures_count_by_kind_and_answers_do_not() -> None:
    kinds = ("unavailable", "request")
    before = {k: sample("hub_engine_errors_total", kind=k) for k in kinds}
    down = EngineUnavailable("down")
    assert count_engine_error(down) is down
    count_engine_error(EngineRequestError(400, {"error": "bad"}))
    count_engine_error(NotFound("gone"))
    count_engine_error(ConflictError("moved on"))
    after = {k: sample("hub_engine_errors_total", kind=k) for k in kinds}
    assert {k: after[k] - before[k] for k in kinds} == {"unavailable": 1, "request": 1}
