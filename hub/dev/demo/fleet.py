"""Builds the demo fleet's feeds from the corpus and serves them like municipal CMSes would.

Most feeds speak a CMS-style JSON export (read by the `json_feed` connector with
`mappings/feeds/demo-json.yaml`); a few speak the common schema directly (`push`).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

CORPUS = Path(__file__).parent / "data" / "corpus.jsonl"
PAGE_SIZE = 20
PUSH_FEEDS = {"bonn", "unna"}
NAMES = {
    "koeln": "Stadt Köln",
    "essen": "Stadt Essen",
    "muenster": "Stadt Münster",
    "bielefeld": "Stadt Bielefeld",
    "duisburg": "Stadt Duisburg",
    "dortmund": "Stadt Dortmund",
    "bonn": "Bundesstadt Bonn",
    "maerkischer-kreis": "Märkischer Kreis",
    "kreis-steinfurt": "Kreis Steinfurt",
    "rhein-sieg-kreis": "Rhein-Sieg-Kreis",
}


@dataclass(frozen=True)
class DemoFeed:
    """One demo municipality's feed and how to register it."""

    source_id: str
    name: str
    ags: list[str]
    kind: str
    records: list[dict[str, Any]]

    def path(self) -> str:
        return f"/feeds/{self.source_id}.json"

    def registration(self, base_url: str) -> dict[str, Any]:
        config = {"mapping": "demo-json.yaml"} if self.kind == "json_feed" else {}
        return {
            "id": self.source_id,
            "name": self.name,
            "ags": self.ags,
            "kind": self.kind,
            "url": base_url + self.path(),
            "config": config,
            "interval_minutes": 60,
        }


@lru_cache
def demo_feeds() -> list[DemoFeed]:
    """The corpus grouped by feed (the local_id prefix), each with the AGS codes it serves."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        grouped[record["local_id"].rsplit("-", 1)[0]].append(record)
    feeds = []
    for feed, records in sorted(grouped.items()):
        ags = {records[0]["source_municipality_ags"]}
        ags.update(loc["ags"] for r in records for loc in r["locations"] if loc.get("ags"))
        kind = "push" if feed in PUSH_FEEDS else "json_feed"
        name = NAMES.get(feed, f"Stadt {feed.replace('-', ' ').title()}")
        feeds.append(DemoFeed(feed, name, sorted(ags), kind, records))
    return feeds


def cms_record(record: dict[str, Any]) -> dict[str, Any]:
    """A corpus line as a CMS would export it: own categories, no hub topics."""
    return {k: v for k, v in record.items() if k != "topics"}


def push_record(record: dict[str, Any]) -> dict[str, Any]:
    """A corpus line in the common schema (what a hub plug-in in the CMS would send)."""
    skip = {"source_municipality_ags", "categories_free_text"}
    data = {k: v for k, v in record.items() if k not in skip}
    data["categories"] = record.get("categories_free_text", [])
    return data


def feed_page(feed: DemoFeed, page: int, base_url: str) -> dict[str, Any]:
    start = (page - 1) * PAGE_SIZE
    chunk = feed.records[start : start + PAGE_SIZE]
    has_next = start + PAGE_SIZE < len(feed.records)
    next_url = f"{base_url}{feed.path()}?page={page + 1}" if has_next else None
    convert = push_record if feed.kind == "push" else cms_record
    return {
        "municipality": {"name": feed.name, "ags": feed.ags[0]},
        "offers": [convert(r) for r in chunk],
        "next": next_url,
    }


class FleetServer:
    """Serves every demo feed over HTTP on 127.0.0.1 (paged, with ETags)."""

    def __init__(self, port: int = 0) -> None:
        self.feeds = {f.path(): f for f in demo_feeds()}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FleetServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fleet = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                feed = fleet.feeds.get(parts.path)
                if feed is None:
                    self.send_error(404)
                    return
                page = int(parse_qs(parts.query).get("page", ["1"])[0])
                body = json.dumps(feed_page(feed, page, fleet.base_url), ensure_ascii=False)
                etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler
