"""Serves a generated fleet: every source on its own port of 127.0.0.1, as its CMS would.

The politeness limit is per host and port, so a fleet of many ports behaves like many
municipal servers. Kinds: `json_feed` (the demo's CMS export, paged by `next` links), `push`
(the common schema, same paging), `rss` (one channel, prose only) and `wordpress` (the REST
API, paged by `per_page`/`page`). Each answer honours the source's `Faults`, read at request
time, so a test can break a source between two syncs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hub.dev.demo.fleet import (
    Answer,
    DemoFeed,
    answer,
    cms_record,
    json_answer,
    push_record,
    wordpress_posts,
)
from hub.dev.fleet.generate import SimSource
from hub.dev.fleet.http import send_body


@dataclass
class SourceServer:
    """One source's HTTP server and what it has served."""

    source: SimSource
    httpd: ThreadingHTTPServer
    listings: int = 0  # complete listings served (first page requests)
    posts: list[dict[str, Any]] | None = None  # WordPress posts, built on the first request
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def url(self) -> str:
        return self.base_url + self.source.path()


class FleetSimulator:
    """Starts one threaded HTTP server per source; a context manager that stops them all."""

    def __init__(self, sources: list[SimSource]) -> None:
        self.servers = {s.source_id: self._server(s) for s in sources}
        self.threads = [
            threading.Thread(target=s.httpd.serve_forever, daemon=True)
            for s in self.servers.values()
        ]

    def __enter__(self) -> FleetSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> FleetSimulator:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.httpd.shutdown()
            server.httpd.server_close()

    def registrations(self) -> list[dict[str, object]]:
        return [s.source.registration(s.base_url) for s in self.servers.values()]

    def _server(self, source: SimSource) -> SourceServer:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        served = SourceServer(source, httpd)
        httpd.RequestHandlerClass = _handler(served)
        httpd.daemon_threads = True
        return served


def _handler(served: SourceServer) -> type[BaseHTTPRequestHandler]:
    cache: dict[str, Answer] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            source, faults = served.source, served.source.faults
            parts = urlsplit(self.path)
            if not parts.path.startswith(source.path()):
                self.send_error(404)
                return
            query = parse_qs(parts.query)
            page = _page_number(query)
            with served.lock:
                served.requests += 1
                if page == 1 and "categories" not in parts.path:
                    served.listings += 1
                empty = faults.empty_after is not None and served.listings > faults.empty_after
            delay = faults.latency + (faults.slow_seconds if page in faults.slow_pages else 0.0)
            if delay:
                time.sleep(delay)
            if page in faults.error_pages:
                send_body(self, b'{"error": "internal"}', "application/json", status=500,
                          etags=False)  # fmt: skip
                return
            key = f"{'empty' if empty else 'full'}:{self.path}"
            reply = cache.get(key)
            if reply is None:
                try:
                    reply = cache[key] = _answer(served, parts.path, query, empty)
                except ValueError:  # a number or time in the query that is none
                    self.send_error(400)
                    return
            send_body(self, reply.body, reply.content_type, status=reply.status,
                      headers=reply.headers, etags=faults.etags,
                      truncate=page in faults.truncated_pages)  # fmt: skip

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


def _page_number(query: dict[str, list[str]]) -> int:
    try:
        return int(query.get("page", ["1"])[0])
    except ValueError:
        return 1


def _answer(served: SourceServer, path: str, query: dict[str, list[str]], empty: bool) -> Answer:
    source = served.source
    records = [] if empty else source.records
    if source.kind in ("json_feed", "push"):
        return _json_page(source, records, _page_number(query), served.base_url)
    feed = DemoFeed(source.source_id, source.name, [source.ags], source.kind, records)
    posts = None
    if source.kind == "wordpress" and not empty:
        with served.lock:
            if served.posts is None:
                served.posts = wordpress_posts(feed)
            posts = served.posts
    return answer(feed, path, query, served.base_url, posts)


def _json_page(source: SimSource, records: list[dict[str, Any]], page: int,
               base_url: str) -> Answer:  # fmt: skip
    """One page of the CMS export (json_feed) or of the common schema (push)."""
    size = source.page_size
    chunk = records[(page - 1) * size : page * size]
    more = page * size < len(records)
    convert = push_record if source.kind == "push" else cms_record
    return json_answer({
        "municipality": {"name": source.name, "ags": source.ags},
        "offers": [convert(r) for r in chunk],
        "next": f"{base_url}{source.path()}?page={page + 1}" if more else None,
    })  # fmt: skip
