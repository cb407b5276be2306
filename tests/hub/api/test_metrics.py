"""`/metrics` on real processes: an API and a Celery worker started by the project's supervisor
(so they share one Prometheus multiprocess folder), a feed on 127.0.0.1, a sync through the
queue, a search and a webhook delivery; the series move by what happened, nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from hub.core.settings import Settings
from hub.dev.processes import Supervisor
from tests.e2e.test_pipeline import corpus_feed, finished_run, register
from tests.support.feeds import FeedServer, Route
from tests.support.stack import supervisor, wait_for

pytestmark = [pytest.mark.services, pytest.mark.e2e]


def samples(api: httpx.Client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape by (name, labels)."""
    answer = api.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def value(
    scrape: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return scrape.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture(scope="module")
def stack(
    engine: object, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supervisor]:
    sup = supervisor(settings, Path(tmp_path_factory.mktemp("metrics-logs")))
    sup.api()
    yield sup
    sup.stop_all()


@pytest.fixture(scope="module")
def api(stack: Supervisor) -> Iterator[httpx.Client]:
    base = stack.settings.public_base_url
    with httpx.Client(base_url=base, timeout=30, trust_env=False) as client:
        yield client


def test_a_worker_sync_and_a_search_move_their_series(
    stack: Supervisor, api: httpx.Client, settings: Settings, feed_server: FeedServer
) -> None:
    admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
    records = corpus_feed("troisdorf")  # a feed no other test of the shared index syncs
    url = feed_server.route("/metrics-feed.json", Route(json.dumps({"offers": records})))
    key = register(api, admin, "metrics-troisdorf", url, "05382068")
    own = {"Authorization": f"Bearer {key}"}
    queue = settings.queue_name
    before = samples(api)

    assert api.post("/api/v1/sources/metrics-troisdorf/sync", headers=own).status_code == 202
    waiting = samples(api)  # no worker runs yet: the task waits in Redis
    assert ("hub_queue_depth", frozenset({("queue", settings.events_queue)})) in waiting
    assert value(waiting, "hub_queue_depth", queue=queue) == (
        value(before, "hub_queue_depth", queue=queue) + 1
    )

    stack.worker()
    run = wait_for(lambda: finished_run(api, "metrics-troisdorf", own), what="sync run")
    assert run["status"] == "succeeded"
    after = samples(api)
    labels = {"source_id": "metrics-troisdorf"}
    assert value(after, "hub_sync_runs_total", outcome="succeeded", **labels) == 1
    assert value(after, "hub_sync_duration_seconds_count", **labels) == 1
    assert 0 < value(after, "hub_sync_duration_seconds_sum", **labels) < 300
    created = value(after, "hub_sync_records_total", outcome="created") - value(
        before, "hub_sync_records_total", outcome="created"
    )
    assert created == len(records) == run["counts"]["created"]
    # the worker took our task (and any left in the session's queue by earlier tests)
    assert value(after, "hub_queue_depth", queue=queue) <= value(
        before, "hub_queue_depth", queue=queue
    )

    found = api.get("/api/v1/offers", params={"ags": "05382068"})
    assert found.json()["total"] == len(records)
    searched = samples(api)
    assert value(searched, "hub_search_duration_seconds_count") >= (
        value(after, "hub_search_duration_seconds_count") + 1
    )

    unsigned = api.post("/api/v1/sources/metrics-troisdorf/events", content=b"{}")
    assert unsigned.status_code == 401
    pushed = samples(api)
    assert value(pushed, "hub_webhook_ack_seconds_count") == (
        value(searched, "hub_webhook_ack_seconds_count") + 1
    )
