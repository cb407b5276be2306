"""Faults with real processes: a worker killed mid-sync, the engine or Redis gone, bad feeds.

The worker here runs with short limits (sync time limit, retry countdown cap, schedule jitter,
visibility timeout, unacked sweep period) so that redelivery after a worker's death happens
within the test. The outage tests take away a Redis and an OpenSearch node of their own
(started here through the project's service code on free ports), never the session's shared
ones.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from celery import Celery

from hub.core.settings import Settings
from hub.core.signing import sign_headers
from hub.dev import services
from hub.dev.processes import Child, Supervisor
from hub.dev.services import StartAction, StopAction
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import OFFERS, ensure_indices
from hub.sources.runs import RunStatus, RunStore, SyncRun
from hub.sources.secrets import rotate_webhook_secret
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.feeds import FeedServer, Request, Route
from tests.support.stack import free_port, free_search_port, supervisor, wait_for

PAGES, PER_PAGE, PAGE_DELAY = 20, 5, 0.3
# visibility (40 s) > sync time limit (20 s) + longest countdown (max(cap 15 s, schedule 5 s)),
# as workers/app checks
FAULT_LIMITS = {
    "sync_time_limit_seconds": 20,
    "max_retry_countdown_seconds": 15,
    "schedule_jitter_seconds": 5,
    "visibility_timeout_seconds": 40,
    "unacked_restore_seconds": 5,  # the sweep that hands an expired task out again
    "sync_batch_size": 10,
}


def offer(local_id: str, updated: str = "2026-03-01T10:00:00+00:00") -> dict[str, Any]:
    return {
        "local_id": local_id,
        "title": f"Elterncafé {local_id}",
        "url": f"https://www.soest.de/{local_id}",
        "kind": "treffpunkt",
        "topics": ["begegnung"],
        "updated_at": updated,
        "locations": [{"city": "Soest", "postcode": "59494", "ags": "05974040"}],
    }


class PagedFeed:
    """A feed of `pages` pages linked by `next`, each served after `delay` seconds."""

    def __init__(self, server: FeedServer, path: str, pages: int, delay: float = 0.0) -> None:
        self.server, self.path, self.pages, self.delay = server, path, pages, delay
        self.served: list[int] = []
        self.failing_page: int | None = None
        self.empty = False
        self.url = server.route(path, self)

    @property
    def ids(self) -> list[str]:
        return [f"p{p}-r{r}" for p in range(1, self.pages + 1) for r in range(PER_PAGE)]

    def __call__(self, request: Request) -> Route:
        page = int(request.query.removeprefix("page=") or 1)
        time.sleep(self.delay)
        self.served.append(page)
        if self.empty:
            return Route(json.dumps({"offers": []}))
        if page == self.failing_page:
            return Route(b'{"error": "gone"}', status=404)
        records = [offer(f"p{page}-r{r}") for r in range(PER_PAGE)]
        more = f"{self.server.url(self.path)}?page={page + 1}" if page < self.pages else None
        return Route(json.dumps({"offers": records, "next": more}))


def private_redis_url(settings: Settings) -> str:
    """A Redis database of this module alone: other test sessions sharing DB 7 run workers that
    would consume (and drop as unknown sources) these tasks, or feed theirs to ours."""
    return settings.redis_url.rsplit("/", 1)[0] + f"/{random.randint(8, 15)}"


@pytest.fixture(scope="module")
def fault_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={**FAULT_LIMITS, "redis_url": private_redis_url(settings)})


@pytest.fixture(scope="module")
def broker(fault_settings: Settings) -> Celery:
    """A producer on the module's own Redis database (the worker children listen there)."""
    return Celery("fault-tests", broker=fault_settings.redis_url)


@pytest.fixture(scope="module")
def fault_stack(
    engine: SearchEngine, fault_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supervisor]:
    sup = supervisor(fault_settings, Path(tmp_path_factory.mktemp("fault-logs")))
    yield sup
    sup.stop_all()


@pytest.fixture
def worker(fault_stack: Supervisor) -> Iterator[Child]:
    child = start_worker(fault_stack, f"worker-{uuid.uuid4().hex[:6]}")
    yield child
    for started in list(fault_stack.children):
        if started.name.startswith("worker"):
            started.stop()
            fault_stack.children.remove(started)


def start_worker(sup: Supervisor, name: str) -> Child:
    child = sup.worker(name=name, concurrency=1)
    wait_for(lambda: "ready" in child.log_tail(200) or not child.alive(), what=f"{name} ready")
    assert child.alive(), child.log_tail()
    return child


