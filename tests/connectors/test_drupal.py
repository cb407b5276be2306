"""Drupal JSON:API connector: recorded Drupal 10 output end to end against golden files.

The fixtures hold `{{base}}` where Drupal writes its own absolute URLs (links.next, self links);
the test replaces it with the local server's address. UPDATE_GOLDEN=1 rewrites the golden file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from connectors.drupal import DrupalConfig, DrupalConnector
from connectors.sdk.base import SourceContext
from connectors.sdk.paging import RetryPolicy
from hub.core.errors import PermanentFetchError, RecordError, TransientFetchError
from tests.support import golden
from tests.support.connectors import accepted_offers, local_fetcher, run
from tests.support.feeds import FeedServer, Request, Route
from tests.support.paths import FIXTURES

FIXTURES = FIXTURES / "drupal"
CONTEXT = SourceContext(
    source_id="kreis-mettmann", ags=("05158012", "05158024", "05158028"), name="Kreis Mettmann"
)
COLLECTION = "/jsonapi/node/angebot"
NO_WAIT = RetryPolicy(attempts=3, sleep=lambda _seconds: None)
SITE_FIELDS = {
    "dates": "field_termine",
    "kind": "field_angebotsart",
    "registration": "field_anmeldung",
    "age": "field_alter",
    "cost": "field_kosten",
    "audience": "field_zielgruppe",
    "language": "field_sprachen",
}


def fixture(server: FeedServer, name: str) -> str:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text.replace("{{base}}", server.base_url)


def serve_pages(server: FeedServer) -> None:
    """Page 1 at the collection URL, page 2 at its `page[offset]=2` next link."""
    pages = [fixture(server, "angebote_page1.json"), fixture(server, "angebote_page2.json")]

    def collection(request: Request) -> Route:
        offset = parse_qs(request.query).get("page[offset]", ["0"])[0]
        return Route(pages[1] if offset == "2" else pages[0], content_type=JSONAPI)

    server.route(COLLECTION, collection)


JSONAPI = "application/vnd.api+json"


def connector(server: FeedServer, **config: Any) -> DrupalConnector:
    settings = {
        "url": server.url(COLLECTION),
        "site_url": "https://www.kreis-mettmann.de",
        "fields": SITE_FIELDS,
        "extra_includes": ["field_zielgruppe"],
        "page_limit": 2,
        **config,
    }
    drupal = DrupalConnector(DrupalConfig.model_validate(settings), local_fetcher(), CONTEXT)
    drupal.retry = NO_WAIT
    return drupal


def assert_golden(case: str, offers: list[dict[str, Any]]) -> None:
    golden.assert_golden(FIXTURES / f"{case}.expected.json", "offers", offers)


# --- golden ----------------------------------------------------------------------------------


def test_drupal_10_collection_becomes_offers(server: FeedServer) -> None:
    serve_pages(server)
    drupal = connector(server)
    records, cursor = run(drupal)
    assert [r.local_id[:8] for r in records] == ["5b0f8a3e", "6c7d8e9f", "8e9f0a1b"]
    assert_golden("angebote", accepted_offers(drupal, records))
    assert cursor.position == {"changed": 1716278131}  # 2024-05-21T07:55:31Z, the newest
    assert cursor.etag is None


def test_first_request_includes_configured_relationships_and_a_stable_sort(
    server: FeedServer,
) -> None:
    serve_pages(server)
    run(connector(server))
    query = parse_qs(server.requests[0].query)
    assert query["include"] == ["field_tags,field_location,field_zielgruppe"]
    assert query["sort"] == ["drupal_internal__nid"]
    assert query["page[limit]"] == ["2"]
    assert server.requests[0].headers["accept"] == JSONAPI


def test_filters_in_the_registered_url_are_kept(server: FeedServer) -> None:
    serve_pages(server)
    url = server.url(COLLECTION + "?filter%5Bfield_kreis.name%5D=Mettmann")
    run(connector(server, url=url))
    query = parse_qs(server.requests[0].query)
    assert query["filter[field_kreis.name]"] == ["Mettmann"]
    assert query["sort"] == ["drupal_internal__nid"]


def test_record_carries_only_its_own_related_resources(server: FeedServer) -> None:
    serve_pages(server)
    records, _ = run(connector(server))
    related = {r["id"][:8] for r in records[1].payload["included"]}
    assert related == {"5b6c7d8e", "6c7d8e9f", "7d8e9f0a"}  # its tag and two target groups


# --- incremental, conditional, paging ------------------------------------------------------


def test_incremental_run_filters_on_changed_since_the_cursor(server: FeedServer) -> None:
    serve_pages(server)
    drupal = connector(server)
    _, cursor = run(drupal)
    server.requests.clear()
    server.route(COLLECTION, Route(json.dumps({"data": [], "links": {}}), content_type=JSONAPI))
    records, after = run(drupal, cursor)
    assert records == []
    query = parse_qs(server.requests[0].query)
    assert query["filter[changed][condition][path]"] == ["changed"]
    assert query["filter[changed][condition][operator]"] == [">="]
    assert query["filter[changed][condition][value]"] == ["1716278131"]
    assert after.position == cursor.position
    assert len(server.requests) == 1


def test_unchanged_single_page_collection_answers_304(server: FeedServer) -> None:
    body = fixture(server, "angebote_page2.json")

    def collection(request: Request) -> Route:
        if request.headers.get("if-none-match") == '"1716278131"':
            return Route(status=304)
        return Route(body, headers={"ETag": '"1716278131"'}, content_type=JSONAPI)

    server.route(COLLECTION, collection)
    drupal = connector(server)
    _, cursor = run(drupal)
    assert cursor.etag == '"1716278131"'
    records, again = run(drupal, cursor)
    assert records == [] and again.not_modified


def test_failing_second_page_is_retried_without_refetching_the_first(server: FeedServer) -> None:
    serve_pages(server)
    pages = server.routes[COLLECTION]
    failures = {"left": 1}

    def flaky(request: Request) -> Route:
        if "page%5Boffset%5D=2" in request.query and failures["left"]:
            failures["left"] -= 1
            return Route(status=503)
        assert callable(pages)
        return pages(request)

    server.route(COLLECTION, flaky)
    records, _ = run(connector(server))
    assert len(records) == 3
    offsets = [parse_qs(r.query).get("page[offset]", ["0"])[0] for r in server.requests]
    assert offsets == ["0", "2", "2"]


def test_next_link_pointing_back_is_refused_as_a_loop(server: FeedServer) -> None:
    page = json.loads(fixture(server, "angebote_page1.json"))
    page["links"]["next"]["href"] = server.url(COLLECTION + "?page%5Boffset%5D=0")
    server.route(COLLECTION, Route(json.dumps(page), content_type=JSONAPI))
    with pytest.raises(PermanentFetchError) as info:
        run(connector(server))
    assert "Schleife" in info.value.message_de


# --- records ---------------------------------------------------------------------------------


def test_unpublished_node_is_reported_as_deleted(server: FeedServer) -> None:
    page = json.loads(fixture(server, "angebote_page2.json"))
    page["data"][0]["attributes"]["status"] = False
    server.route(COLLECTION, Route(json.dumps(page), content_type=JSONAPI))
    records, _ = run(connector(server))
    assert [r.deleted for r in records] == [True]


def test_node_without_title_is_a_rejection(server: FeedServer) -> None:
    page = json.loads(fixture(server, "angebote_page2.json"))
    page["data"][0]["attributes"]["title"] = ""
    server.route(COLLECTION, Route(json.dumps(page), content_type=JSONAPI))
    drupal = connector(server)
    records, _ = run(drupal)
    with pytest.raises(RecordError) as info:
        drupal.to_offer(records[0])
    assert info.value.code == "missing_title"


def test_site_url_defaults_to_the_part_before_jsonapi(server: FeedServer) -> None:
    serve_pages(server)
    drupal = connector(server, site_url=None)
    records, _ = run(drupal)
    assert drupal.to_offer(records[2])["url"] == server.url("/node/457")


def test_basic_auth_is_sent_when_configured(server: FeedServer) -> None:
    serve_pages(server)
    run(connector(server, username="hub", password="geheim"))
    assert server.requests[0].headers["authorization"] == "Basic aHViOmdlaGVpbQ=="


# --- bad feeds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "words"),
    [
        (Route('{"data": [', content_type=JSONAPI), "kein gültiges JSON"),
        (Route("<!DOCTYPE html><title>Anmelden</title>", content_type="text/html"), "HTML-Seite"),
        (Route('{"data": {"type": "node--angebot", "id": "x"}}', content_type=JSONAPI), "Sammlung"),
        (Route('{"message": "Not found"}', status=404), "HTTP 404"),
        (Route("", status=403), "HTTP 403"),
    ],
    ids=["malformed", "html", "single-resource", "404", "403"],
)
def test_bad_answers_fail_the_run_with_a_german_reason(
    server: FeedServer, route: Route, words: str
) -> None:
    server.route(COLLECTION, route)
    with pytest.raises(PermanentFetchError) as info:
        run(connector(server))
    assert words in info.value.message_de


def test_json_api_error_document_is_reported_with_the_api_message(server: FeedServer) -> None:
    server.route(COLLECTION, Route(fixture(server, "error_400.json"), content_type=JSONAPI))
    with pytest.raises(PermanentFetchError) as info:
        run(connector(server))
    assert info.value.message_de == (
        "Die Drupal-Schnittstelle meldet einen Fehler (Status 400): Invalid nested filtering. "
        "The field `changed`, given in the path `changed`, does not exist."
    )


def test_json_api_error_status_fails_the_run(server: FeedServer) -> None:
    """The fetcher does not read error bodies, so a 400 reports its status only."""
    body = fixture(server, "error_400.json")
    server.route(COLLECTION, Route(body, status=400, content_type=JSONAPI))
    with pytest.raises(PermanentFetchError) as info:
        run(connector(server))
    assert "HTTP 400" in info.value.message_de


def test_server_error_is_retried_then_reported_as_transient(server: FeedServer) -> None:
    server.route(COLLECTION, Route("", status=500))
    with pytest.raises(TransientFetchError):
        run(connector(server))
    assert server.hits(COLLECTION) == NO_WAIT.attempts


def test_every_fixture_is_used() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    names = {p.name for p in FIXTURES.iterdir()} - {"README.md"}
    unused = {n for n in names if n.removesuffix(".expected.json") not in source}
    assert unused == set()
