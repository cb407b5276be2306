"""RSS/Atom connector against recorded municipal feeds served over a real HTTP server.

Each case runs fetch → to_offer → normalise_record and compares the offers with
`<case>.expected.json` (documents minus next_date/content_hash; `UPDATE_GOLDEN=1` rewrites
them). feedparser only sees bytes the SafeFetcher fetched: every request shows up here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.rss import RssConfig, RssConnector
from connectors.sdk.base import Cursor, RawRecord, SourceContext
from connectors.sdk.paging import RetryPolicy
from hub.core.errors import PermanentFetchError, TransientFetchError
from tests.support import golden
from tests.support.connectors import local_fetcher, normalise_by_id, run
from tests.support.feeds import FeedServer, Request, Route
from tests.support.golden import templated
from tests.support.paths import DEFUSEDXML, FIXTURES

FIXTURES = FIXTURES / "rss"
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
NO_WAIT = RetryPolicy(attempts=2, sleep=lambda _seconds: None)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def connector(server: FeedServer, path: str = "/feed.xml", **config: Any) -> RssConnector:
    parsed = RssConfig.model_validate({"url": server.url(path), **config})
    context = SourceContext("bielefeld-rss", ags=("05711000",), name="Familie Bielefeld")
    feed = RssConnector(parsed, local_fetcher(), context, clock=lambda: NOW)
    feed.retry = NO_WAIT
    return feed


def assert_golden(case: str, offers: list[dict[str, Any]], base: str = "") -> None:
    value = templated(offers, base) if base else offers
    golden.assert_golden(FIXTURES / f"{case}.expected.json", None, value)


def test_rss20_municipal_feed_matches_golden(server: FeedServer) -> None:
    server.route("/feed.xml", Route(fixture("bielefeld_rss20.xml"), content_type=RSS))
    feed = connector(server)

    records, _cursor = run(feed)
    offers, rejected = normalise_by_id(feed, records)

    assert_golden("bielefeld_rss20", offers, server.base_url)
    assert rejected == {"news-4800": "missing_url"}
    assert [r.local_id for r in records] == [
        "news-4711",
        "https://www.bielefeld.de/familie/angebote/starke-eltern",
        server.url("/familie/angebote/willkommensbesuch"),
        "news-4800",
    ]
    assert "alert" not in json.dumps(offers)


def test_atom10_feed_matches_golden(server: FeedServer) -> None:
    server.route("/feed.xml", Route(fixture("kreis_steinfurt_atom.xml"), content_type=ATOM))
    feed = connector(server)

    offers, rejected = normalise_by_id(feed, run(feed)[0])

    assert_golden("kreis_steinfurt_atom", offers)
    assert rejected == {}


def test_paged_atom_feed_follows_next_links(server: FeedServer) -> None:
    server.route("/kurse.atom", Route(fixture("paged_atom_page1.xml"), content_type=ATOM))
    server.route("/kurse.atom?seite=2", Route(fixture("paged_atom_page2.xml"), content_type=ATOM))
    feed = connector(server, path="/kurse.atom")

    records, _cursor = run(feed)
    offers, rejected = normalise_by_id(feed, records)

    assert_golden("paged_atom", offers)
    assert rejected == {}
    assert [r.local_id for r in records] == ["urn:kurs:3001", "urn:kurs:3002", "urn:kurs:3003"]
    assert [(r.path, r.query) for r in server.requests] == [
        ("/kurse.atom", ""),
        ("/kurse.atom", "seite=2"),
    ]


def test_every_golden_file_belongs_to_a_test() -> None:
    goldens = sorted(p.name for p in FIXTURES.glob("*.expected.json"))
    assert goldens == [
        "bielefeld_rss20.expected.json",
        "kreis_steinfurt_atom.expected.json",
        "paged_atom.expected.json",
    ]


def test_failing_second_page_is_retried_then_fails_the_run(server: FeedServer) -> None:
    server.route("/kurse.atom", Route(fixture("paged_atom_page1.xml"), content_type=ATOM))
    server.route("/kurse.atom?seite=2", Route("busy", status=503, content_type="text/plain"))

    records: list[RawRecord] = []
    with pytest.raises(TransientFetchError):
        generator = connector(server, path="/kurse.atom").fetch(Cursor())
        for record in generator:
            records.append(record)

    assert [r.local_id for r in records] == ["urn:kurs:3001", "urn:kurs:3002"]
    assert [r.query for r in server.requests] == ["", "seite=2", "seite=2"]


def test_more_pages_than_max_pages_fails_the_run(server: FeedServer) -> None:
    server.route("/kurse.atom", Route(fixture("paged_atom_page1.xml"), content_type=ATOM))
    server.route("/kurse.atom?seite=2", Route(fixture("paged_atom_page2.xml"), content_type=ATOM))

    with pytest.raises(PermanentFetchError):
        run(connector(server, path="/kurse.atom", max_pages=1))


def test_conditional_get_returns_not_modified_and_yields_nothing(server: FeedServer) -> None:
    validators = {"ETag": 'W/"rss-17"', "Last-Modified": "Thu, 19 Nov 2026 15:05:00 GMT"}

    def answer(request: Request) -> Route:
        if request.headers.get("if-none-match") == 'W/"rss-17"':
            return Route(b"", status=304, headers=validators)
        return Route(fixture("bielefeld_rss20.xml"), headers=validators, content_type=RSS)

    server.route("/feed.xml", answer)
    feed = connector(server)

    first, cursor = run(feed)
    again, second = run(feed, cursor)

    assert len(first) == 4
    assert (cursor.etag, cursor.last_modified) == ('W/"rss-17"', "Thu, 19 Nov 2026 15:05:00 GMT")
    assert again == [] and second.not_modified
    assert server.requests[1].headers["if-modified-since"] == "Thu, 19 Nov 2026 15:05:00 GMT"


@pytest.mark.parametrize(
    ("name", "content_type", "words"),
    [
        ("malformed.xml", RSS, "fehlerhaft"),
        ("truncated_rss20.xml", RSS, "unvollständig"),
        ("not_a_feed.html", "text/html; charset=utf-8", "HTML-Seite"),
    ],
)
def test_broken_feeds_fail_the_run_with_a_german_reason(
    server: FeedServer, name: str, content_type: str, words: str
) -> None:
    server.route("/feed.xml", Route(fixture(name), content_type=content_type))

    with pytest.raises(PermanentFetchError) as error:
        run(connector(server))

    assert words in error.value.message_de


@pytest.mark.parametrize(
    ("status", "error"), [(410, PermanentFetchError), (502, TransientFetchError)]
)
def test_http_errors_fail_the_run(server: FeedServer, status: int, error: type[Exception]) -> None:
    server.route("/feed.xml", Route("weg", status=status, content_type="text/plain"))

    with pytest.raises(error):
        run(connector(server))


def test_empty_but_valid_feed_yields_no_records(server: FeedServer) -> None:
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>leer</title></channel></rss>'
    server.route("/feed.xml", Route(empty, content_type=RSS))

    records, cursor = run(connector(server))

    assert records == [] and not cursor.not_modified


@pytest.mark.parametrize("name", ["xmlbomb.xml", "quadratic.xml", "external.xml", "cyclic.xml"])
def test_hostile_xml_is_refused_before_feedparser_sees_it(server: FeedServer, name: str) -> None:
    hostile = DEFUSEDXML / name
    server.route("/feed.xml", Route(hostile.read_bytes(), content_type=RSS))

    with pytest.raises(PermanentFetchError):
        run(connector(server))

    assert [r.path for r in server.requests] == ["/feed.xml"]


def test_feed_links_are_never_fetched_by_feedparser(server: FeedServer) -> None:
    body = fixture("kreis_steinfurt_atom.xml").replace(
        b"https://www.kreis-steinfurt.de/fruehe-hilfen/atom.xml", server.url("/trap.xml").encode()
    )
    server.route("/feed.xml", Route(body, content_type=ATOM))

    run(connector(server))

    assert [r.path for r in server.requests] == ["/feed.xml"]


def test_configured_kind_overrides_the_category_guess(server: FeedServer) -> None:
    server.route("/feed.xml", Route(fixture("kreis_steinfurt_atom.xml"), content_type=ATOM))
    feed = connector(server, kind="beratung")

    offers, _rejected = normalise_by_id(feed, run(feed)[0])

    assert {o["kind"] for o in offers} == {"beratung"}
