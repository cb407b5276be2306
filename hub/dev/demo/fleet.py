"""Builds the demo fleet's feeds from the corpus and serves them like municipal CMSes would.

Most feeds speak a CMS-style JSON export (read by the `json_feed` connector with
`mappings/feeds/demo-json.yaml`); a few speak the common schema directly (`push`). About a
third of the municipalities, chosen by a hash of the feed name, publish prose as most real ones
do: a WordPress site (`/wp-json/wp/v2/posts`) or an RSS feed whose items hold only a title, the
text and categories (`hub.dev.demo.pages`), so the demo shows extraction at work.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hub.dev.demo.pages import rss_document, slug, wordpress_post
from hub.dev.fleet.http import send_body

CORPUS = Path(__file__).parent / "data" / "corpus.jsonl"
PAGE_SIZE = 20
PUSH_FEEDS = {"bonn", "unna"}
PROSE_KINDS = {"wordpress", "rss"}
FEED_PATH = re.compile(r"^/(?:feeds|wp)/(?P<feed>[\w-]+?)(?:\.json|\.rss|/|$)")
WORDPRESS_ROUTE = re.compile(r"^/wp/[\w-]+/wp-json/wp/v2/(?P<route>posts|categories)/?$")
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

    @property
    def prose(self) -> bool:
        """Whether the feed carries only title, text and categories (no structured fields)."""
        return self.kind in PROSE_KINDS

    def path(self) -> str:
        """Where the source is registered: the feed, or the WordPress site's address."""
        if self.kind == "wordpress":
            return f"/wp/{self.source_id}"
        return f"/feeds/{self.source_id}.{'rss' if self.kind == 'rss' else 'json'}"

    def offer_id(self, record: dict[str, Any]) -> str:
        """The local id the connector reports for a corpus record (WordPress: the post id)."""
        return str(post_id(record)) if self.kind == "wordpress" else str(record["local_id"])

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
        name = NAMES.get(feed, f"Stadt {feed.replace('-', ' ').title()}")
        feeds.append(DemoFeed(feed, name, sorted(ags), feed_kind(feed), records))
    return feeds


def feed_kind(feed: str) -> str:
    """How a municipality publishes: push feeds by name; of the rest, a third (by a hash of the
    name, stable across runs and machines) as WordPress or RSS prose, the others as JSON."""
    if feed in PUSH_FEEDS:
        return "push"
    if _hash(feed) % 3 != 2:
        return "json_feed"
    return "wordpress" if _hash(f"wordpress:{feed}") % 2 == 0 else "rss"


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def post_id(record: dict[str, Any]) -> int:
    """A WordPress post id from the corpus id's number ("bielefeld-0012" → 12)."""
    return int(str(record["local_id"]).rsplit("-", 1)[1])


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


@dataclass(frozen=True)
class Answer:
    """What the fleet server sends for one request."""

    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


