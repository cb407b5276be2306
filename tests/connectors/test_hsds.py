"""HSDS 3.0 connector: official and UK-profile examples (API and CSV) end to end, golden files.

Set UPDATE_GOLDEN=1 to rewrite the `<case>.expected.json` files after a deliberate change; review
the diff before committing it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from connectors.hsds import HsdsConfig, HsdsConnector
from connectors.sdk.base import RawRecord, SourceContext
from connectors.sdk.paging import RetryPolicy
from hub.core.errors import PermanentFetchError, RecordError, TransientFetchError
from tests.support.connectors import local_fetcher, normalise_all, run
from tests.support.feeds import FeedServer, Request, Route
from tests.support.golden import assert_golden_parts
from tests.support.paths import FIXTURES

FIXTURES = FIXTURES / "hsds"
CONTEXT = SourceContext(source_id="koeln-hsds", ags=("05315000",), name="Stadt Köln")
NO_WAIT = RetryPolicy(attempts=3, sleep=lambda _seconds: None)


# --- harness ---------------------------------------------------------------------------------


def connector(url: str, **config: Any) -> HsdsConnector:
    parsed = HsdsConfig.model_validate({"url": url, **config})
    hsds = HsdsConnector(parsed, local_fetcher(), CONTEXT)
    hsds.retry = NO_WAIT
    return hsds


def outcome(hsds: HsdsConnector, records: list[RawRecord]) -> dict[str, Any]:
    """Offers, rejections and deletions of one run, as the golden files record them."""
    offers, rejections = normalise_all(hsds, records, skip_deleted=True)
    rejected = [{"local_id": r.local_id, "code": r.code} for r in rejections]
    deleted = [r.local_id for r in records if r.deleted]
    return {"offers": offers, "rejected": rejected, "deleted": deleted}


def assert_golden(case: str, got: dict[str, Any]) -> None:
    assert_golden_parts(FIXTURES / f"{case}.expected.json", got)


def fixture(case: str, name: str) -> str:
    return (FIXTURES / case / name).read_text(encoding="utf-8")


def serve_api(server: FeedServer, case: str, pages: list[str], details: dict[str, str]) -> str:
    """List pages by `page` query parameter and one detail file per service id."""

    def listing(request: Request) -> Route:
        page = int(parse_qs(request.query).get("page", ["1"])[0])
        return Route(fixture(case, pages[page - 1]))

    server.route("/hsds/services", listing)
    for service_id, name in details.items():
        server.route(f"/hsds/services/{service_id}", Route(fixture(case, name)))
    return server.url("/hsds/")


def serve_package(server: FeedServer, case: str) -> str:
    for file in (FIXTURES / case).iterdir():
        kind = "application/json" if file.suffix == ".json" else "text/csv; charset=utf-8"
        server.route(f"/pkg/{file.name}", Route(file.read_bytes(), content_type=kind))
    return server.url("/pkg/datapackage.json")


OFFICIAL_ID = "ac148810-d857-441c-9679-408f346de14b"
NRW_IDS = {
    "6f1c2f4e-3b1a-4c89-9a51-0d1e8f7b2a10": "service_6f1c2f4e.json",
    "9b2d7c1a-58e4-4f0b-8d3e-6a7c2b1e4f90": "service_9b2d7c1a.json",
    "c3a8e5d2-7f61-4b9a-b2c4-1e0d9f8a7b65": "service_c3a8e5d2.json",
    "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b": "service_e1f2a3b4.json",
}


# --- golden cases ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["api_official", "api_uk"])
def test_official_api_examples_become_offers(server: FeedServer, case: str) -> None:
    url = serve_api(server, case, ["service_list.json"], {OFFICIAL_ID: "service_full.json"})
    hsds = connector(url)
    records, _ = run(hsds)
    assert [r.local_id for r in records] == [OFFICIAL_ID]
    assert_golden(case, outcome(hsds, records))


@pytest.mark.parametrize("case", ["tabular_official", "tabular_uk"])
def test_official_csv_data_packages_become_offers(server: FeedServer, case: str) -> None:
    hsds = connector(serve_package(server, case), form="datapackage")
    records, _ = run(hsds)
    assert [r.local_id for r in records] == [OFFICIAL_ID]
    assert_golden(case, outcome(hsds, records))


def test_csv_and_api_forms_of_the_same_example_agree_on_the_offer(server: FeedServer) -> None:
    api = serve_api(
        server, "api_official", ["service_list.json"], {OFFICIAL_ID: "service_full.json"}
    )
    via_api = outcome(connector(api), run(connector(api))[0])["offers"][0]
    tabular = connector(serve_package(server, "tabular_official"), form="datapackage")
    via_csv = outcome(tabular, run(tabular)[0])["offers"][0]
    # the CSV example's metadata row belongs to another resource and its attribute links
    # another service id, so only those two fields may differ
    same = {k for k in via_api if k not in {"categories", "topics"}}
    assert {k: via_api[k] for k in same} == {k: via_csv[k] for k in same}


def test_nrw_feed_maps_ages_languages_costs_schedules_and_areas(server: FeedServer) -> None:
    url = serve_api(server, "api_nrw", ["services_page1.json", "services_page2.json"], NRW_IDS)
    hsds = connector(url, per_page=2)
    records, cursor = run(hsds)
    assert_golden("api_nrw", outcome(hsds, records))
    assert cursor.position == {"modified_after": "2024-05-10T09:00:00+00:00"}
    assert cursor.etag is None  # page 1's validators do not cover page 2


# --- behaviour -------------------------------------------------------------------------------


def test_incremental_run_asks_only_for_services_modified_since_the_cursor(
    server: FeedServer,
) -> None:
    url = serve_api(server, "api_nrw", ["services_page1.json", "services_page2.json"], NRW_IDS)
    hsds = connector(url, per_page=2)
    _, cursor = run(hsds)
    server.requests.clear()
    empty = {"total_items": 0, "total_pages": 0, "page_number": 1, "contents": []}
    server.route("/hsds/services", Route(json.dumps(empty)))
    records, after = run(hsds, cursor)
    assert records == []
    query = parse_qs(server.requests[0].query)
    assert query["modified_after"] == ["2024-05-10T09:00:00+00:00"]
    assert after.position == cursor.position


def test_unchanged_single_page_feed_costs_one_conditional_request(server: FeedServer) -> None:
    body = fixture("api_official", "service_list.json")

    def listing(request: Request) -> Route:
        if request.headers.get("if-none-match") == '"v1"':
            return Route(status=304)
        return Route(body, headers={"ETag": '"v1"'})

    server.route("/hsds/services", listing)
    server.route(
        f"/hsds/services/{OFFICIAL_ID}", Route(fixture("api_official", "service_full.json"))
    )
    hsds = connector(server.url("/hsds"))
    _, cursor = run(hsds)
    assert cursor.etag == '"v1"'
    server.requests.clear()
    records, again = run(hsds, cursor)
    assert records == [] and again.not_modified
    assert len(server.requests) == 1


def test_unchanged_data_package_is_not_modified_and_a_changed_table_is_read_again(
    server: FeedServer,
) -> None:
    url = serve_package(server, "tabular_official")
    for path, route in list(server.routes.items()):
        assert isinstance(route, Route)
        tag = f'"{path}"'
        server.route(path, _etagged(route, tag))
    hsds = connector(url, form="datapackage")
    _, cursor = run(hsds)
    assert cursor.position == {}  # a data package run is always a full run
    assert cursor.etag is not None
    assert len(json.loads(cursor.etag.removeprefix("hsds-datapackage:"))) == 15  # + 14 tables
    records, again = run(hsds, cursor)
    assert records == [] and again.not_modified
    server.route("/pkg/services.csv", Route(fixture("tabular_official", "services.csv")))
    records, _ = run(hsds, cursor)
    assert [r.local_id for r in records] == [OFFICIAL_ID]


def _etagged(route: Route, tag: str) -> Callable[[Request], Route]:
    def answer(request: Request) -> Route:
        if request.headers.get("if-none-match") == tag:
            return Route(status=304)
        return Route(route.body, headers={"ETag": tag}, content_type=route.content_type)

    return answer


def test_list_without_full_services_fetches_each_detail_once(server: FeedServer) -> None:
    url = serve_api(server, "api_nrw", ["services_page1.json", "services_page2.json"], NRW_IDS)
    run(connector(url, per_page=2))
    for service_id in NRW_IDS:
        assert server.hits(f"/hsds/services/{service_id}") == 1
    assert server.hits("/hsds/services") == 2


def test_full_listing_skips_detail_requests(server: FeedServer) -> None:
    full = json.loads(fixture("api_official", "service_full.json"))
    page = {"total_items": 1, "total_pages": 1, "page_number": 1, "contents": [full]}
    server.route("/hsds/services", Route(json.dumps(page)))
    records, _ = run(connector(server.url("/hsds"), full_listing=True))
    assert [r.local_id for r in records] == [OFFICIAL_ID]
    assert parse_qs(server.requests[0].query)["full"] == ["true"]
    assert server.hits(f"/hsds/services/{OFFICIAL_ID}") == 0


def test_service_that_vanished_before_its_detail_request_is_skipped(server: FeedServer) -> None:
    url = serve_api(server, "api_official", ["service_list.json"], {})
    records, _ = run(connector(url))
    assert records == []


def test_generated_large_feed_is_paged_and_a_failing_page_is_retried_alone(
    server: FeedServer,
) -> None:
    full = json.loads(fixture("api_official", "service_full.json"))
    failures = {"left": 1}

    def listing(request: Request) -> Route:
        page = int(parse_qs(request.query)["page"][0])
        if page == 3 and failures["left"]:
            failures["left"] -= 1
            return Route(status=503)
        items = [{**full, "id": f"svc-{page}-{i}"} for i in range(50)]
        body = {"total_items": 250, "total_pages": 5, "page_number": page, "contents": items}
        return Route(json.dumps(body))

    server.route("/hsds/services", listing)
    records, _ = run(connector(server.url("/hsds"), per_page=50))
    assert len(records) == 250 and len({r.local_id for r in records}) == 250
    pages = [parse_qs(r.query)["page"][0] for r in server.requests]
    assert pages == ["1", "2", "3", "3", "4", "5"]


def test_service_without_any_url_is_a_rejection_not_a_failed_feed(server: FeedServer) -> None:
    url = serve_api(server, "api_nrw", ["services_page1.json", "services_page2.json"], NRW_IDS)
    hsds = connector(url, per_page=2)
    records, _ = run(hsds)
    bad = next(r for r in records if r.local_id.startswith("e1f2"))
    with pytest.raises(RecordError) as info:
        hsds.to_offer(bad)
    assert info.value.code == "missing_url"
    assert "Web-Adresse" in info.value.message_de


def test_url_template_gives_services_without_url_the_municipality_page(server: FeedServer) -> None:
    url = serve_api(server, "api_nrw", ["services_page1.json", "services_page2.json"], NRW_IDS)
    hsds = connector(url, per_page=2, url_template="https://www.stadt-koeln.de/angebote/{id}")
    records, _ = run(hsds)
    bad = next(r for r in records if r.local_id.startswith("e1f2"))
    assert hsds.to_offer(bad)["url"] == f"https://www.stadt-koeln.de/angebote/{bad.local_id}"


# --- bad feeds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "words"),
    [
        (Route('{"contents": [', content_type="application/json"), "kein gültiges JSON"),
        (Route("<!doctype html><title>Login</title>", content_type="text/html"), "HTML-Seite"),
        (Route("<html><body>Wartung</body></html>", content_type="application/json"), "HTML-Seite"),
        (Route('{"items": []}'), "contents"),
        (Route('{"error": "not found"}', status=404), "HTTP 404"),
    ],
    ids=["malformed", "html", "html-as-json", "wrong-shape", "404"],
)
def test_bad_api_answers_fail_the_run_with_a_german_reason(
    server: FeedServer, route: Route, words: str
) -> None:
    server.route("/hsds/services", route)
    with pytest.raises(PermanentFetchError) as info:
        run(connector(server.url("/hsds")))
    assert words in info.value.message_de


def test_server_error_is_retried_then_reported_as_transient(server: FeedServer) -> None:
    server.route("/hsds/services", Route("oops", status=500, content_type="text/plain"))
    with pytest.raises(TransientFetchError):
        run(connector(server.url("/hsds")))
    assert server.hits("/hsds/services") == NO_WAIT.attempts


@pytest.mark.parametrize(
    ("package", "words"),
    [
        ('{"name": "x"}', "resources"),
        ('{"resources": [{"name": "organization", "path": "o.csv"}]}', "service"),
    ],
    ids=["no-resources", "no-service-table"],
)
def test_data_package_without_service_table_fails(
    server: FeedServer, package: str, words: str
) -> None:
    server.route("/pkg/datapackage.json", Route(package))
    with pytest.raises(PermanentFetchError) as info:
        run(connector(server.url("/pkg/datapackage.json"), form="datapackage"))
    assert words in info.value.message_de


def test_semicolon_csv_with_bom_as_written_by_excel_is_read(server: FeedServer) -> None:
    url = serve_package(server, "tabular_official")
    package = json.loads(fixture("tabular_official", "datapackage.json"))
    service = next(r for r in package["resources"] if r["name"] == "service")
    service["dialect"] = {"delimiter": ";"}
    server.route("/pkg/datapackage.json", Route(json.dumps(package)))
    rows = list(csv.reader(io.StringIO(fixture("tabular_official", "services.csv"))))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    body = "\ufeff" + out.getvalue()
    server.route("/pkg/services.csv", Route(body, content_type="text/csv; charset=utf-8"))
    hsds = connector(url, form="datapackage")
    records, _ = run(hsds)
    assert [r.local_id for r in records] == [OFFICIAL_ID]
    assert hsds.to_offer(records[0])["title"] == "Community Counselling"


def test_data_package_whose_table_is_an_html_page_fails(server: FeedServer) -> None:
    url = serve_package(server, "tabular_official")
    server.route("/pkg/services.csv", Route("<!DOCTYPE html><p>404</p>", content_type="text/html"))
    with pytest.raises(PermanentFetchError) as info:
        run(connector(url, form="datapackage"))
    assert "HTML-Seite statt einer CSV-Datei" in info.value.message_de


def test_missing_csv_table_fails_the_run(server: FeedServer) -> None:
    url = serve_package(server, "tabular_official")
    del server.routes["/pkg/locations.csv"]
    with pytest.raises(PermanentFetchError) as info:
        run(connector(url, form="datapackage"))
    assert "HTTP 404" in info.value.message_de


def test_every_fixture_is_used() -> None:
    """Each case folder and golden file on disk is named by a test in this module."""
    source = Path(__file__).read_text(encoding="utf-8")
    cases = {p.name.removesuffix(".expected.json") for p in FIXTURES.iterdir()}
    cases -= {"README.md", "LICENSE.txt"}
    assert {c for c in cases if f'"{c}"' not in source} == set()
