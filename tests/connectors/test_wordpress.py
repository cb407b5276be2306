"""WordPress connector against recorded REST payloads served over a real HTTP server.

Each case runs fetch → to_offer → normalise_record and compares the offers with the golden
file beside the payload (`<case>.expected.json`; `UPDATE_GOLDEN=1` rewrites them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from connectors.sdk.base import Cursor, SourceContext
from connectors.sdk.paging import RetryPolicy
from connectors.wordpress import WordPressConfig, WordPressConnector
from hub.core.errors import PermanentFetchError, TransientFetchError
from tests.support import golden
from tests.support.connectors import local_fetcher, normalise_by_id, run
from tests.support.feeds import FeedServer, Request, Route
from tests.support.paths import FIXTURES

FIXTURES = FIXTURES / "wordpress"
POSTS = "/wp-json/wp/v2/posts"
EVENTS = "/wp-json/tribe/events/v1/events"
ACF_FIELDS = {
    "age_text": "acf.alter",
    "cost_text": "acf.kosten",
    "street": "acf.strasse",
    "postcode": "acf.plz",
    "city": "acf.ort",
}
NO_WAIT = RetryPolicy(attempts=3, sleep=lambda _seconds: None)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def wp_page(name: str, total_pages: int = 1) -> Route:
    headers = {"X-WP-Total": "0", "X-WP-TotalPages": str(total_pages)}
    return Route(fixture(name), headers=headers, content_type="application/json; charset=UTF-8")


@pytest.fixture
def server(reused_server: FeedServer) -> FeedServer:
    """One server for the module (stopping one takes half a second), routes reset per test."""
    return reused_server


def connector(server: FeedServer, **config: Any) -> WordPressConnector:
    parsed = WordPressConfig.model_validate({"url": server.base_url, **config})
    context = SourceContext("musterstadt-wp", ags=("05711000",), name="Frühe Hilfen Musterstadt")
    wordpress = WordPressConnector(parsed, local_fetcher(), context)
    wordpress.retry = NO_WAIT
    return wordpress


def assert_golden(case: str, offers: list[dict[str, Any]]) -> None:
    golden.assert_golden(FIXTURES / f"{case}.expected.json", None, offers)


def query(request: Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.query).items()}


def test_posts_with_acf_fields_and_category_slugs_match_golden(server: FeedServer) -> None:
    server.route("/wp-json/wp/v2/categories", wp_page("categories_by_slug.json"))
    server.route(POSTS, wp_page("posts_acf.json"))
    wordpress = connector(
        server, categories=["rund-um-die-geburt", "eltern-cafe"], fields=ACF_FIELDS
    )

    records, cursor = run(wordpress)
    offers, rejected = normalise_by_id(wordpress, records)

    assert_golden("posts_acf", offers)
    assert rejected == {}
    lookup, posts = server.requests
    assert query(lookup)["slug"] == "rund-um-die-geburt,eltern-cafe"
    assert query(posts) == {
        "per_page": "100",
        "orderby": "id",
        "order": "asc",
        "_embed": "wp:term",
        "categories": "2,3",
    }
    assert cursor.position == {"modified_gmt": "2024-03-10T10:30:00", "boundary_ids": ["6"]}
    assert records[0].source_url == offers[0]["url"]


def test_category_ids_are_used_without_lookup(server: FeedServer) -> None:
    server.route(POSTS, wp_page("posts_acf.json"))

    run(connector(server, categories=[2, "3"], exclude_categories=[9]))

    (request,) = server.requests
    assert query(request)["categories"] == "2,3"
    assert query(request)["categories_exclude"] == "9"


def test_custom_post_type_reads_its_rest_base_and_meta_fields(server: FeedServer) -> None:
    server.route("/wp-json/wp/v2/angebote", wp_page("custom_post_type.json"))
    meta = {key: path.replace("acf.", "meta.") for key, path in ACF_FIELDS.items()}
    wordpress = connector(server, post_type="angebote", fields=meta)

    offers, rejected = normalise_by_id(wordpress, run(wordpress)[0])

    assert_golden("custom_post_type", offers)
    assert rejected == {}


def test_tribe_events_follow_next_rest_url_and_reject_an_event_without_start(
    server: FeedServer,
) -> None:
    first = json.loads(fixture("tribe_events_page1.json"))
    first["next_rest_url"] = server.url(EVENTS + "?page=2&per_page=2")
    server.route(EVENTS + "?per_page=100", Route(json.dumps(first)))
    server.route(EVENTS + "?page=2&per_page=2", Route(fixture("tribe_events_page2.json")))
    wordpress = connector(server, api="tribe_events")

    records, cursor = run(wordpress)
    offers, rejected = normalise_by_id(wordpress, records)

    assert_golden("tribe_events", offers)
    assert rejected == {"504": "invalid_timestamp"}
    assert [r.local_id for r in records] == ["501", "502", "503", "504"]
    assert cursor.position == {}


def test_tribe_events_paging_loop_is_refused(server: FeedServer) -> None:
    page = json.loads(fixture("tribe_events_page1.json"))
    page["next_rest_url"] = server.url(EVENTS + "?per_page=100")
    server.route(EVENTS, Route(json.dumps(page)))

    with pytest.raises(PermanentFetchError) as error:
        run(connector(server, api="tribe_events"))
    assert "Schleife" in error.value.message_de


def test_paging_reads_all_three_pages_in_order(server: FeedServer) -> None:
    pages = {"1": "paging_page1.json", "2": "paging_page2.json", "3": "paging_page3.json"}
    server.route(POSTS, lambda request: wp_page(pages[query(request).get("page", "1")], 3))
    wordpress = connector(server, per_page=2)

    records, _cursor = run(wordpress)
    offers, rejected = normalise_by_id(wordpress, records)

    assert_golden("paging", offers)
    assert [r.local_id for r in records] == ["1", "4", "5", "6", "7"]
    assert rejected == {"1": "not_an_offer", "7": "not_an_offer"}  # "Hello world!", a job ad
    assert [query(r).get("page") for r in server.requests] == [None, "2", "3"]


def test_transient_error_retries_only_the_failed_page(server: FeedServer) -> None:
    template = json.loads(fixture("posts_acf.json"))[0]
    stamp = "2024-04-01T10:{:02d}:{:02d}"
    posts = [
        {**template, "id": n, "modified_gmt": stamp.format(*divmod(n, 60))} for n in range(1, 251)
    ]
    failures = {"2": 1}

    def page(request: Request) -> Route:
        number = query(request).get("page", "1")
        if failures.get(number):
            failures[number] -= 1
            return Route("busy", status=503, headers={"Retry-After": "0"})
        start = (int(number) - 1) * 100
        headers = {"X-WP-Total": "250", "X-WP-TotalPages": "3"}
        return Route(json.dumps(posts[start : start + 100]), headers=headers)

    server.route(POSTS, page)
    records, cursor = run(connector(server))

    assert [r.local_id for r in records] == [str(n) for n in range(1, 251)]
    assert [query(r).get("page", "1") for r in server.requests] == ["1", "2", "2", "3"]
    assert cursor.position["modified_gmt"] == "2024-04-01T10:04:10"


def test_persistent_server_error_fails_the_run_as_transient(server: FeedServer) -> None:
    server.route(POSTS, Route("down", status=500))

    with pytest.raises(TransientFetchError):
        run(connector(server))
    assert len(server.requests) == NO_WAIT.attempts


def test_incremental_run_asks_modified_after_and_skips_posts_already_seen(
    server: FeedServer,
) -> None:
    server.route(POSTS, wp_page("posts_incremental.json"))
    wordpress = connector(server, categories=[2, 3], fields=ACF_FIELDS)
    since = Cursor(position={"modified_gmt": "2024-03-10T10:30:00", "boundary_ids": ["6"]})

    records, cursor = run(wordpress, since)
    offers, _rejected = normalise_by_id(wordpress, records)

    assert_golden("posts_incremental", offers)
    assert query(server.requests[0])["modified_after"] == "2024-03-10T10:29:59Z"
    assert [r.local_id for r in records] == ["5"]
    assert cursor.position == {"modified_gmt": "2026-11-22T19:31:17", "boundary_ids": ["5"]}


def test_incremental_run_without_changes_keeps_the_cursor(server: FeedServer) -> None:
    server.route(POSTS, Route("[]", headers={"X-WP-TotalPages": "0"}))
    since = Cursor(position={"modified_gmt": "2024-03-10T10:30:00", "boundary_ids": ["6"]})

    records, cursor = run(connector(server), since)

    assert records == []
    assert cursor.position == since.position


def test_unchanged_feed_answers_304_and_yields_nothing(server: FeedServer) -> None:
    def conditional(request: Request) -> Route:
        if request.headers.get("if-none-match") == '"v1"':
            return Route(status=304)
        return Route(fixture("posts_acf.json"), headers={"ETag": '"v1"', "X-WP-TotalPages": "1"})

    server.route(POSTS, conditional)
    _records, cursor = run(connector(server))
    records, again = run(connector(server), cursor)

    assert cursor.etag == '"v1"'
    assert records == []
    assert again.not_modified is True
    assert again.position == cursor.position


def test_plain_permalinks_fall_back_to_rest_route(server: FeedServer) -> None:
    home = Route(fixture("rest_disabled.html"), content_type="text/html; charset=UTF-8")
    server.route(POSTS, home)

    def index(request: Request) -> Route:
        assert query(request)["rest_route"] == "/wp/v2/posts"
        return wp_page("posts_acf.json")

    server.route("/", index)
    records, _cursor = run(connector(server))

    assert len(records) == 3
    assert [r.path for r in server.requests] == ["/wp-json/wp/v2/posts", "/"]


def test_registered_rest_route_url_is_used_as_is(server: FeedServer) -> None:
    server.route("/", lambda request: wp_page("custom_post_type.json"))

    run(connector(server, url=server.url("/?rest_route=/"), post_type="angebote"))

    (request,) = server.requests
    assert query(request)["rest_route"] == "/wp/v2/angebote"


def test_html_instead_of_json_says_the_rest_api_is_off(server: FeedServer) -> None:
    html = Route(fixture("rest_disabled.html"), content_type="text/html; charset=UTF-8")
    server.route(POSTS, html)
    server.route("/", html)

    with pytest.raises(PermanentFetchError) as error:
        run(connector(server))
    assert "REST-API" in error.value.message_de
    assert "freigeben" in error.value.message_de


@pytest.mark.parametrize("status", [401, 403])
def test_refused_rest_route_tells_what_to_enable(server: FeedServer, status: int) -> None:
    body = '{"code": "rest_cannot_access", "message": "Only authenticated users can access."}'
    server.route(POSTS, Route(body, status=status))

    with pytest.raises(PermanentFetchError) as error:
        run(connector(server))
    assert f"HTTP {status}" in error.value.message_de
    assert "Lesezugriff" in error.value.message_de


def test_unknown_post_type_is_a_permanent_error(server: FeedServer) -> None:
    with pytest.raises(PermanentFetchError) as error:
        run(connector(server, post_type="kurse"))
    assert "show_in_rest" in error.value.message_de
    assert len(server.requests) == 2  # /wp-json and ?rest_route= both tried


def test_unknown_category_slug_is_named(server: FeedServer) -> None:
    server.route("/wp-json/wp/v2/categories", Route("[]"))

    with pytest.raises(PermanentFetchError) as error:
        run(connector(server, categories=["familienbildung"]))
    assert "familienbildung" in error.value.message_de


@pytest.mark.parametrize(
    ("body", "expected"),
    [('[{"id": 1,', "kein gültiges JSON"), ('{"code": "oops"}', "keine Liste")],
)
def test_malformed_payload_fails_the_run(server: FeedServer, body: str, expected: str) -> None:
    server.route(POSTS, Route(body))

    with pytest.raises(PermanentFetchError) as error:
        run(connector(server))
    assert expected in error.value.message_de


def test_bad_posts_become_rejections_and_the_rest_goes_on(server: FeedServer) -> None:
    good, *_ = json.loads(fixture("posts_acf.json"))
    protected = {**good, "id": 90, "content": {"rendered": "", "protected": True}}
    undated = {**good, "id": 91, "modified_gmt": "gestern"}
    untitled = {**good, "id": 92, "title": {"rendered": ""}}
    server.route(POSTS, Route(json.dumps([protected, undated, untitled, good])))
    wordpress = connector(server)

    offers, rejected = normalise_by_id(wordpress, run(wordpress)[0])

    assert [o["local_id"] for o in offers] == ["4"]
    assert rejected == {
        "90": "protected_post",
        "91": "invalid_timestamp",
        "92": "invalid_string_too_short",
    }


def test_config_refuses_unknown_field_targets() -> None:
    with pytest.raises(ValueError, match="unknown target fields"):
        WordPressConfig.model_validate(
            {"url": "https://example.org", "fields": {"alter": "acf.alter"}}
        )


def test_every_fixture_is_used() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    names = [p.name.replace(".expected.json", "") for p in FIXTURES.iterdir()]
    assert [name for name in names if f'"{name}"' not in source and name != "README.md"] == []


def test_id_listing_asks_published_ids_only_and_reads_every_page(server: FeedServer) -> None:
    ids = [{"id": n} for n in range(1, 251)]

    def page(request: Request) -> Route:
        start = (int(query(request).get("page", "1")) - 1) * 100
        headers = {"X-WP-Total": "250", "X-WP-TotalPages": "3"}
        return Route(json.dumps(ids[start : start + 100]), headers=headers)

    server.route(POSTS, page)
    listed = list(connector(server, categories=[2], per_page=10).list_ids())

    assert listed == [str(n) for n in range(1, 251)]
    first, *rest = server.requests
    assert query(first) == {
        "per_page": "100",
        "orderby": "id",
        "order": "asc",
        "status": "publish",
        "_fields": "id",
        "categories": "2",
    }
    assert [query(r)["page"] for r in rest] == ["2", "3"]


def test_id_listing_failing_on_a_page_raises(server: FeedServer) -> None:
    def page(request: Request) -> Route:
        if query(request).get("page") == "2":
            return Route("down", status=500)
        headers = {"X-WP-Total": "150", "X-WP-TotalPages": "2"}
        return Route(json.dumps([{"id": n} for n in range(100)]), headers=headers)

    server.route(POSTS, page)
    with pytest.raises(TransientFetchError):
        list(connector(server).list_ids())


def test_tribe_events_id_listing_follows_the_event_pages(server: FeedServer) -> None:
    first = json.loads(fixture("tribe_events_page1.json"))
    first["next_rest_url"] = server.url(EVENTS + "?page=2&per_page=2")
    server.route(EVENTS + "?per_page=100", Route(json.dumps(first)))
    server.route(EVENTS + "?page=2&per_page=2", Route(fixture("tribe_events_page2.json")))

    listed = list(connector(server, api="tribe_events").list_ids())

    assert listed == ["501", "502", "503", "504"]
