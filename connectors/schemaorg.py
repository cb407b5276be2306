"""schema.org JSON-LD crawler: municipal pages that describe their offers for search engines.

Many municipal CMSes have no feed but do embed `<script type="application/ld+json">` in every
offer page. The crawler reads a sitemap (or sitemap index, or a listing page's links), keeps the
URLs matching `link_pattern`, honours robots.txt and a per-host rate limit, and yields one record
per Service/Event/Course item. The mapping lives in `connectors/sdk/jsonld.py`.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import urldefrag, urljoin, urlsplit
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from connectors.sdk import jsonld
from connectors.sdk.base import (
    Connector,
    ConnectorConfig,
    Cursor,
    FetchGenerator,
    RawRecord,
    SourceContext,
)
from connectors.sdk.paging import RetryPolicy, error_status, get_with_retry
from connectors.sdk.recurrence import Window
from connectors.sdk.robots import RobotsCache
from connectors.sdk.xmlsafe import parse_xml
from hub.core.errors import BodyTooLargeError, PermanentFetchError, RecordError
from hub.core.fetcher import FetchResponse, SafeFetcher
from hub.core.ratelimit import RateLimiter, TokenBucketLimiter, host_key

MAX_SITEMAPS = 50
GONE = {404, 410}
STATS = ("pages", "pages_without_jsonld", "pages_without_offers", "robots_disallowed",
         "pages_gone", "items", "duplicates")  # fmt: skip
XML_TYPES = {"application/xml", "text/xml", "application/gzip", "application/x-gzip"}


class SchemaOrgConfig(ConnectorConfig):
    """Where to find the offer pages and how gently to crawl them."""

    link_pattern: str = Field(
        description="Regular expression every offer page URL must match (re.search).",
    )
    max_pages: int = Field(500, ge=1, le=10_000, description="Offer pages fetched per run.")
    requests_per_second: float = Field(
        1.0, gt=0, le=10, description="Requests per second to the municipality's server."
    )
    window_days: int = Field(180, ge=1, le=730, description="Days ahead to expand schedules.")
    timezone: str = Field("Europe/Berlin", description="Zone for times without an offset.")

    @field_validator("link_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        return value


class PageParser(HTMLParser):
    """Collects JSON-LD blocks, links and `<base href>` of one HTML page (stdlib parser)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.links: list[str] = []
        self.base: str | None = None
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "script":
            kind = values.get("type", "").split(";")[0].strip().lower()
            self._script = [] if kind == "application/ld+json" else None
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"].strip())
        elif tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"].strip()

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.blocks.append("".join(self._script))
            self._script = None


def parse_page(html: str) -> PageParser:
    """JSON-LD blocks and links of an HTML page (stdlib parser, never regular expressions)."""
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


