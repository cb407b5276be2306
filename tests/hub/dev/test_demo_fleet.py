"""The demo fleet's prose feeds, read by the real WordPress and RSS connectors over HTTP."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.sdk.base import Connector, Cursor, SourceContext
from hub.core.errors import PermanentFetchError
from hub.core.text import html_to_text
from hub.dev.demo.fleet import DemoFeed, FleetServer, demo_feeds, wordpress_posts
from hub.dev.demo.pages import page_html, sentences, slug
from hub.ingest.build import connector_of_kind
from tests.support.connectors import accepted_offers, local_fetcher, run

STRUCTURED = ("age_min_months", "age_max_months", "cost_note", "provider", "dates")


@pytest.fixture(scope="module")
def fleet() -> Iterator[FleetServer]:
    server = FleetServer().start()
    yield server
    server.stop()


def prose_feeds(kind: str) -> list[DemoFeed]:
    return [feed for feed in demo_feeds() if feed.kind == kind]


def reader(fleet: FleetServer, feed: DemoFeed, **config: Any) -> Connector[Any]:
    registration = feed.registration(fleet.base_url)
    config = {"url": registration["url"], **registration["config"], **config}
    context = SourceContext(feed.source_id, tuple(feed.ags), feed.name)
    return connector_of_kind(feed.kind, config, local_fetcher(), context)


def test_about_a_third_of_the_municipalities_publish_prose_in_both_forms() -> None:
    feeds = demo_feeds()
    prose = [feed for feed in feeds if feed.prose]
    records = sum(len(feed.records) for feed in prose)

    assert {feed.kind for feed in prose} == {"wordpress", "rss"}
    assert 0.25 <= len(prose) / len(feeds) <= 0.5
    assert 0.25 <= records / 400 <= 0.5
    assert not any(feed.source_id in {"bonn", "unna"} for feed in prose)  # push stays push


@pytest.mark.parametrize("kind", ["wordpress", "rss"])
def test_every_prose_record_becomes_an_offer_with_title_text_and_categories(
    fleet: FleetServer, kind: str
) -> None:
    for feed in prose_feeds(kind):
        wordpress = {"per_page": 4} if kind == "wordpress" else {}  # several pages
        connector = reader(fleet, feed, **wordpress)
        records, _cursor = run(connector)
        offers = {o["local_id"]: o for o in accepted_offers(connector, records)}

        assert sorted(offers) == sorted(feed.offer_id(r) for r in feed.records)
        for record in feed.records:
            offer = offers[feed.offer_id(record)]
            assert offer["title"] == record["title"]
            assert offer["categories"] == record["categories_free_text"]
            assert str(offer["url"]) == record["url"]
            assert html_to_text(f"<p>{record['summary']}</p>") in offer["description"]


def test_the_pages_carry_only_what_an_editor_types(fleet: FleetServer) -> None:
    (feed, *_rest) = prose_feeds("wordpress")
    posts = wordpress_posts(feed)

    assert all(post["excerpt"]["rendered"] == "" and "acf" not in post for post in posts)
    payload = {k for post in posts for k in post}
    assert not payload & set(STRUCTURED)
    styles = "".join(page_html(r) for f in demo_feeds() if f.prose for r in f.records)
    assert "<ul><li><strong>" in styles and "<p><strong>" in styles
    assert "&lt;" not in styles  # descriptions that are HTML already are not escaped again


def test_wordpress_totals_paging_and_modified_after_behave_like_wordpress(
    fleet: FleetServer,
) -> None:
    feed = max(prose_feeds("wordpress"), key=lambda f: len(f.records))
    connector = reader(fleet, feed, per_page=3)
    first = local_fetcher().get(f"{fleet.base_url}{feed.path()}/wp-json/wp/v2/posts?per_page=3")
    assert first.headers["x-wp-total"] == str(len(feed.records))
    assert first.headers["x-wp-totalpages"] == str(-(-len(feed.records) // 3))

    newest = max(datetime.fromisoformat(r["updated_at"]) for r in feed.records)
    since = (newest - timedelta(seconds=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    cursor = Cursor(position={"modified_gmt": since, "boundary_ids": []})
    records, _next = run(connector, cursor)
    changed = [r for r in feed.records if datetime.fromisoformat(r["updated_at"]) >= newest]
    assert sorted(r.local_id for r in records) == sorted(feed.offer_id(r) for r in changed)
    assert sorted(connector.list_ids()) == sorted(feed.offer_id(r) for r in feed.records)


def test_sentences_keep_abbreviations_and_ordinals_together() -> None:
    text = "Kursbeginn: Montag, 29. September 2025. Ort: Kath. Familienzentrum St. Marien. Los!"

    assert sentences(text) == [
        "Kursbeginn: Montag, 29. September 2025.",
        "Ort: Kath. Familienzentrum St. Marien.",
        "Los!",
    ]


def test_a_malformed_query_is_a_bad_request_not_a_dropped_connection(fleet: FleetServer) -> None:
    (feed, *_rest) = prose_feeds("wordpress")
    url = f"{fleet.base_url}{feed.path()}/wp-json/wp/v2/posts?per_page=viele"

    with pytest.raises(PermanentFetchError) as error:
        local_fetcher().get(url)
    assert "400" in str(error.value)


def test_wordpress_category_filters_by_slug_select_and_leave_out_posts(fleet: FleetServer) -> None:
    feed = max(prose_feeds("wordpress"), key=lambda f: len(f.records))
    name = Counter(c for r in feed.records for c in r["categories_free_text"]).most_common(1)[0][0]
    inside = sorted(feed.offer_id(r) for r in feed.records if name in r["categories_free_text"])

    chosen, _cursor = run(reader(fleet, feed, categories=[slug(name)]))
    left, _cursor = run(reader(fleet, feed, exclude_categories=[slug(name)]))

    assert sorted(r.local_id for r in chosen) == inside
    assert {r.local_id for r in left} == {feed.offer_id(r) for r in feed.records} - set(inside)
