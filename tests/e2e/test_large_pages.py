"""Large pages through a real worker. A page far above the body cap (50 MB, declared or not)
or a dripping body fails the run with a German reason the municipality sees, deletes nothing,
and reading stops at the cap instead of buffering the whole page. A page of thousands of
records within the cap is indexed completely, in batches."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis

from hub.core.settings import Settings
from hub.dev.demo.fleet import cms_record
from hub.dev.fleet.generate import generate_fleet
from hub.dev.processes import Supervisor
from hub.search.engine import SearchEngine
from hub.sources.runs import RunStatus
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.stack import offers_of_source, queued_sync, supervisor, wait_for

HUGE = 50 * 1024 * 1024
CAP = 20 * 1024 * 1024  # the default `fetch_max_bytes`
CHUNK = 256 * 1024


class BadFeed:
    """A json_feed server whose answer a test switches between the good page, 50 MB with or
    without a Content-Length, and a drip of one byte a second; counts the body bytes it got
    out before the client hung up."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        page = {
            "municipality": {"name": "Jugendamt Test"},
            "offers": [cms_record(r) for r in records],
        }
        self.good = json.dumps(page).encode()
        self.mode = "good"
        self.sent = self.requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/feed.json"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                mode, feed.sent = feed.mode, 0
                feed.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if mode == "good":
                    self.send_header("Content-Length", str(len(feed.good)))
                    self.end_headers()
                    self.wfile.write(feed.good)
                    return
                if mode == "declared":
                    self.send_header("Content-Length", str(HUGE))
                self.send_header("Connection", "close")
                self.end_headers()
                with contextlib.suppress(OSError):  # the client hung up: that is the point
                    self._stream(mode)

            def _stream(self, mode: str) -> None:
                if mode == "drip":
                    for byte in b'{"offers": [' + b" " * 600:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        feed.sent += 1
                        time.sleep(1)
                    return
                self.wfile.write(b'{"offers": [')
                filler = b'{"title": "x"},' * (CHUNK // 15)
                while feed.sent < HUGE:
                    self.wfile.write(filler)
                    feed.sent += len(filler)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler


@pytest.fixture(scope="module")
def own(settings: Settings) -> Settings:
    """The session's indices, a queue of the module's own (a retried drip stays here) and a
    short overall fetch deadline, so the drip is cut in seconds."""
    tag = uuid.uuid4().hex[:6]
    return settings.model_copy(
        update={"queue_name": f"{settings.queue_name}-bad-{tag}", "fetch_timeout_seconds": 4.0}
    )


@pytest.fixture(scope="module")
def worker(
    engine: SearchEngine, own: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supervisor]:
    sup = supervisor(own, Path(tmp_path_factory.mktemp("bad-input-logs")))
    child = sup.worker(name="bad-input-worker", concurrency=1)
    wait_for(lambda: "ready" in child.log_tail(200) or not child.alive(), what="worker ready")
    yield sup
    sup.stop_all()
    redis.Redis.from_url(own.redis_url).delete(own.queue_name)


@pytest.fixture(scope="module")
def feed(
    engine: SearchEngine, own: Settings, worker: Supervisor
) -> Iterator[tuple[BadFeed, str, int]]:
    """A json_feed source synced once while its page was good: (feed, source id, offers)."""
    sim = generate_fleet(1, 40, seed=5, kinds=("json_feed",))[0]
    served = BadFeed(sim.records)
    source_id = f"bad-{uuid.uuid4().hex[:6]}"
    registration = {**sim.registration(""), "id": source_id, "url": served.url}
    SourceRegistry(engine).create(SourceInput.model_validate(registration))
    run = queued_sync(engine, own, source_id)
    assert run.status == RunStatus.SUCCEEDED and run.counts.created == len(sim.records)
    try:
        yield served, source_id, len(sim.records)
    finally:
        served.close()


@pytest.mark.parametrize(
    ("mode", "reason", "most_sent"),
    [
        # refused on the header: only what the sockets buffer leaves the server
        ("declared", "zu groß (mehr als 20 MB", CAP),
        # read up to the cap and cut: the cap plus what the sockets buffer, never the 50 MB
        ("undeclared", "zu groß (mehr als 20 MB", CAP + 12 * 1024 * 1024),
        # one byte a second: cut at the overall deadline of the request
        ("drip", "Zeitlimit 4 s", 60),
    ],
)
def test_an_oversized_or_dripping_page_fails_the_run_clearly_and_deletes_nothing(
    feed: tuple[BadFeed, str, int],
    engine: SearchEngine,
    own: Settings,
    mode: str,
    reason: str,
    most_sent: int,
) -> None:
    served, source_id, offers = feed
    served.mode = mode
    try:
        run = queued_sync(engine, own, source_id)
    finally:
        served.mode = "good"
    assert run.status == RunStatus.FAILED
    assert run.counts.deleted == 0
    assert offers_of_source(engine, source_id) == offers
    shown = "; ".join(e.get("message_de", "") for e in run.errors)  # /kommune, `hub sources runs`
    assert reason in shown, shown
    assert served.sent < most_sent, served.sent
    assert reason in SourceRegistry(engine).get(source_id).state_reason  # `hub sources show`


def test_thousands_of_records_on_one_page_are_all_indexed(
    engine: SearchEngine, own: Settings, worker: Supervisor
) -> None:
    """One page of 3 000 records (a dozen write batches): every record seen and indexed."""
    sim = generate_fleet(1, 3000, seed=6, kinds=("json_feed",))[0]
    slim = ("local_id", "title", "url", "kind", "updated_at", "source_municipality_ags")
    records = [{k: r[k] for k in slim if k in r} for r in sim.records]
    served = BadFeed(records)
    source_id = f"onepage-{uuid.uuid4().hex[:6]}"
    registration = {**sim.registration(""), "id": source_id, "url": served.url}
    SourceRegistry(engine).create(SourceInput.model_validate(registration))
    try:
        run = queued_sync(engine, own, source_id)
    finally:
        served.close()
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert (run.counts.seen, run.counts.created, run.counts.rejected) == (3000, 3000, 0)
    assert offers_of_source(engine, source_id) == 3000
    assert served.requests == 1 and 10 * own.sync_batch_size < 3000  # one page, many batches
