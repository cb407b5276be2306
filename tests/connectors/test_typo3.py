"""TYPO3 EXT:headless connector: news lists, offer pages and event lists against golden files.

UPDATE_GOLDEN=1 rewrites the `<case>.expected.json` files; review the diff before committing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from connectors.sdk.base import SourceContext
from connectors.sdk.paging import RetryPolicy
from connectors.typo3 import Typo3Config, Typo3Connector
from hub.core.errors import PermanentFetchError, RecordError, TransientFetchError
from tests.support import golden
from tests.support.connectors import accepted_offers, local_fetcher, run
from tests.support.feeds import FeedServer, Request, Route
from tests.support.paths import FIXTURES

FIXTURES = FIXTURES / "typo3"
CONTEXT = SourceContext(source_id="bielefeld-typo3", ags=("05711000",), name="Stadt Bielefeld")
SITE = "https://www.bielefeld.de"
NO_WAIT = RetryPolicy(attempts=3, sleep=lambda _seconds: None)
NEWS = "/familie/aktuelles"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def connector(server: FeedServer, path: str, shape: str, **config: Any) -> Typo3Connector:
    settings = {"url": server.url(path), "shape": shape, "site_url": SITE, **config}
    typo3 = Typo3Connector(Typo3Config.model_validate(settings), local_fetcher(), CONTEXT)
    typo3.retry = NO_WAIT
    return typo3


def assert_golden(case: str, offers: list[dict[str, Any]]) -> None:
    golden.assert_golden(FIXTURES / f"{case}.expected.json", "offers", offers)


def serve_news(server: FeedServer) -> None:
    """The news page, its second page (`pagination.next`) and one detail page per news item."""

    def listing(request: Request) -> Route:
        page = parse_qs(request.query).get("tx_news_pi1[currentPage]", ["1"])[0]
        return Route(fixture("news_page2.json" if page == "2" else "news_page1.json"))

    server.route(NEWS, listing)
    for uid in (781, 790, 802):
        item = next(
            i
            for name in ("news_page1.json", "news_page2.json")
            for i in _news_items(name)
            if i["uid"] == uid
        )
        server.route(item["slug"], Route(fixture(f"news_detail_{uid}.json")))


def _news_items(name: str) -> list[dict[str, Any]]:
    element = json.loads(fixture(name))["content"]["colPos0"][0]
    items: list[dict[str, Any]] = element["content"]["data"]["list"]
    return items


# --- golden ----------------------------------------------------------------------------------


def test_headless_news_list_with_details_becomes_offers(server: FeedServer) -> None:
    serve_news(server)
    typo3 = connector(server, NEWS, "headless_news", fetch_detail=True)
    records, cursor = run(typo3)
    assert [r.local_id for r in records] == ["781", "790", "802"]
    assert_golden("news", accepted_offers(typo3, records))
    assert cursor.etag is None


def test_headless_pages_linked_from_a_menu_become_offers(server: FeedServer) -> None:
    server.route("/familie/angebote", Route(fixture("page_overview.json")))
    babytreff = Route(
        fixture("page_babytreff.json"), headers={"Last-Modified": "Tue, 14 May 2024 08:00:00 GMT"}
    )
    server.route("/familie/angebote/babytreff-brackwede", babytreff)
    server.route("/familie/angebote/stillcafe-mitte", Route(fixture("page_stillcafe.json")))
    typo3 = connector(server, "/familie/angebote", "headless_page")
    records, _ = run(typo3)
    assert [r.local_id for r in records] == ["51", "52"]
    assert_golden("pages", accepted_offers(typo3, records))


def test_sf_event_mgt_events_become_offers(server: FeedServer) -> None:
    server.route("/familie/veranstaltungen.json", Route(fixture("sf_event_mgt.json")))
    typo3 = connector(server, "/familie/veranstaltungen.json", "sf_event_mgt")
    records, _ = run(typo3)
    assert [r.local_id for r in records] == ["14", "17"]
    assert_golden("sf_event_mgt", accepted_offers(typo3, records))


def test_calendarize_indices_are_grouped_into_one_offer_per_event(server: FeedServer) -> None:
    server.route("/familie/termine", Route(fixture("calendarize.json")))
    typo3 = connector(server, "/familie/termine", "calendarize")
    records, _ = run(typo3)
    assert [r.local_id for r in records] == ["33", "40"]
    assert_golden("calendarize", accepted_offers(typo3, records))


def test_menu_link_to_a_removed_page_is_skipped(server: FeedServer) -> None:
    server.route("/familie/angebote", Route(fixture("page_overview.json")))
    server.route("/familie/angebote/stillcafe-mitte", Route(fixture("page_stillcafe.json")))
    records, _ = run(connector(server, "/familie/angebote", "headless_page"))
    assert [r.local_id for r in records] == ["52"]


# --- paging and conditional GET --------------------------------------------------------------


def test_news_pages_follow_pagination_next(server: FeedServer) -> None:
    serve_news(server)
    records, _ = run(connector(server, NEWS, "headless_news"))
    assert [r.local_id for r in records] == ["781", "790", "802"]
    pages = [r.query for r in server.requests if r.path == NEWS]
    assert pages == ["", "tx_news_pi1%5BcurrentPage%5D=2"]


def test_older_pagination_without_links_is_paged_by_parameter(server: FeedServer) -> None:
    def plugin(request: Request) -> Route:
        page = int(parse_qs(request.query).get("tx_news_pi1[currentPage]", ["1"])[0])
        items = _news_items("news_page1.json" if page == 1 else "news_page2.json")
        body = {"pagination": {"current": page, "numberOfPages": 2}, "list": items}
        return Route(json.dumps(body))

    server.route("/news.json", plugin)
    records, _ = run(connector(server, "/news.json", "headless_news"))
    assert [r.local_id for r in records] == ["781", "790", "802"]


def test_unchanged_single_page_list_costs_one_conditional_request(server: FeedServer) -> None:
    body = fixture("sf_event_mgt.json")

    def events(request: Request) -> Route:
        if request.headers.get("if-modified-since") == "Thu, 02 May 2024 07:30:00 GMT":
            return Route(status=304)
        return Route(body, headers={"Last-Modified": "Thu, 02 May 2024 07:30:00 GMT"})

    server.route("/events.json", events)
    typo3 = connector(server, "/events.json", "sf_event_mgt")
    _, cursor = run(typo3)
    assert cursor.last_modified == "Thu, 02 May 2024 07:30:00 GMT"
    records, again = run(typo3, cursor)
    assert records == [] and again.not_modified


def test_failing_page_is_retried_alone(server: FeedServer) -> None:
    serve_news(server)
    listing = server.routes[NEWS]
    failures = {"left": 1}

    def flaky(request: Request) -> Route:
        if request.query and failures["left"]:
            failures["left"] -= 1
            return Route(status=502)
        assert callable(listing)
        return listing(request)

    server.route(NEWS, flaky)
    records, _ = run(connector(server, NEWS, "headless_news"))
    assert len(records) == 3
    queries = [r.query for r in server.requests if r.path == NEWS]
    assert queries == ["", "tx_news_pi1%5BcurrentPage%5D=2", "tx_news_pi1%5BcurrentPage%5D=2"]
    assert server.hits(NEWS) == 3


# --- records ---------------------------------------------------------------------------------


def test_news_without_slug_is_a_rejection(server: FeedServer) -> None:
    items = _news_items("news_page2.json")
    items[0]["slug"] = ""
    server.route("/news.json", Route(json.dumps({"list": items})))
    typo3 = connector(server, "/news.json", "headless_news")
    records, _ = run(typo3)
    with pytest.raises(RecordError) as info:
        typo3.to_offer(records[0])
    assert info.value.code == "missing_url"


# --- bad feeds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "words"),
    [
        (Route('{"list": [', content_type="application/json"), "kein gültiges JSON"),
        (Route("<!DOCTYPE html><html><body>Start</body></html>", content_type="text/html"), "HTML"),
        (Route('{"id": 1, "content": {"colPos0": []}}'), "keine Liste"),
        (Route("[1, 2]"), "keine Liste"),
        (Route("", status=404), "HTTP 404"),
    ],
    ids=["malformed", "html", "page-without-plugin", "not-an-object", "404"],
)
def test_bad_answers_fail_the_run_with_a_german_reason(
    server: FeedServer, route: Route, words: str
) -> None:
    server.route(NEWS, route)
    with pytest.raises(PermanentFetchError) as info:
        run(connector(server, NEWS, "headless_news"))
    assert words in info.value.message_de


def test_server_error_is_retried_then_reported_as_transient(server: FeedServer) -> None:
    server.route(NEWS, Route("", status=500))
    with pytest.raises(TransientFetchError):
        run(connector(server, NEWS, "headless_news"))
    assert server.hits(NEWS) == NO_WAIT.attempts


def test_every_fixture_is_used() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    names = {p.name for p in FIXTURES.iterdir()} - {"README.md"}
    unused = {
        n
        for n in names
        if n not in source
        and f'"{n.removesuffix(".expected.json")}"' not in source
        and not n.startswith("news_detail_")  # served by uid in serve_news
    }
    assert unused == set()
