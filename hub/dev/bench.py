"""Benchmarks that print ratios against a baseline measured in the same run (no timed tests).

`sync`: a generated feed of N records (corpus offers cloned under new ids) is synced three
times through the real pipeline and engine: a cold full sync (baseline), a resync of the
unchanged feed (kept raw payloads skip normalisation, content hashes every write), and a
conditional resync answered 304; then every kept payload is re-normalised without a fetch.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hub.core.settings import Settings
from hub.dev.demo.fleet import demo_feeds, push_record
from hub.ingest.renormalise import Renormaliser
from hub.ingest.runner import SyncOptions, SyncRunner
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import drop_prefixed, ensure_indices
from hub.sources.store import SourceInput, SourceRegistry

PAGE = 500


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: float
    records: int
    writes: int

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def generated_records(count: int) -> list[dict[str, Any]]:
    """`count` valid offers: the demo corpus cloned under fresh local ids."""
    base = [push_record(r) for feed in demo_feeds() for r in feed.records]
    records = []
    for i in range(count):
        record = dict(base[i % len(base)])
        record["local_id"] = f"bench-{i:06d}"
        records.append(record)
    return records


@contextmanager
def serve_feed(records: list[dict[str, Any]]) -> Iterator[str]:
    """The records as a paged push feed with a stable ETag, on 127.0.0.1."""
    pages = [records[i : i + PAGE] for i in range(0, len(records), PAGE)] or [[]]
    etag = f'"{uuid.uuid4().hex}"'

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            page = int(parse_qs(urlsplit(self.path).query).get("page", ["0"])[0])
            host = f"http://127.0.0.1:{server.server_address[1]}"
            nxt = f"{host}/feed.json?page={page + 1}" if page + 1 < len(pages) else None
            body = json.dumps({"offers": pages[page], "next": nxt}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.json"
    finally:
        server.shutdown()
        server.server_close()


def bench_sync(settings: Settings, count: int) -> list[Timing]:
    """Cold full sync, unchanged resync and 304 resync of `count` records."""
    local = settings.model_copy(
        update={
            "index_prefix": f"bench-{uuid.uuid4().hex[:6]}-",
            "fetch_allow_hosts": [*settings.fetch_allow_hosts, "127.0.0.1"],
        }
    )
    engine = get_engine(local)
    ensure_indices(engine)
    timings: list[Timing] = []
    try:
        with serve_feed(generated_records(count)) as url:
            SourceRegistry(engine).create(
                SourceInput(id="bench", ags=["05113000"], kind="push", url=url)
            )
            runner = SyncRunner(local, engine)
            for label, options in (
                ("cold full sync (baseline)", SyncOptions(full=True)),
                ("unchanged resync (raw payload skip)", SyncOptions(full=True)),
                ("conditional resync (304)", SyncOptions()),
            ):
                start = time.perf_counter()
                run = runner.run("bench", options)
                elapsed = time.perf_counter() - start
                c = run.counts
                timings.append(Timing(label, elapsed, count, c.created + c.updated))
            timings.append(_renormalise_all(local, engine, count))
    finally:
        drop_prefixed(engine)
    return timings


def _renormalise_all(settings: Settings, engine: SearchEngine, count: int) -> Timing:
    """`hub index reindex --renormalise --force`: every kept payload normalised, none fetched."""
    start = time.perf_counter()
    result = Renormaliser(settings, engine).run("bench", force=True)
    elapsed = time.perf_counter() - start
    writes = result.counts.created + result.counts.updated
    return Timing("re-normalise kept payloads (no fetch)", elapsed, count, writes)
