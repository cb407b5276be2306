"""RSS 2.0 / Atom 1.0 feeds: every item becomes an offer linking to the municipality's page.

Many municipal CMSes publish their "Angebote für Familien" as a news feed. feedparser only ever
parses the bytes the SafeFetcher fetched (it must never fetch a URL itself). RFC 5005 paged
feeds (`<link rel="next">`) are followed up to `max_pages`; the first page is a conditional GET.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import struct_time
from typing import Any, ClassVar
from urllib.parse import urljoin

import feedparser
from pydantic import Field, field_validator

from connectors.sdk.base import (
    Connector,
    ConnectorConfig,
    Cursor,
    FetchGenerator,
    RawRecord,
    SourceContext,
)
from connectors.sdk.paging import DEFAULT_RETRY, get_first_page, next_link_pages
from connectors.sdk.xmlsafe import parse_xml
from hub.core.errors import PermanentFetchError, RecordError, UnsafeXMLError
from hub.core.fetcher import FetchResponse, SafeFetcher
from hub.core.schema import MAX_SUMMARY
from hub.core.text import html_to_text
from hub.core.vocab import vocabulary

TRUNCATION_HINTS = ("no element found", "unclosed token")


class RssConfig(ConnectorConfig):
    """Address of the feed and what its items are."""

    kind: str | None = Field(
        None,
        description="Angebotsform of every item; empty: guessed from the item's categories, "
        "else information.",
    )
    max_pages: int = Field(
        20, ge=1, le=500, description="Pages of an RFC 5005 paged feed followed at most."
    )

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str | None) -> str | None:
        if value is not None and value not in vocabulary("kinds").terms:
            raise ValueError(f"unknown kind {value!r}")
        return value


class RssConnector(Connector[RssConfig]):
    """Reads RSS/Atom with conditional GET (ETag / Last-Modified kept in the cursor)."""

    kind: ClassVar[str] = "rss"
    config_model: ClassVar[type[ConnectorConfig]] = RssConfig
    supports_incremental: ClassVar[bool] = True

    def __init__(
        self,
        config: RssConfig,
        fetcher: SafeFetcher,
        context: SourceContext,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(config, fetcher, context)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.retry = DEFAULT_RETRY

    def fetch(self, cursor: Cursor) -> FetchGenerator:
        url = str(self.config.url)
        first = get_first_page(self.fetcher, url, cursor, retry=self.retry)
        if first.not_modified:
            return cursor.unchanged()
        for response, feed in self._pages(first):
            fallback = _feed_updated(feed, response)
            for entry in feed.entries:
                yield self._record(entry, fallback)
        return Cursor(
            etag=first.headers.get("etag"), last_modified=first.headers.get("last-modified")
        )

    def _pages(self, first: FetchResponse) -> Iterator[tuple[FetchResponse, Any]]:
        """The first page and every RFC 5005 `rel="next"` page after it, each parsed once."""
        parsed: dict[int, Any] = {}

        def feed_of(response: FetchResponse) -> Any:
            if id(response) not in parsed:
                parsed.clear()
                parsed[id(response)] = parse_feed(response)
            return parsed[id(response)]

        pages = next_link_pages(
            self.fetcher,
            first,
            lambda response: _next_link(feed_of(response), response.url),
            retry=self.retry,
            max_pages=self.config.max_pages,
        )
        for response in pages:
            yield response, feed_of(response)

    def _record(self, entry: Any, fallback: datetime | None) -> RawRecord:
        payload = entry_payload(entry)
        updated = _parse_iso(payload["updated"] or payload["published"]) or fallback
        return RawRecord(
            local_id=payload["id"] or payload["link"],
            payload={**payload, "feed_updated": fallback.isoformat() if fallback else None},
            updated_at=updated,
            source_url=payload["link"] or None,
        )

    def to_offer(self, record: RawRecord) -> dict[str, Any]:
        item = record.payload
        link = item.get("link") or ""
        if not link.startswith(("http://", "https://")):
            raise RecordError(
                f"item {record.local_id} has no http(s) link",
                code="missing_url",
                message_de="Der Eintrag hat keinen Link (<link>) auf die Angebotsseite.",
            )
        summary, description = item.get("summary") or "", item.get("content") or ""
        if not description or summary == description:
            summary, description = "", summary
        if len(html_to_text(summary)) > MAX_SUMMARY:
            summary = ""
        updated = _parse_iso(item.get("updated") or item.get("published"))
        tags = list(item.get("tags") or [])
        kind = {"kind": self.config.kind} if self.config.kind else {"kind_text": ", ".join(tags)}
        return {
            "url": link,
            "title": item.get("title") or "",
            "summary": summary,
            "description": description,
            "categories": tags,
            **kind,
            "updated_at": updated or _parse_iso(item.get("feed_updated")) or self.clock(),
        }


def parse_feed(response: FetchResponse) -> Any:
    """feedparser's view of the fetched bytes; HTML pages and broken feeds are permanent errors."""
    headers = {
        "content-location": response.url,
        "content-type": response.headers.get("content-type", ""),
    }
    refuse_unsafe_xml(response.content)
    feed = feedparser.parse(response.content, response_headers=headers)
    problem = str(feed.get("bozo_exception") or "")
    if not feed.version and not feed.entries:
        looks_html = b"<html" in response.content[:2000].lower()
        raise PermanentFetchError(
            f"{response.url} is not an RSS/Atom feed: {problem or 'unknown format'}",
            message_de="Die Adresse liefert eine HTML-Seite statt eines RSS- oder Atom-Feeds."
            if looks_html
            else "Die Adresse liefert keinen lesbaren RSS- oder Atom-Feed.",
        )
    if feed.bozo and (not feed.entries or any(h in problem for h in TRUNCATION_HINTS)):
        raise PermanentFetchError(
            f"malformed feed at {response.url}: {problem}",
            message_de=f"Der Feed ist fehlerhaft oder unvollständig und wird nicht übernommen "
            f"({problem}).",
        )
    return feed


