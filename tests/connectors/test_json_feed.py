"""json_feed connector: demo-fleet pages and a German CMS export, end to end, golden files.

Each `<case>.expected.json` holds `notes` (why the output looks as it does), `offers` (the
`Offer.document()` of every accepted record minus `next_date` and `content_hash`) and
`rejected` (local id, code, field and German message of every rejection). Set UPDATE_GOLDEN=1
to rewrite them after a deliberate change and review the diff.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest
from pydantic import ValidationError

from connectors.json_feed import JsonFeedConfig, JsonFeedConnector
from connectors.sdk.base import Cursor, SourceContext
from connectors.sdk.mapping import Extractor, load_mapping
from connectors.sdk.paging import RetryPolicy
from connectors.sdk.registry import connector_class
from hub.core.errors import PermanentFetchError, TransientFetchError
from hub.core.text import html_to_text
from tests.support.connectors import local_fetcher, outcome, run
from tests.support.feeds import FeedServer, Request, Route
from tests.support.golden import assert_golden_parts
from tests.support.paths import DEMO_CORPUS, FIXTURES

FIXTURES = FIXTURES / "json_feed"
CONTEXT = SourceContext(source_id="altena", ags=("05962004",), name="Stadt Altena")
ISERLOHN = SourceContext(source_id="iserlohn", ags=("05962024",), name="Stadt Iserlohn")
NO_WAIT = RetryPolicy(attempts=3, sleep=lambda _seconds: None)
USED_FIXTURES = {"demo-page-1.json", "demo-page-2.json", "demo.expected.json"} | {
    "cms-export.json",
    "cms-export.expected.json",
}


# --- harness ---------------------------------------------------------------------------------


def connector(
    url: str,
    mapping: Any = "demo-json",
    context: SourceContext = CONTEXT,
    clock: Callable[[], datetime] | None = None,
    **config: Any,
) -> JsonFeedConnector:
    raw = {"url": url, "mapping": mapping, **config}
    parsed = JsonFeedConfig.model_validate(raw)
    feed = JsonFeedConnector(parsed, local_fetcher(), context, clock=clock)
    feed.retry = NO_WAIT
    return feed


def assert_golden(case: str, got: dict[str, Any]) -> None:
    assert_golden_parts(FIXTURES / f"{case}.expected.json", got)


def serve_demo(server: FeedServer) -> str:
    """The two recorded demo pages; the next link points back at this server."""
    pages = {
        n: (FIXTURES / f"demo-page-{n}.json")
        .read_text(encoding="utf-8")
        .replace("{base}", server.base_url)
        for n in (1, 2)
    }

    def page(request: Request) -> Route:
        number = int(parse_qs(request.query).get("page", ["1"])[0])
        return Route(pages[number], headers={"ETag": f'"demo-{number}"'})

    return server.route("/feeds/altena.json", page)


def corpus_lines(prefix: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line["local_id"].startswith(prefix + "-")]


# --- golden files ----------------------------------------------------------------------------


def test_demo_fleet_pages_are_followed_and_match_the_golden_file(feed_server: FeedServer) -> None:
    feed = connector(serve_demo(feed_server))
    records, cursor = run(feed)

    assert [r.local_id for r in records] == [r["local_id"] for r in corpus_lines("altena")]
    assert feed_server.hits("/feeds/altena.json") == 2
    assert cursor.etag == '"demo-1"'
    assert_golden("demo", outcome(feed, records))


def test_demo_fleet_offer_round_trips_to_the_corpus_values(feed_server: FeedServer) -> None:
    feed = connector(serve_demo(feed_server))
    records, _ = run(feed)
    offers = {o["local_id"]: o for o in outcome(feed, records)["offers"]}

    for line in corpus_lines("altena"):
        offer = offers[line["local_id"]]
        same = [
            "title", "summary", "kind", "pregnancy", "age_min_months", "age_max_months",
            "audiences", "languages", "cost", "cost_note", "registration_required",
            "accessibility", "online",
        ]  # fmt: skip
        assert {k: offer[k] for k in same} == {k: line[k] for k in same}
        assert offer["description"] == html_to_text(line["description"])
        assert offer["url"] == line["url"]
        assert _instant(offer["updated_at"]) == _instant(line["updated_at"])
        provider = dict(offer["provider"], url=offer["provider"]["url"].rstrip("/"))
        assert provider == line["provider"]
        assert [{k: v for k, v in loc.items() if k != "geo"} for loc in offer["locations"]] == (
            line["locations"]
        )
        if line["dates"] or "dates" not in offer["extracted"]:
            assert [(_instant(d["start"]), _instant(d["end"])) for d in offer["dates"]] == [
                (_instant(d["start"]), _instant(d["end"])) for d in line["dates"]
            ]
        else:  # the corpus keeps a weekly rule in its text only; the hub reads it from there
            assert offer["recurrence_text"]
        assert offer["categories"] == line["categories_free_text"]
        assert offer["topics"], f"{line['local_id']}: no topic from {line['categories_free_text']}"


def _instant(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def test_cms_export_hints_transforms_and_bad_records(feed_server: FeedServer) -> None:
    body = (FIXTURES / "cms-export.json").read_bytes()
    url = feed_server.route("/api/angebote", Route(body))
    feed = connector(url, mapping="example-cms-json", context=ISERLOHN)
    records, _ = run(feed)

    assert [r.local_id for r in records] == ["101", "102", "103", "104"]
    got = outcome(feed, records)
    assert_golden("cms-export", got)
    assert [r["local_id"] for r in got["rejected"]] == ["103", "104"]


def test_every_fixture_is_used() -> None:
    assert {p.name for p in FIXTURES.iterdir()} == USED_FIXTURES


# --- paging, cursors, conditional GET --------------------------------------------------------


def generated_offer(number: int) -> dict[str, Any]:
    return {
        "local_id": f"gen-{number:04d}",
        "title": f"Angebot {number}",
        "url": f"https://www.example-stadt.de/angebote/{number}",
        "kind": "beratung",
        "categories_free_text": ["Beratung"],
        "locations": [],
        "online": True,
        "updated_at": f"2026-01-{1 + number % 28:02d}T10:00:00+01:00",
    }


def test_generated_large_feed_is_read_page_by_page_with_a_page_parameter(
    feed_server: FeedServer,
) -> None:
    offers = [generated_offer(n) for n in range(1, 238)]
    size = 50

    def page(request: Request) -> Route:
        query = parse_qs(request.query)
        number, per = int(query["seite"][0]), int(query["anzahl"][0])
        return Route(json.dumps({"offers": offers[(number - 1) * per : number * per]}))

    url = feed_server.route("/gross.json", page)
    mapping = {
        "records": "offers",
        "id": "local_id",
        "updated_at": "updated_at",
        "fields": {"title": "title", "url": "url", "kind": "kind", "online": "online"},
        "hints": {"categories": "categories_free_text"},
        "paging": {"page_param": "seite", "size_param": "anzahl", "size": size},
    }
    feed = connector(url, mapping=mapping)
    records, _ = run(feed)

    assert [r.local_id for r in records] == [o["local_id"] for o in offers]
    assert feed_server.hits("/gross.json") == 5  # 4 full pages and the short fifth
    assert len(outcome(feed, records)["offers"]) == len(offers)


def test_transient_error_on_page_two_retries_that_page_only(feed_server: FeedServer) -> None:
    url = serve_demo(feed_server)
    failures = iter([True, False])
    first_page = feed_server.routes["/feeds/altena.json"]

    def flaky(request: Request) -> Route:
        if "page=2" in request.query and next(failures, False):
            return Route("busy", status=503)
        assert callable(first_page)
        return first_page(request)

    feed_server.route("/feeds/altena.json", flaky)
    records, _ = run(connector(url))

    assert len(records) == 8
    queries = [r.query for r in feed_server.requests]
    assert queries == ["", "page=2", "page=2"]


def test_server_error_that_persists_fails_the_run_after_page_retries(
    feed_server: FeedServer,
) -> None:
    url = feed_server.route("/feed.json", Route("down", status=503))
    with pytest.raises(TransientFetchError):
        run(connector(url))
    assert feed_server.hits("/feed.json") == NO_WAIT.attempts


def test_missing_second_page_fails_the_run_after_the_first_page(feed_server: FeedServer) -> None:
    url = feed_server.route(
        "/feed.json",
        Route(json.dumps({"offers": [generated_offer(1)], "next": "/gone.json"})),
    )
    generator = connector(url).fetch(Cursor())
    assert next(generator).local_id == "gen-0001"
    with pytest.raises(PermanentFetchError) as error:
        next(generator)
    assert "HTTP 404" in error.value.message_de


def test_next_link_loop_is_refused(feed_server: FeedServer) -> None:
    url = feed_server.route(
        "/feed.json", Route(json.dumps({"offers": [generated_offer(1)], "next": "/feed.json"}))
    )
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert "Schleife" in error.value.message_de


def test_unchanged_feed_answers_304_and_yields_nothing(feed_server: FeedServer) -> None:
    def conditional(request: Request) -> Route:
        if request.headers.get("if-none-match") == '"v7"':
            return Route(b"", status=304)
        return Route(json.dumps({"offers": [generated_offer(1)]}), headers={"ETag": '"v7"'})

    url = feed_server.route("/feed.json", conditional)
    feed = connector(url)
    first, cursor = run(feed)
    again, second = run(feed, cursor)

    assert len(first) == 1 and cursor.etag == '"v7"'
    assert again == [] and second.not_modified


def test_incremental_cursor_asks_for_records_modified_since_the_newest_seen(
    feed_server: FeedServer,
) -> None:
    older, newer = generated_offer(3), generated_offer(9)
    url = feed_server.route("/feed.json", Route(json.dumps({"offers": [older, newer]})))
    feed = connector(url)
    _, cursor = run(feed)

    assert cursor.position == {"modified_since": "2026-01-10T10:00:00+01:00"}
    run(feed, cursor)
    assert parse_qs(feed_server.requests[-1].query) == {
        "modified_since": ["2026-01-10T10:00:00+01:00"]
    }


def test_record_without_its_own_time_gets_the_last_modified_header(
    feed_server: FeedServer,
) -> None:
    offer = generated_offer(1)
    del offer["updated_at"]
    last_modified = "Wed, 06 May 2026 08:00:00 GMT"
    url = feed_server.route(
        "/feed.json",
        Route(json.dumps({"offers": [offer]}), headers={"Last-Modified": last_modified}),
    )
    feed = connector(url)
    records, _ = run(feed)
    offers = outcome(feed, records)["offers"]

    assert offers[0]["updated_at"] == "2026-05-06T08:00:00Z"


def test_record_without_time_or_last_modified_gets_the_fetch_time(
    feed_server: FeedServer,
) -> None:
    offer = generated_offer(1)
    del offer["updated_at"]
    url = feed_server.route("/feed.json", Route(json.dumps({"offers": [offer]})))
    fetched = datetime(2026, 5, 6, 8, 0, 1, 999, tzinfo=UTC)
    feed = connector(url, clock=lambda: fetched)
    records, _ = run(feed)

    assert records[0].updated_at == fetched.replace(microsecond=0)
    assert outcome(feed, records)["offers"][0]["updated_at"] == "2026-05-06T08:00:01Z"


def test_record_without_time_is_rejected_when_the_mapping_allows_no_fallback(
    feed_server: FeedServer,
) -> None:
    offer = generated_offer(1)
    del offer["updated_at"]
    url = feed_server.route("/feed.json", Route(json.dumps({"offers": [offer]})))
    mapping = {
        "records": "offers",
        "id": "local_id",
        "updated_at": "updated_at",
        "updated_at_fallback": "none",
        "fields": {"title": "title", "url": "url"},
    }
    feed = connector(url, mapping=mapping)
    records, _ = run(feed)

    assert (
        outcome(feed, records)["rejected"][0]["message_de"] == "Änderungsdatum: Pflichtfeld fehlt"
    )


def test_link_header_paging(feed_server: FeedServer) -> None:
    def paged(request: Request) -> Route:
        if request.query == "p=2":
            return Route(json.dumps([generated_offer(2)]))
        link = '</api/items?p=2>; rel="next", </api/items?p=9>; rel="last"'
        return Route(json.dumps([generated_offer(1)]), headers={"Link": link})

    url = feed_server.route("/api/items", paged)
    mapping = {
        "records": "$",
        "id": "local_id",
        "fields": {"title": "title", "url": "url"},
        "paging": {"next_link": "header:link"},
    }
    records, _ = run(connector(url, mapping=mapping))
    assert [r.local_id for r in records] == ["gen-0001", "gen-0002"]


def test_topic_overrides_of_the_source_win_over_the_vocabulary(feed_server: FeedServer) -> None:
    offer = generated_offer(1) | {"categories_free_text": ["Zwergenclub"]}
    url = feed_server.route("/feed.json", Route(json.dumps({"offers": [offer]})))
    feed = connector(url, topic_overrides={"Zwergenclub": "begegnung"})
    records, _ = run(feed)

    assert outcome(feed, records)["offers"][0]["topics"] == ["begegnung"]


def test_relative_offer_links_are_made_absolute_against_the_page(feed_server: FeedServer) -> None:
    offer = generated_offer(1) | {"url": "/angebote/1"}
    url = feed_server.route("/api/feed.json", Route(json.dumps({"offers": [offer]})))
    feed = connector(url)
    records, _ = run(feed)

    assert outcome(feed, records)["offers"][0]["url"] == feed_server.url("/angebote/1")


# --- bad feeds -------------------------------------------------------------------------------


def test_malformed_json_is_a_permanent_error(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.json", Route('{"offers": [{"local_id": "a"'))
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert "kein gültiges JSON" in error.value.message_de


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<!DOCTYPE html><html><body>Willkommen</body></html>", "application/json"),
        ("<html><head><title>Login</title></head></html>", "text/html; charset=utf-8"),
        ("<div>Wartungsarbeiten</div>", "text/html"),
    ],
)
def test_web_page_instead_of_a_feed_is_refused(
    feed_server: FeedServer, body: str, content_type: str
) -> None:
    url = feed_server.route("/feed.json", Route(body, content_type=content_type))
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert error.value.message_de.startswith("Die Adresse liefert eine Webseite, keinen Feed")


def test_feed_without_the_records_list_is_refused(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.json", Route(json.dumps({"angebote": []})))
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert "„offers“" in error.value.message_de


def test_client_error_is_permanent(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.json", Route("nope", status=403))
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert "HTTP 403" in error.value.message_de


def test_empty_feed_yields_nothing_and_completes(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.json", Route(json.dumps({"offers": [], "next": None})))
    records, cursor = run(connector(url))
    assert records == [] and not cursor.not_modified


def test_record_that_is_not_an_object_becomes_a_rejection(feed_server: FeedServer) -> None:
    body = json.dumps({"offers": ["kaputt", generated_offer(2)]})
    url = feed_server.route("/feed.json", Route(body))
    feed = connector(url)
    records, _ = run(feed)
    result = outcome(feed, records)

    assert len(result["offers"]) == 1
    assert result["rejected"][0]["code"] == "record_shape"
    assert "kein Objekt" in result["rejected"][0]["message_de"]


# --- mapping engine --------------------------------------------------------------------------


def test_constants_defaults_list_shapes_and_transforms() -> None:
    mapping = load_mapping(
        {
            "id": "nr",
            "fields": {
                "title": {"path": "name", "transform": "strip"},
                "kind": {"value": "kurs"},
                "cost": {"path": "preis", "default": "unknown"},
                "languages": {"path": "sprache", "transform": "lower"},
                "summary": {"path": "zeilen[*]", "many": True, "transform": {"join": " / "}},
                "recurrence_text": {"path": "rhythmen", "transform": "first"},
                "url": {"path": "pfad", "transform": "absolute_url"},
                "accessibility": {
                    "path": "merkmale",
                    "transform": ["split", {"map": {"Rollstuhl": "wheelchair", "egal": None}}],
                },
            },
            "hints": {"age_text": "alter[*]"},
            "defaults": {"registration_required": True, "kind": "beratung"},
        }
    )
    record = {
        "nr": 5,
        "name": "  Babytreff ",
        "sprache": "DE",
        "zeilen": ["Dienstags", "im Familienzentrum"],
        "rhythmen": ["wöchentlich", "monatlich"],
        "pfad": "../angebote/5",
        "merkmale": "Rollstuhl; egal",
        "alter": ["ab 6 Monaten", "bis 3 Jahre"],
    }
    out = Extractor(mapping).to_offer(record, "https://www.stadt.de/api/feed.json", None)

    assert Extractor(mapping).local_id(record) == "5"
    assert out == {
        "title": "Babytreff",
        "kind": "kurs",
        "cost": "unknown",
        "languages": ["de"],
        "summary": "Dienstags / im Familienzentrum",
        "recurrence_text": "wöchentlich",
        "url": "https://www.stadt.de/angebote/5",
        "accessibility": ["wheelchair"],
        "age_text": "ab 6 Monaten, bis 3 Jahre",
        "registration_required": True,
    }


# --- configuration ---------------------------------------------------------------------------


def test_unknown_mapping_name_is_refused_at_registration() -> None:
    with pytest.raises(ValidationError, match="gibt es nicht"):
        JsonFeedConfig.model_validate({"url": "https://a.example/feed", "mapping": "nope"})


def test_mapping_file_name_cannot_leave_the_mappings_folder() -> None:
    with pytest.raises(ValidationError, match="Ungültiger Mapping-Name"):
        JsonFeedConfig.model_validate({"url": "https://a.example/", "mapping": "../vocab/kinds"})


def test_inline_mapping_with_an_unknown_field_is_refused() -> None:
    mapping = {"records": "items", "id": "id", "fields": {"titel": "title"}}
    with pytest.raises(ValidationError, match="not offer fields: titel"):
        JsonFeedConfig.model_validate({"url": "https://a.example/", "mapping": mapping})


def test_unknown_transform_is_refused() -> None:
    mapping = {"id": "id", "fields": {"title": {"path": "t", "transform": "zaubern"}}}
    with pytest.raises(ValidationError, match="unknown transform"):
        JsonFeedConfig.model_validate({"url": "https://a.example/", "mapping": mapping})


def test_topic_override_must_name_a_known_topic() -> None:
    raw = {"url": "https://a.example/", "mapping": "demo-json", "topic_overrides": {"X": "y"}}
    with pytest.raises(ValidationError, match="unknown topic codes: y"):
        JsonFeedConfig.model_validate(raw)


def test_json_feed_is_registered_under_its_kind() -> None:
    assert connector_class("json_feed") is JsonFeedConnector


def test_broken_jsonpath_is_refused_at_registration() -> None:
    mapping = {"records": "items", "id": "id", "fields": {"title": "a[?(@.x"}}
    with pytest.raises(ValidationError, match=re.escape("invalid path 'a[?(@.x'")):
        JsonFeedConfig.model_validate({"url": "https://a.example/", "mapping": mapping})