def pool_children(pid: int) -> list[int]:
    """Child pids of `pid` (the prefork pool of a Celery worker), from /proc."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(p) for p in text)
    return found


def new_source(engine: SearchEngine, url: str) -> str:
    source_id = f"fault-{uuid.uuid4().hex[:8]}"
    SourceRegistry(engine).create(SourceInput(id=source_id, ags=["05974040"], kind="push", url=url))
    return source_id


def broker_queue() -> str:
    return os.environ["HUB_QUEUE_NAME"]  # this test session's own queue (tests/conftest.py)


def enqueue_full_sync(broker: Celery, source_id: str) -> str:
    kwargs = {"source_id": source_id, "trigger": "fault", "full": True}
    return str(broker.send_task("workers.sync.sync_source", kwargs=kwargs, queue=broker_queue()).id)


def finished(
    engine: SearchEngine, source_id: str, status: RunStatus
) -> Callable[[], SyncRun | None]:
    def check() -> SyncRun | None:
        runs = RunStore(engine).for_source(source_id, limit=50)
        return next((r for r in runs if r.status == status), None)

    return check


def indexed_ids(engine: SearchEngine, source_id: str) -> list[str]:
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    body = {"size": 1000, "_source": ["local_id"], "query": {"term": {"source_id": source_id}}}
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    return [h["_source"]["local_id"] for h in hits]


def assert_indexed_exactly_once(engine: SearchEngine, source_id: str, feed: PagedFeed) -> None:
    ids = indexed_ids(engine, source_id)
    assert len(ids) == len(feed.ids)
    assert sorted(ids) == sorted(feed.ids)  # each id once, none missing


# --- d. bad feeds through the worker ------------------------------------------------------


def test_empty_feed_via_worker_deletes_nothing_and_flags_the_source(
    engine: SearchEngine, feed_server: FeedServer, worker: Child, broker: Celery
) -> None:
    feed = PagedFeed(feed_server, f"/empty-{uuid.uuid4().hex[:6]}.json", pages=2)
    source_id = new_source(engine, feed.url)
    enqueue_full_sync(broker, source_id)
    wait_for(finished(engine, source_id, RunStatus.SUCCEEDED), what="first sync")
    feed.empty = True
    enqueue_full_sync(broker, source_id)

    def second() -> SyncRun | None:
        runs = RunStore(engine).for_source(source_id)
        return runs[0] if len(runs) == 2 and runs[0].status != RunStatus.RUNNING else None

    run = wait_for(second, what="sync of the empty feed")
    assert run.status == RunStatus.SUCCEEDED
    assert (run.counts.seen, run.counts.deleted) == (0, 0)
    assert "empty_feed" in run.flags
    assert_indexed_exactly_once(engine, source_id, feed)
    assert SourceRegistry(engine).get(source_id).state_reason == "Feed ist leer"


def test_feed_failing_on_page_3_via_worker_deletes_nothing(
    engine: SearchEngine, feed_server: FeedServer, worker: Child, broker: Celery
) -> None:
    feed = PagedFeed(feed_server, f"/p3-{uuid.uuid4().hex[:6]}.json", pages=4)
    source_id = new_source(engine, feed.url)
    enqueue_full_sync(broker, source_id)
    wait_for(finished(engine, source_id, RunStatus.SUCCEEDED), what="first sync")
    feed.failing_page = 3
    enqueue_full_sync(broker, source_id)
    run = wait_for(finished(engine, source_id, RunStatus.FAILED), what="failed sync")
    assert run.counts.deleted == 0
    assert "404" in run.errors[0]["message_de"]
    assert_indexed_exactly_once(engine, source_id, feed)


# --- a. a worker killed mid-sync ----------------------------------------------------------


def test_sync_survives_sigkill_of_the_pool_child_running_it(
    engine: SearchEngine, feed_server: FeedServer, worker: Child, broker: Celery
) -> None:
    feed = PagedFeed(feed_server, f"/slow-{uuid.uuid4().hex[:6]}.json", PAGES, PAGE_DELAY)
    source_id = new_source(engine, feed.url)
    enqueue_full_sync(broker, source_id)
    wait_for(lambda: len(feed.served) >= 5, what="sync in progress")
    [child] = pool_children(worker.process.pid)
    os.kill(child, signal.SIGKILL)

    run = wait_for(finished(engine, source_id, RunStatus.SUCCEEDED), timeout=90, what="redelivery")
    assert feed.served.count(1) == 2  # the task ran again from the top after its redelivery
    assert run.counts.seen == len(feed.ids)
    assert run.counts.created + run.counts.unchanged == len(feed.ids)
    assert run.counts.deleted == 0 and run.errors == []
    assert_indexed_exactly_once(engine, source_id, feed)
    assert worker.alive()
    assert "WorkerLostError" in worker.log_path.read_text(errors="replace")


def test_sync_survives_sigkill_of_the_whole_worker_and_a_restart(
    engine: SearchEngine,
    feed_server: FeedServer,
    fault_stack: Supervisor,
    worker: Child,
    broker: Celery,
) -> None:
    feed = PagedFeed(feed_server, f"/slow2-{uuid.uuid4().hex[:6]}.json", PAGES, PAGE_DELAY)
    source_id = new_source(engine, feed.url)
    enqueue_full_sync(broker, source_id)
    wait_for(lambda: len(feed.served) >= 5, what="sync in progress")
    worker.kill()  # SIGKILL of the whole process group: nobody acks or rejects the task
    served_at_kill = len(feed.served)
    start_worker(fault_stack, "worker-restarted")

    # the unacked task comes back once the visibility timeout (40 s) has passed and a sweep
    # (every 5 s here) finds it
    run = wait_for(finished(engine, source_id, RunStatus.SUCCEEDED), timeout=180, what="restore")
    assert served_at_kill < PAGES
    assert run.counts.seen == len(feed.ids)
    assert run.counts.created + run.counts.unchanged == len(feed.ids)
    assert run.counts.deleted == 0 and run.errors == []
    assert_indexed_exactly_once(engine, source_id, feed)


@pytest.fixture(scope="module")
def own_services(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, SearchEngine, Supervisor]]:
    """A Redis and an OpenSearch node of this module alone, to be stopped mid-test."""
    state = tmp_path_factory.mktemp("own-services")
    own = settings.model_copy(
        update={
            **FAULT_LIMITS,
            "state_dir": state,
            "redis_url": f"redis://127.0.0.1:{free_port()}/0",
            "search_url": f"http://127.0.0.1:{free_search_port(9260)}",
        }
    )
    started = services.up(own)
    assert [r.action for r in started] == [StartAction.STARTED, StartAction.STARTED]
    eng = get_engine(own)
    ensure_indices(eng)
    sup = supervisor(own, state / "logs")
    yield own, eng, sup
    sup.stop_all()
    services.down(own)


# --- c. Redis down: the webhook endpoint must not claim it took an event --------------------


def test_webhook_answers_503_never_202_while_redis_is_down(
    own_services: tuple[Settings, SearchEngine, Supervisor],
) -> None:
    settings, engine, fault_stack = own_services
    api = fault_stack.api()
    source_id = new_source(engine, "https://www.soest.de/feed.json")
    secret = rotate_webhook_secret(SourceRegistry(engine), source_id).secret
    body = json.dumps({"type": "offer.upserted", "data": offer("r")}).encode()
    headers = sign_headers(secret, f"msg_{uuid.uuid4().hex}", int(time.time()), body)
    url = f"{fault_stack.settings.public_base_url}/api/v1/sources/{source_id}/events"
    try:
        assert services.stop_redis(settings).action is StopAction.STOPPED
        answers = [httpx.post(url, content=body, headers=headers, trust_env=False, timeout=30)]
        answers.append(httpx.post(url, content=body, headers=headers, trust_env=False, timeout=30))
    finally:
        services.start_redis(settings)
    assert [a.status_code for a in answers] == [503, 503]
    assert "Warteschlange" in answers[0].json()["detail"]
    assert api.alive()

    def sender_retry() -> httpx.Response | None:  # same id, fresh timestamp and signature
        fresh = sign_headers(secret, headers["webhook-id"], int(time.time()), body)
        answer = httpx.post(url, content=body, headers=fresh, trust_env=False, timeout=30)
        return None if answer.status_code == 503 else answer

    retry = wait_for(sender_retry, what="API reconnected to Redis")
    assert retry.status_code == 202, retry.text  # the id was not burnt by the failed attempts


# --- b. OpenSearch down during a sync --------------------------------------------------------


def test_sync_retries_through_an_engine_outage_and_reports_no_partial_success(
    own_services: tuple[Settings, SearchEngine, Supervisor], feed_server: FeedServer
) -> None:
    settings, engine, fault_stack = own_services
    worker = start_worker(fault_stack, f"worker-outage-{uuid.uuid4().hex[:6]}")
    broker = Celery("outage-tests", broker=settings.redis_url)
    feed = PagedFeed(feed_server, f"/outage-{uuid.uuid4().hex[:6]}.json", PAGES, PAGE_DELAY)
    source_id = new_source(engine, feed.url)
    enqueue_full_sync(broker, source_id)
    wait_for(lambda: len(feed.served) >= 4, what="sync in progress")
    try:
        assert services.stop_search(settings).action is StopAction.STOPPED
        time.sleep(8)  # the sync writes its next batches into the outage
    finally:
        services.start_search(settings)
    run = wait_for(finished(engine, source_id, RunStatus.SUCCEEDED), timeout=240, what="retry")
    assert run.attempt > 1
    assert run.counts.seen == len(feed.ids)
    assert run.counts.created + run.counts.unchanged == len(feed.ids)
    assert run.counts.deleted == 0
    assert_indexed_exactly_once(engine, source_id, feed)
    others = [r for r in RunStore(engine).for_source(source_id, limit=50) if r.id != run.id]
    assert all(r.status != RunStatus.SUCCEEDED for r in others)  # no partial run as success
    assert worker.alive()
