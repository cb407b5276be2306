"""The result list, its map clusters and its exports answer one prepared search.

A misspelled query with a place of residence ("hebame", Essen) is corrected by the list
("hebamme"); the corrected word also finds the offer that only says "Geburtshelferin" (a
synonym), which the raw typo never would. Map and CSV must show exactly the list's offers.
The offers live under an index prefix of their own, so nothing else indexed in the session
counts here.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from hub.api.app import create_app
from hub.core.schema import Offer
from hub.core.settings import Settings
from tests.support.own_index import own_index

with warnings.catch_warnings():
    # Starlette ≥1.x asks for its `httpx2` fork and warns (an error here) when it finds httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.services

ESSEN, KOELN = "05113000", "05315000"
ESSEN_BBOX = "6.89,51.34,7.14,51.54"
STREET_ZOOM = 16  # cells of ~150 m: every offer below (≥ 1 km apart) is a cell of its own

# (local id, title, summary, ags, lat, lon)
OFFERS_IN_TEST = [
    ("hebamme", "Familienhebamme – Besuche zu Hause", "Eine Hebamme besucht junge Familien.",
     ESSEN, 51.4556, 7.0116),
    ("geburtshelferin", "Geburtshelferin im Stadtteil", "Sprechstunde für werdende Mütter.",
     ESSEN, 51.4700, 7.0400),
    ("nachsorge", "Hebamme für die Nachsorge", "Die Hebamme kommt nach der Geburt.",
     ESSEN, 51.4300, 6.9800),
    ("babymassage", "Babymassage-Kurs", "Sanfte Massage für Babys.", ESSEN, 51.4900, 7.0900),
    ("koeln", "Hebamme in Köln", "Eine Hebamme für Köln.", KOELN, 50.9375, 6.9603),
]  # fmt: skip
QUERY = {"q": "hebame", "place": "Essen"}


def _offers(source: str) -> list[Offer]:
    return [
        Offer(
            id=f"{source}:{local}",
            local_id=local,
            source_id=source,
            url=f"https://www.example-kommune.de/angebote/{local}",
            updated_at="2026-03-01T10:00:00+01:00",
            title=title,
            summary=summary,
            topics=["hebammen"],
            locations=[{"city": "Ort", "ags": ags, "lat": lat, "lon": lon}],
            area_ags=[ags],
        )
        for local, title, summary, ags, lat, lon in OFFERS_IN_TEST
    ]


@pytest.fixture(scope="module")
def own_settings(services: None, settings: Settings) -> Iterator[Settings]:
    """The session's settings under a sub-prefix holding only this module's offers."""
    with own_index(settings, "agree", _offers("agree")) as own:
        yield own


@pytest.fixture(scope="module")
def client(own_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(own_settings)) as test_client:
        yield test_client


def _csv_ids(response: Any) -> set[str]:
    text = response.content.decode("utf-8-sig")
    return {row["Kennung"] for row in csv.DictReader(io.StringIO(text), delimiter=";")}


def test_list_map_and_csv_agree_on_a_corrected_query_with_a_place(client: TestClient) -> None:
    listed = client.get("/api/v1/offers", params={**QUERY, "size": 100})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["did_you_mean"] == "hebamme"
    list_ids = {hit["id"] for hit in page["hits"]}
    assert list_ids == {"agree:hebamme", "agree:geburtshelferin", "agree:nachsorge"}
    assert page["total"] == len(list_ids)

    cells = client.get(
        "/api/v1/offers/clusters", params={**QUERY, "bbox": ESSEN_BBOX, "zoom": STREET_ZOOM}
    )
    assert cells.status_code == 200, cells.text
    assert {cell["offer_id"] for cell in cells.json()} == list_ids
    assert sum(cell["count"] for cell in cells.json()) == page["total"]

    exported = client.get("/api/v1/offers/export.csv", params=QUERY)
    assert exported.status_code == 200, exported.text
    assert _csv_ids(exported) == list_ids
    assert exported.headers["x-total-count"] == str(page["total"])


def test_geojson_and_hsds_exports_hold_the_lists_offers(client: TestClient) -> None:
    list_ids = {h["id"] for h in client.get("/api/v1/offers", params=QUERY).json()["hits"]}
    geo = client.get("/api/v1/offers/export.geojson", params=QUERY).json()
    assert {feature["properties"]["id"] for feature in geo["features"]} == list_ids
    hsds = client.get("/api/v1/offers/export.hsds.json", params=QUERY).json()
    assert hsds["total_items"] == len(list_ids) == 3
