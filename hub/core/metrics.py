"""The hub's Prometheus metrics: every metric object lives here, so names, labels and buckets are
reviewed in one place and instrumented code stays one line per place.

Labels are bounded on purpose: `source_id` only ever names a registered source (a run is
recorded after the registry found it), `outcome` a run status or a record count's name, `kind`
one of two engine error kinds. Nothing request-controlled becomes a label.

Processes: the API serves `/metrics`; Celery workers are separate processes (prefork children
too), so with `PROMETHEUS_MULTIPROC_DIR` set (by `hub up`, the test supervisor, the systemd
units, the compose file) every process writes its samples into files there and the API reads
them all (`exposition`). The directory must be emptied when the whole deployment starts, never
while processes run; without it the API exposes its own process only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector

from hub.core.errors import EngineRequestError, EngineUnavailable, HubError

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

SYNC_SECONDS = Histogram(
    "hub_sync_duration_seconds",
    "Duration of finished sync runs per source.",
    ["source_id"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)
SYNC_RUNS = Counter(
    "hub_sync_runs",
    "Finished sync runs per source and outcome (run status).",
    ["source_id", "outcome"],
)
SYNC_RECORDS = Counter(
    "hub_sync_records",
    "Records counted by sync runs, per outcome (seen, created, updated, unchanged, deleted, "
    "rejected, stale, pending_deletion).",
    ["outcome"],
)
WEBHOOK_ACK_SECONDS = Histogram(
    "hub_webhook_ack_seconds",
    "Time from a webhook delivery reaching the receiver to its answer (verify, dedupe, enqueue).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SEARCH_SECONDS = Histogram(
    "hub_search_duration_seconds",
    "Duration of one search request to the engine (result lists, map clusters, exports).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
ENGINE_ERRORS = Counter(
    "hub_engine_errors",
    "Engine calls that failed: 'unavailable' (connection, 429, 5xx) or 'request' (other 4xx).",
    ["kind"],
)


def observe_sync(
    source_id: str, outcome: str, seconds: float | None, counts: Mapping[str, int]
) -> None:
    """Record one finished sync run: its duration, its outcome and its record counts."""
    SYNC_RUNS.labels(source_id=source_id, outcome=outcome).inc()
    if seconds is not None:
        SYNC_SECONDS.labels(source_id=source_id).observe(seconds)
    for name, value in counts.items():
        if value:
            SYNC_RECORDS.labels(outcome=name).inc(value)


def count_engine_error(error: HubError) -> HubError:
    """Count an engine failure (not-found and version conflicts are answers, not failures);
    returns the error so a caller can `raise count_engine_error(mapped)`."""
    if isinstance(error, EngineUnavailable):
        ENGINE_ERRORS.labels(kind="unavailable").inc()
    elif isinstance(error, EngineRequestError):
        ENGINE_ERRORS.labels(kind="request").inc()
    return error


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The text exposition of every process's metrics plus `extra` collectors read now."""
    scrape = CollectorRegistry(auto_describe=True)
    for collector in extra:
        scrape.register(collector)
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.MultiProcessCollector(scrape)  # type: ignore[no-untyped-call]
        return generate_latest(scrape)
    return generate_latest(REGISTRY) + generate_latest(scrape)