def refuse_unsafe_xml(content: bytes) -> None:
    """Entity bombs and external entities fail here (defusedxml) before feedparser's SAX parser.

    Malformed XML is left to feedparser, whose loose parser recovers many real-world feeds.
    """
    try:
        parse_xml(content, allow_doctype=True)
    except UnsafeXMLError as exc:
        if exc.reason != "malformed":
            raise


def entry_payload(entry: dict[str, Any]) -> dict[str, Any]:
    """The JSON-serialisable part of a feedparser entry that the mapping needs."""
    content = [c.get("value", "") for c in entry.get("content") or [] if c.get("value")]
    tags = [t.get("label") or t.get("term") for t in entry.get("tags") or []]
    return {
        "id": str(entry.get("id") or "").strip(),
        "link": str(entry.get("link") or "").strip(),
        "title": entry.get("title") or "",
        "summary": entry.get("summary") or "",
        "content": "\n".join(content),
        "tags": [str(t).strip() for t in tags if t and str(t).strip()],
        "author": entry.get("author") or "",
        # plain dict access: feedparser's own .get maps updated→published with a warning
        "updated": _iso(dict.get(entry, "updated_parsed")),
        "published": _iso(dict.get(entry, "published_parsed")),
    }


def _next_link(feed: Any, base: str) -> str | None:
    for link in feed.feed.get("links") or []:
        if link.get("rel") == "next" and link.get("href"):
            return urljoin(base, str(link["href"]))
    return None


def _feed_updated(feed: Any, response: FetchResponse) -> datetime | None:
    parsed = _parse_iso(_iso(dict.get(feed.feed, "updated_parsed")))
    if parsed is not None:
        return parsed
    try:
        return parsedate_to_datetime(response.headers.get("last-modified", ""))
    except (TypeError, ValueError):
        return None


def _iso(value: struct_time | None) -> str | None:
    return datetime(*value[:6], tzinfo=UTC).isoformat() if value else None


def _parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
