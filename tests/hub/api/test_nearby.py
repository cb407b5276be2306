"""The search API around a place of residence (`place`, `km`) and its `fallbacks`, on the judged
corpus indexed under a prefix of its own: distances checked against a haversine computed here,
the radius validated, and the list, map and CSV holding the same offers."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from hub.api.app import create_app
from hub.core.places import resolve_place
from hub.core.settings import Settings
from tests.support.own_index import own_index
from tests.support.relevance_corpus import documents, nearest_km, offers

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.services

ALTENA_BBOX = "7.2,51.0,8.1,51.6"
STREET_ZOOM = 18


@pytest.fixture(scope="module")
def client(services: None, settings: Settings) -> Iterator[TestClient]:
    with (
        own_index(settings, "nearby", offers()) as own,
        TestClient(create_app(own)) as test_client,
    ):
        yield test_client


def _get(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/offers", params={"size": 100, **params})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_place_and_km_give_the_town_first_then_neighbours_with_distances(
    client: TestClient,
) -> None:
    page = _get(client, place="Altena", km=15)
    assert page["place"]["label"] == "Altena"
    assert page["fallbacks"] == []
    matches = [hit["place_match"] for hit in page["hits"]]
    first_other = matches.index("nearby")
    assert first_other >= 5 and set(matches[:first_other]) == {"in_place"}
    assert "in_place" not in matches[first_other:]
    place = resolve_place("Altena")
    assert place is not None
    docs = documents()
    for hit in page["hits"]:
        expected = nearest_km(docs[hit["id"]], (place.lat, place.lon))
        assert expected is not None and expected <= 15.05
        assert hit["distance_km"] == pytest.approx(expected, abs=0.11), hit["title"]


def test_km_changes_the_set(client: TestClient) -> None:
    totals = [_get(client, place="Altena", km=km, size=1)["total"] for km in (3, 15, 40)]
    assert totals[0] < totals[1] < totals[2]
    assert _get(client, place="Altena", size=1)["total"] == totals[1]  # 15 km by default


@pytest.mark.parametrize("km", ["0", "101", "-5", "zehn", "nan"])
def test_a_bad_radius_is_refused_with_its_reason(client: TestClient, km: str) -> None:
    response = client.get("/api/v1/offers", params={"place": "Altena", "km": km})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request" and "km" in body["detail"]


def test_list_map_and_csv_hold_the_same_offers_around_the_place(client: TestClient) -> None:
    query = {"place": "Altena", "km": 10, "q": "krabbelgruppe"}
    page = _get(client, **query)
    ids = {hit["id"] for hit in page["hits"]}
    assert page["total"] == len(ids) > 1
    cells = client.get(
        "/api/v1/offers/clusters", params={**query, "bbox": ALTENA_BBOX, "zoom": STREET_ZOOM}
    ).json()
    located = {h["id"] for h in page["hits"] if not h.get("distance_approximate")}
    assert {cell["offer_id"] for cell in cells if cell.get("offer_id")} <= located
    assert sum(cell["count"] for cell in cells) == len(located)
    exported = client.get("/api/v1/offers/export.csv", params=query)
    text = exported.content.decode("utf-8-sig")
    assert {row["Kennung"] for row in csv.DictReader(io.StringIO(text), delimiter=";")} == ids


def test_a_search_without_hits_returns_marked_fallbacks(client: TestClient) -> None:
    page = _get(client, q="quokkaxylophon", place="Altena", size=10)
    assert page["total"] == 0
    by_kind = {f["kind"]: f for f in page["fallbacks"]}
    assert by_kind["relaxed"]["dropped"] == "q" and by_kind["relaxed"]["total"] > 0
    counselling = by_kind["youth_office"]
    assert counselling["place"] == "Altena" and counselling["hits"]
    assert all(hit["kind"] == "beratung" for hit in counselling["hits"])
    assert all(hit["distance_km"] is not None for hit in counselling["hits"])


def test_few_hits_suggest_a_larger_radius(client: TestClient) -> None:
    page = _get(client, place="Altena", km=5, topic="hebammen", size=10)
    assert page["total"] < 3
    nearby = [f for f in page["fallbacks"] if f["kind"] == "nearby"]
    assert len(nearby) == 1 and nearby[0]["radius_km"] == 25
    assert nearby[0]["total"] == _get(client, place="Altena", km=25, topic="hebammen")["total"]


def test_fallbacks_are_in_the_openapi_schema(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "fallbacks" in schemas["OffersPage"]["properties"]
    kinds = schemas["FallbackOut"]["properties"]["kind"]["enum"]
    assert kinds == ["relaxed", "nearby", "youth_office"]