def json_answer(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Answer(body, "application/json; charset=utf-8", headers or {}, status)


def wordpress_answer(
    feed: DemoFeed,
    route: str,
    query: dict[str, list[str]],
    posts: list[dict[str, Any]] | None = None,
) -> Answer:
    """`/wp/v2/posts` and `/wp/v2/categories` as WordPress answers them: posts by ascending
    id, filtered by `categories`, `categories_exclude` and `modified_after`; terms by `slug`.
    `posts`: the feed's posts built once by a caller that serves many pages."""
    if route == "categories":
        terms = wordpress_terms(feed)
        if "slug" in query:
            slugs = query["slug"][0].split(",")
            terms = [term for term in terms if term["slug"] in slugs]
        return _wordpress_page(terms, query)
    posts = wordpress_posts(feed) if posts is None else posts
    if "categories" in query:
        wanted = {int(i) for i in query["categories"][0].split(",")}
        posts = [post for post in posts if wanted & set(post["categories"])]
    if "categories_exclude" in query:
        unwanted = {int(i) for i in query["categories_exclude"][0].split(",")}
        posts = [post for post in posts if not unwanted & set(post["categories"])]
    if "modified_after" in query:
        since = _utc(query["modified_after"][0])
        posts = [post for post in posts if _utc(post["modified_gmt"]) > since]
    return _wordpress_page(posts, query)


def _wordpress_page(items: list[dict[str, Any]], query: dict[str, list[str]]) -> Answer:
    """One page of a collection (`per_page`, `page`, `_fields`), totals in X-WP-Total(Pages)."""
    per_page = min(max(int(query.get("per_page", ["10"])[0]), 1), 100)
    page = int(query.get("page", ["1"])[0])
    pages = math.ceil(len(items) / per_page)
    if page > max(pages, 1):
        message = "Die angefragte Seitenzahl ist größer als die Anzahl der verfügbaren Seiten."
        error = {"code": "rest_post_invalid_page_number", "message": message}
        return json_answer({**error, "data": {"status": 400}}, 400)
    chosen = items[(page - 1) * per_page : page * per_page]
    if "_fields" in query:
        keep = query["_fields"][0].split(",")
        chosen = [{k: v for k, v in item.items() if k in keep} for item in chosen]
    totals = {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(pages)}
    return json_answer(chosen, headers=totals)


def wordpress_terms(feed: DemoFeed) -> list[dict[str, Any]]:
    """The feed's categories as WordPress terms; ids are the positions of the names in
    alphabetical order."""
    names = sorted({c for r in feed.records for c in r.get("categories_free_text") or []})
    return [
        {"id": number, "name": html.escape(name), "slug": slug(name), "taxonomy": "category"}
        for number, name in enumerate(names, start=1)
    ]


def wordpress_posts(feed: DemoFeed) -> list[dict[str, Any]]:
    """Every record of the feed as a published post, by ascending id."""
    terms = {html.unescape(term["name"]): term["id"] for term in wordpress_terms(feed)}
    ordered = sorted(feed.records, key=post_id)
    return [wordpress_post(record, post_id(record), terms) for record in ordered]


def _utc(value: str) -> datetime:
    """WordPress' times: `modified_gmt` has no zone, `modified_after` may have one."""
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def answer(
    feed: DemoFeed,
    path: str,
    query: dict[str, list[str]],
    base_url: str,
    posts: list[dict[str, Any]] | None = None,
) -> Answer:
    """The answer to a GET of a feed (JSON page, RSS channel or WordPress REST route)."""
    if feed.kind == "rss":
        title = f"{feed.name} – Angebote für Familien"
        body = rss_document(title, base_url + feed.path(), feed.records)
        return Answer(body, "application/rss+xml; charset=utf-8")
    if feed.kind == "wordpress":
        route = WORDPRESS_ROUTE.match(path)
        if route is None:
            return json_answer({"code": "rest_no_route", "data": {"status": 404}}, 404)
        return wordpress_answer(feed, route.group("route"), query, posts)
    page = int(query.get("page", ["1"])[0])
    return json_answer(feed_page(feed, page, base_url))


class FleetServer:
    """Serves every demo feed over HTTP on 127.0.0.1 (paged, with ETags), answering like the
    fleet simulator (`hub.dev.fleet.http`)."""

    def __init__(self, port: int = 0) -> None:
        self.feeds = {f.source_id: f for f in demo_feeds()}
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

    def feed_at(self, path: str) -> DemoFeed | None:
        """The feed a request path belongs to (`/feeds/<id>.<ext>` or `/wp/<id>/…`)."""
        found = FEED_PATH.match(path)
        feed = self.feeds.get(found.group("feed")) if found else None
        return feed if feed is not None and path.startswith(feed.path()) else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fleet = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                feed = fleet.feed_at(parts.path)
                if feed is None:
                    self.send_error(404)
                    return
                try:
                    reply = answer(feed, parts.path, parse_qs(parts.query), fleet.base_url)
                except ValueError:  # a number or time in the query that is none
                    self.send_error(400)
                    return
                send_body(self, reply.body, reply.content_type, status=reply.status,
                          headers=reply.headers)  # fmt: skip

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler
