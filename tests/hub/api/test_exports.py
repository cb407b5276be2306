"""Export routes on the real engine: demo offers synced into the session's indices, then
downloaded through the app as CSV, GeoJSON and HSDS; filters checked against an oracle that
applies the search's filter rules in Python to the indexed documents.

Every synced title carries a unique token and every request searches for it (`q`), so offers
that other tests index into the same session prefix never count here.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hub.api.app import create_app
from hub.core.settings import Settings
from hub.dev.demo.fleet import demo_feeds, push_record
from hub.exports.hsds import hsds_id
from hub.ingest.runner import SyncRunner
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.feeds import FeedServer, Route
from tests.support.paths import HSDS_SCHEMA

with warnings.catch_warnings():
    # Starlette ≥1.x asks for its `httpx2` fork and warns (an error here) when it finds httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

FEEDS = ("bonn", "altena", "balve")  # 32 offers; Bonn has an online-only one
TOKEN = "exporttest" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:8])


@pytest.fixture(scope="module")
def synced(engine: SearchEngine, settings: Settings) -> list[dict[str, Any]]:
    """Sync the demo feeds (as push feeds) and return the indexed documents."""
    sources = []
    with FeedServer() as server:
        for feed in (f for f in demo_feeds() if f.source_id in FEEDS):
            source_id = f"export-{TOKEN[-8:]}-{feed.source_id}"
            records = []
            for record in feed.records:
                data = push_record(record)
                data["title"] = f"{data['title']} {TOKEN}"
                records.append(data)
            server.route(f"/{source_id}.json", Route(json.dumps({"offers": records})))
            SourceRegistry(engine).create(
                SourceInput(
                    id=source_id,
                    ags=feed.ags,
                    kind="push",
                    url=server.url(f"/{source_id}.json"),
                )
            )
            run = SyncRunner(settings, engine).run(source_id)
            assert run.counts.created == len(records), run
            sources.append(source_id)
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    body = {"size": 1000, "query": {"terms": {"source_id": sources}}}
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    docs = [h["_source"] for h in hits]
    assert len(docs) == 32
    return docs


@pytest.fixture(scope="module")
def client(synced: list[dict[str, Any]], settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def expected_ids(docs: list[dict[str, Any]], keep: Callable[[dict[str, Any]], bool]) -> set[str]:
    return {d["id"] for d in docs if keep(d)}


def in_ags(ags: str) -> Callable[[dict[str, Any]], bool]:
    """The search's place rule: held there, or online and serving it."""
    return lambda d: ags in d["location_ags"] or (d["online"] and ags in d["area_ags"])


def fits_age(age: int) -> Callable[[dict[str, Any]], bool]:
    def keep(d: dict[str, Any]) -> bool:
        lo, hi = d.get("age_min_months"), d.get("age_max_months")
        if lo is None and hi is None:
            return not d.get("pregnancy")  # open ends match; pregnancy-only offers do not
        return (lo is None or lo <= age) and (hi is None or hi >= age)

    return keep


def csv_ids(response: Any) -> list[str]:
    text = response.content.decode("utf-8-sig")
    return [row["Kennung"] for row in csv.DictReader(io.StringIO(text), delimiter=";")]


def test_export_paths_are_not_taken_for_offer_ids(client) -> None:
    """The export router must be included before the search router's `/{offer_id}`."""
    for name, media in (
        ("export.hsds.json", "application/json"),
        ("export.geojson", "application/geo+json"),
        ("export.csv", "text/csv"),
    ):
        response = client.get(f"/api/v1/offers/{name}", params={"q": TOKEN})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media)


def test_csv_export_has_every_match_and_download_headers(client, synced) -> None:
    response = client.get("/api/v1/offers/export.csv", params={"q": TOKEN})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    today = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    assert response.headers["content-disposition"] == (
        f'attachment; filename="familienhub-angebote-{today}.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert (response.headers["x-total-count"], response.headers["x-export-truncated"]) == (
        "32",
        "false",
    )
    assert sorted(csv_ids(response)) == sorted(d["id"] for d in synced)