class SchemaOrgConnector(Connector[SchemaOrgConfig]):
    """Crawls offer pages found in a sitemap or listing page and reads their JSON-LD."""

    kind: ClassVar[str] = "schemaorg"
    config_model: ClassVar[type[ConnectorConfig]] = SchemaOrgConfig

    def __init__(
        self,
        config: SchemaOrgConfig,
        fetcher: SafeFetcher,
        context: SourceContext,
        *,
        clock: Callable[[], datetime] | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(config, fetcher, context)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.retry = RetryPolicy(attempts=3, sleep=sleep)
        self.limiter = limiter or TokenBucketLimiter(config.requests_per_second, sleep=sleep)
        self.robots = RobotsCache(fetcher, fetcher.settings.user_agent)
        self.stats = dict.fromkeys(STATS, 0)
        self._delays: set[str] = set()
        self._seen: set[str] = set()

    def fetch(self, cursor: Cursor) -> FetchGenerator:
        start = str(self.config.url)
        self.stats, self._seen = dict.fromkeys(STATS, 0), set()
        if not self.robots.allowed(start):
            raise PermanentFetchError(
                f"robots.txt disallows {start}",
                message_de="Die robots.txt der Website verbietet den Abruf der Startadresse "
                "für den Familienhub. Bitte den Familienhub (User-Agent) freigeben.",
            )
        pages = self._discover(start)
        for index, (url, lastmod) in enumerate(pages):
            if index >= self.config.max_pages:
                raise PermanentFetchError(
                    f"more than {self.config.max_pages} offer pages",
                    message_de=f"Die Website hat mehr als {self.config.max_pages} Angebotsseiten; "
                    "es wird nichts gelöscht. Bitte die Seitenzahl (max_pages) erhöhen.",
                )
            yield from self._page(url, lastmod)
        # No position: a crawl has no resume point, every run reads every page, so each run
        # is a complete listing and deletes what is gone (a position would make the runner
        # treat the next run as incremental, and it would never delete). `self.stats` tells
        # what this crawl found.
        return Cursor()

    # --- discovery ----------------------------------------------------------------------------

    def _discover(self, start: str) -> list[tuple[str, str | None]]:
        """Offer page URLs (with sitemap lastmod) in document order, deduplicated."""
        response = self._get(start)
        if response is None:
            raise PermanentFetchError(
                f"start page {start} is gone", message_de="Die Startadresse existiert nicht (404)."
            )
        pattern = re.compile(self.config.link_pattern)
        host = urlsplit(start).hostname
        found: dict[str, str | None] = {}
        for url, lastmod in self._candidates(response, depth=0):
            url = urldefrag(url)[0]
            if urlsplit(url).hostname == host and pattern.search(url) and url not in found:
                found[url] = lastmod
        return list(found.items())

    def _candidates(self, response: FetchResponse, depth: int) -> Iterator[tuple[str, str | None]]:
        body = _body(response)
        if not _is_xml(response, body):
            page = parse_page(response.text())
            base = urljoin(response.url, page.base) if page.base else response.url
            yield from ((urljoin(base, href), None) for href in page.links)
            return
        root = _parse_xml(body, response.url)
        if _local(root.tag) == "sitemapindex":
            children = [loc for loc, _ in _locations(root, "sitemap")][:MAX_SITEMAPS]
            for child in children if depth < 2 else []:
                child_response = self._get(child)
                if child_response is not None:
                    yield from self._candidates(child_response, depth + 1)
            return
        yield from _locations(root, "url")

    # --- pages --------------------------------------------------------------------------------

    def _page(self, url: str, lastmod: str | None) -> Iterator[RawRecord]:
        response = self._get(url)
        if response is None:
            return
        self.stats["pages"] += 1
        page_url = response.url
        blocks = parse_page(response.text()).blocks
        if not blocks:
            self.stats["pages_without_jsonld"] += 1
            return
        documents: list[Any] = []
        for number, block in enumerate(blocks, start=1):
            try:
                documents.append(jsonld_loads(block))
            except ValueError as exc:
                yield _bad_block(page_url, number, exc)
        updated = lastmod or response.headers.get("last-modified")
        graph = jsonld.Graph(documents, page_url)
        items = jsonld.find_items(documents, graph)
        if not items and documents:
            self.stats["pages_without_offers"] += 1
        for number, item in enumerate(items, start=1):
            record = self._record(item, graph, number, updated)
            if record.local_id in self._seen:  # the same @id on a listing and its own page
                self.stats["duplicates"] += 1
                continue
            self._seen.add(record.local_id)
            self.stats["items"] += 1
            yield record

    def _record(
        self, item: dict[str, Any], graph: jsonld.Graph, number: int, page_updated: str | None
    ) -> RawRecord:
        page_url = graph.page_url
        local_id = graph.url(item.get("@id")) or (
            page_url if number == 1 else f"{page_url}#{number}"
        )
        status = graph.text(item, "eventStatus")
        payload = {
            "item": item,
            "references": _references(item, graph),
            "page_url": page_url,
            "page_updated": page_updated,
        }
        return RawRecord(
            local_id=local_id,
            payload=payload,
            updated_at=_timestamp(graph.text(item, "dateModified") or page_updated),
            source_url=page_url,
            deleted="EventCancelled" in status,
        )

    def _get(self, url: str) -> FetchResponse | None:
        """GET one URL politely: robots.txt, per-host rate limit, transient errors retried.

        Returns None for a page that is gone (404/410): its offers then count as removed.
        """
        key = host_key(url)
        if key not in self._delays:
            self._delays.add(key)
            delay = self.robots.crawl_delay(url)
            if delay:
                self.limiter.set_rate(key, min(self.config.requests_per_second, 1 / delay))
        if not self.robots.allowed(url):
            self.stats["robots_disallowed"] += 1
            return None
        self.limiter.acquire(key)
        try:
            return get_with_retry(self.fetcher, url, retry=self.retry)
        except PermanentFetchError as exc:
            if isinstance(exc, BodyTooLargeError) or error_status(exc) not in GONE:
                raise
            self.stats["pages_gone"] += 1
            return None

    # --- mapping ------------------------------------------------------------------------------

    def to_offer(self, record: RawRecord) -> dict[str, Any]:
        payload = record.payload
        if "error" in payload:
            raise RecordError(
                payload["error"], code="invalid_jsonld", message_de=payload["error_de"]
            )
        page_url = str(payload["page_url"])
        documents = [payload["item"], *payload.get("references", [])]
        graph = jsonld.Graph(documents, page_url)
        zone = ZoneInfo(self.config.timezone)
        now = self.clock().astimezone(zone)
        window = Window(now, now + timedelta(days=self.config.window_days), zone)
        offer = jsonld.map_item(payload["item"], graph, window)
        item_url = graph.url(payload["item"].get("url"))
        offer["url"] = item_url if jsonld.same_site(item_url, page_url) else urldefrag(page_url)[0]
        offer["updated_at"] = (
            record.updated_at or _timestamp(payload.get("page_updated")) or self.clock()
        )
        return offer


def jsonld_loads(block: str) -> Any:
    """One JSON-LD block; CMSes wrap some in HTML comments or CDATA markers."""
    text = block.strip()
    text = re.sub(r"^(<!--|//\s*<!\[CDATA\[)|(-->|//\s*\]\]>)$", "", text).strip()
    return json.loads(text)


def _bad_block(page_url: str, number: int, exc: ValueError) -> RawRecord:
    return RawRecord(
        local_id=f"{page_url}#jsonld-{number}",
        payload={
            "error": f"JSON-LD block {number} on {page_url} is not valid JSON: {exc}",
            "error_de": f"Der JSON-LD-Block Nr. {number} der Seite ist kein gültiges JSON "
            f"und wurde übersprungen ({exc}).",
        },
        source_url=page_url,
    )


def _references(item: dict[str, Any], graph: jsonld.Graph) -> list[dict[str, Any]]:
    """Nodes the item points to by `@id`, stored with it so the payload stands alone."""
    found: dict[str, dict[str, Any]] = {}
    pending = [item]
    while pending:
        for node in jsonld.walk(pending.pop()):
            ref = str(node.get("@id", ""))
            if set(node) == {"@id"} and ref in graph.index and ref not in found:
                found[ref] = graph.index[ref]
                pending.append(found[ref])
    return [found[ref] for ref in sorted(found)]


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _body(response: FetchResponse) -> bytes:
    """The body, gunzipped for .xml.gz sitemaps with the fetcher's size cap applied again."""
    if not response.content.startswith(b"\x1f\x8b"):
        return response.content
    cap = 50 * 1024 * 1024
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(response.content, cap + 1)
    except zlib.error as exc:
        raise PermanentFetchError(
            f"broken gzip from {response.url}", message_de="Die Sitemap (gzip) ist beschädigt."
        ) from exc
    if len(data) > cap or inflater.unconsumed_tail:
        raise BodyTooLargeError(
            f"{response.url}: sitemap exceeds {cap} bytes", message_de="Die Sitemap ist zu groß."
        )
    return data


def _is_xml(response: FetchResponse, body: bytes) -> bool:
    head = body[:512].lstrip(b"\xef\xbb\xbf \r\n\t").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return False
    return response.content_type in XML_TYPES or head.startswith(
        (b"<?xml", b"<urlset", b"<sitemapindex")
    )


def _parse_xml(body: bytes, url: str) -> Element:
    """The sitemap's root, parsed by the hub's safe XML parser (no DTD, entities, externals)."""
    root = parse_xml(body)
    if _local(root.tag) not in {"urlset", "sitemapindex"}:
        raise PermanentFetchError(
            f"{url} is XML but no sitemap (<{_local(root.tag)}>)",
            message_de="Die Adresse liefert XML, aber keine Sitemap (urlset/sitemapindex).",
        )
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _locations(root: Element, entry: str) -> Iterator[tuple[str, str | None]]:
    for node in root:
        if _local(node.tag) != entry:
            continue
        fields = {_local(child.tag): (child.text or "").strip() for child in node}
        if fields.get("loc"):
            yield fields["loc"], fields.get("lastmod") or None
