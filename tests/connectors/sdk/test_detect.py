"""Guessing a feed's connector kind from what its URL answers."""

from __future__ import annotations

import json

import pytest

from connectors.sdk.detect import detect
from hub.core.fetcher import FetchResponse
from tests.support.paths import FIXTURES

FIXTURES = FIXTURES


def answer(body: bytes | str, content_type: str = "application/json") -> FetchResponse:
    content = body.encode() if isinstance(body, str) else body
    return FetchResponse(
        url="https://www.example-stadt.de/feed",
        status=200,
        headers={"content-type": content_type},
        content=content,
    )


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR", "text/calendar", "ical"),
        (b"PK\x03\x04rest-of-a-zip", "application/octet-stream", "spreadsheet"),
        ('<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "application/rss+xml", "rss"),
        (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>',
            "application/xml",
            "schemaorg",
        ),
        ('<?xml version="1.0"?><angebote/>', "application/xml", "xml_feed"),
        (
            json.dumps({"jsonapi": {"version": "1.0"}, "data": [], "links": {}}),
            "application/vnd.api+json",
            "drupal",
        ),
        (
            json.dumps({"total_items": 1, "total_pages": 1, "contents": []}),
            "application/json",
            "hsds",
        ),
        (
            json.dumps([{"id": 1, "title": {"rendered": "Babytreff"}}]),
            "application/json",
            "wordpress",
        ),
        (
            json.dumps({"offers": [{"local_id": "1", "topics": ["begegnung"]}]}),
            "application/json",
            "push",
        ),
        (
            json.dumps({"offers": [{"local_id": "1", "categories_free_text": ["Treffs"]}]}),
            "application/json",
            "json_feed",
        ),
        (json.dumps({"list": [], "pagination": {}}), "application/json", "typo3"),
        (
            '<html><head><link rel="https://api.w.org/" href="/wp-json/"></head></html>',
            "text/html",
            "wordpress",
        ),
        ('<html><script type="application/ld+json">{}</script></html>', "text/html", "schemaorg"),
        ("Titel;Link\nBabytreff;https://x", "text/csv", "spreadsheet"),
    ],
)
def test_best_guess_per_format(body: str | bytes, content_type: str, kind: str) -> None:
    guesses = detect(answer(body, content_type))
    assert guesses and guesses[0].kind == kind


def test_a_wordpress_page_without_html_is_recognised_by_its_link_header() -> None:
    """A headless WordPress prints no theme HTML, but still announces its REST API."""
    empty = answer("", "text/html; charset=UTF-8")
    empty.headers["link"] = '<https://www.example-stadt.de/wp-json/>; rel="https://api.w.org/"'
    assert [guess.kind for guess in detect(empty)] == ["wordpress"]
    empty.headers["link"] = '<https://www.example-stadt.de/seite-2/>; rel="next"'
    assert detect(empty) == []


def test_recorded_fixtures_are_recognised() -> None:
    rss = (FIXTURES / "rss").glob("*.xml")
    for path in rss:
        assert detect(answer(path.read_bytes(), "application/xml"))[0].kind == "rss", path


def test_nothing_fits_an_image() -> None:
    assert detect(answer(b"\x89PNG\r\n\x1a\n", "image/png")) == []