def test_geojson_export_draws_located_places_and_counts_online_offers(client, synced) -> None:
    response = client.get("/api/v1/offers/export.geojson", params={"q": TOKEN})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert re.search(
        r'filename="familienhub-angebote-[\d-]{10}\.geojson"',
        response.headers["content-disposition"],
    )
    fc = response.json()
    located = [
        (d["id"], loc)
        for d in synced
        for loc in d["locations"]
        if loc.get("lat") is not None and loc.get("lon") is not None
    ]
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    assert len(fc["features"]) == len(located)
    without = sum(1 for d in synced if not any(loc.get("lat") for loc in d["locations"]))
    assert without >= 1  # Bonn's online-only offer
    assert (fc["offers"], fc["omitted_offers"]) == (32 - without, without)
    first_id, first_loc = located[0]
    (feature,) = [f for f in fc["features"] if f["id"] == f"{first_id}#0"]
    assert feature["geometry"]["coordinates"] == [first_loc["lon"], first_loc["lat"]]


def test_hsds_export_is_one_page_of_services_with_stable_ids(client, synced) -> None:
    response = client.get("/api/v1/offers/export.hsds.json", params={"q": TOKEN})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    page = response.json()
    assert (page["total_items"], page["size"], page["total_pages"]) == (32, 32, 1)
    assert page["first_page"] and page["last_page"] and not page["empty"]
    assert {s["id"] for s in page["contents"]} == {hsds_id("service", d["id"]) for d in synced}
    schemas = {p.name: json.loads(p.read_text("utf-8")) for p in HSDS_SCHEMA.glob("*.json")}
    registry = Registry().with_resources(
        (name, Resource.from_contents(schema, DRAFT202012)) for name, schema in schemas.items()
    )
    validator = Draft202012Validator(
        schemas["service.json"],
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    invalid = {s["name"]: [e.message for e in validator.iter_errors(s)] for s in page["contents"]}
    assert {name: errs for name, errs in invalid.items() if errs} == {}


@pytest.mark.parametrize(
    ("params", "oracle"),
    [
        ({"ags": "05962004"}, in_ags("05962004")),
        (
            {"ags": ["05962004", "05962008"]},
            lambda d: in_ags("05962004")(d) or in_ags("05962008")(d),
        ),
        ({"topic": "hebammen"}, lambda d: "hebammen" in d["topics"]),
        ({"age_months": 6}, fits_age(6)),
        (
            {"ags": "05314000", "topic": "entwicklung_foerderung"},
            lambda d: in_ags("05314000")(d) and "entwicklung_foerderung" in d["topics"],
        ),
    ],
    ids=["one-ags", "two-ags", "topic", "age", "ags-and-topic"],
)
def test_filters_apply_to_every_format(client, synced, params, oracle) -> None:
    expected = expected_ids(synced, oracle)
    assert expected and expected != {d["id"] for d in synced}  # the filter really narrows
    query = {"q": TOKEN, **params}
    as_csv = client.get("/api/v1/offers/export.csv", params=query)
    assert set(csv_ids(as_csv)) == expected
    assert as_csv.headers["x-total-count"] == str(len(expected))
    hsds = client.get("/api/v1/offers/export.hsds.json", params=query).json()
    assert {s["id"] for s in hsds["contents"]} == {hsds_id("service", i) for i in expected}
    geo = client.get("/api/v1/offers/export.geojson", params=query).json()
    assert {f["properties"]["id"] for f in geo["features"]} <= expected


def test_export_over_the_limit_is_cut_and_says_so(client, monkeypatch) -> None:
    monkeypatch.setattr("hub.api.exports.EXPORT_LIMIT", 5)
    response = client.get("/api/v1/offers/export.csv", params={"q": TOKEN})
    assert response.headers["x-export-truncated"] == "true"
    assert (response.headers["x-total-count"], response.headers["x-export-limit"]) == ("32", "5")
    assert len(csv_ids(response)) == 5
    page = client.get("/api/v1/offers/export.hsds.json", params={"q": TOKEN}).json()
    assert (page["total_items"], page["size"], page["total_pages"]) == (32, 5, 7)
    assert not page["last_page"]


def test_invalid_filter_is_a_422_not_a_broken_file(client) -> None:
    response = client.get("/api/v1/offers/export.csv", params={"age_months": 999})
    assert response.status_code == 422
