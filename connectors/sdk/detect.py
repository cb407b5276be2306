"""Guesses which connector kind fits a feed, from what its URL answers (pure: no fetching)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from hub.core.fetcher import FetchResponse


@dataclass(frozen=True)
class Guess:
    """A connector kind with the evidence that suggested it."""

    kind: str
    reason: str
    config: dict[str, Any]


def detect(response: FetchResponse) -> list[Guess]:
    """Likely kinds for a response, best first (empty when nothing fits)."""
    head = response.content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    ctype = response.content_type
    if head.startswith(b"BEGIN:VCALENDAR") or ctype == "text/calendar":
        return [Guess("ical", "iCalendar (BEGIN:VCALENDAR)", {})]
    if head.startswith(b"PK\x03\x04"):
        return [Guess("spreadsheet", "XLSX workbook (zip)", {"format": "xlsx"})]
    if head[:1] in (b"{", b"["):
        return _json_guesses(response)
    if (
        head.startswith(b"<?xml")
        or head.startswith(b"<rss")
        or head.startswith(b"<feed")
        or "xml" in ctype
    ):
        return _xml_guesses(head)
    if b"<html" in head.lower() or b"<!doctype html" in head.lower() or ctype == "text/html":
        return _html_guesses(response)
    if ctype in ("text/csv", "text/plain") or b";" in head.split(b"\n", 1)[0]:
        return [Guess("spreadsheet", "delimited text (CSV)", {"format": "csv"})]
    return []


def _json_guesses(response: FetchResponse) -> list[Guess]:
    try:
        data = json.loads(response.text())
    except ValueError:
        return []
    if isinstance(data, dict):
        if "jsonapi" in data or ("data" in data and "links" in data):
            return [Guess("drupal", "JSON:API document (data/links)", {})]
        if isinstance(data.get("contents"), list) and "total_items" in data:
            return [Guess("hsds", "HSDS paginated list (contents/total_items)", {})]
        if isinstance(data.get("events"), list) and "rest_url" in json.dumps(data)[:20000]:
            return [Guess("wordpress", "The Events Calendar REST shape", {"api": "tribe_events"})]
        if isinstance(data.get("offers"), list):
            first = data["offers"][0] if data["offers"] else {}
            if "topics" in first or not first:
                return [Guess("push", "common-schema feed (offers[] with topics)", {})]
            return [
                Guess("json_feed", "JSON list under 'offers'", {"mapping": "demo-json.yaml"}),
                Guess("push", "JSON list under 'offers'", {}),
            ]
        if (
            "content" in data
            and isinstance(data.get("content"), dict)
            and any(k.startswith("colPos") for k in data["content"])
        ):
            return [Guess("typo3", "TYPO3 EXT:headless page JSON", {"shape": "headless_page"})]
        if "list" in data and "pagination" in data:
            return [Guess("typo3", "TYPO3 EXT:headless news list", {"shape": "headless_news"})]
    if isinstance(data, list) and data and isinstance(data[0], dict):
        first = data[0]
        if "title" in first and isinstance(first["title"], dict) and "rendered" in first["title"]:
            return [Guess("wordpress", "WordPress REST posts (title.rendered)", {})]
        if {"name", "organization_id"} <= set(first) or "service_at_locations" in first:
            return [Guess("hsds", "HSDS service objects", {})]
        return [Guess("json_feed", "plain JSON list (needs a mapping file)", {})]
    return []


def _xml_guesses(head: bytes) -> list[Guess]:
    text = head.decode("utf-8", errors="replace")
    if re.search(r"<(rss|rdf:RDF)\b", text) or re.search(r"<feed\b[^>]*Atom", text, re.I):
        return [Guess("rss", "RSS/Atom feed", {})]
    if "<urlset" in text or "<sitemapindex" in text:
        return [Guess("schemaorg", "XML sitemap (crawl pages for JSON-LD)", {})]
    return [Guess("xml_feed", "generic XML (needs a mapping file)", {})]


def _html_guesses(response: FetchResponse) -> list[Guess]:
    text = response.text()[:200_000]
    guesses: list[Guess] = []
    if _announces_wordpress_api(response):
        guesses.append(Guess("wordpress", "WordPress site (api.w.org Link header)", {}))
    elif "api.w.org" in text or "/wp-json/" in text or "wp-content" in text:
        guesses.append(Guess("wordpress", "WordPress site (api.w.org link)", {}))
    if "application/ld+json" in text:
        guesses.append(Guess("schemaorg", "page with schema.org JSON-LD", {}))
    if "typo3" in text.lower():
        guesses.append(Guess("typo3", "TYPO3 site (needs EXT:headless JSON)", {}))
    return guesses


def _announces_wordpress_api(response: FetchResponse) -> bool:
    """WordPress answers every page with `Link: <…/wp-json/>; rel="https://api.w.org/"`, also
    where no theme prints the HTML link (a headless site) or a theme leaves it out."""
    return 'rel="https://api.w.org/"' in response.headers.get("link", "")
