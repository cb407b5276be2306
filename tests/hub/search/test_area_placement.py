"""An offer whose page names no venue is served in its source's area, on the real engine.

A Gummersbach youth office posts prose without an address: the municipality, place and
district filters find it, a distance search measures to Gummersbach's centre and every view
says the distance is approximate ("ca."). Nothing becomes online by lacking a place.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from hub.api.app import create_app
from hub.core.places import municipality
from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.ingest.normalise import normalise_record
from hub.search.engine import SearchEngine
from hub.search.query import Near, SearchRequest
from hub.search.runner import SearchPage, run_search
from tests.hub.web.conftest import fetch
from tests.support.own_index import own_index

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.services

GUMMERSBACH, OBERBERG, KOELN = "05374012", "05374", "05315000"
TOKEN = "Zaunkoenigtreff"  # only these offers hold it, so the session's other data stays out


def _record(local_id: str, description: str, source_ags: list[str], **extra: Any) -> Offer:
    mapped = {
        "title": f"{TOKEN} {local_id}",
        "description": description,
        "url": f"https://www.gummersbach.de/familie/{local_id}",
        "updated_at": "2026-03-01T10:00:00+01:00",
        **extra,
    }
    result = normalise_record("area-test", local_id, mapped, source_ags=source_ags)
    assert result.offer is not None, result.rejection
    return result.offer


def _offers() -> list[Offer]:
    return [
        _record(
            "elterncafe",
            "<p>Jeden Mittwoch treffen sich Eltern mit Babys zum Austausch.</p>",
            [GUMMERSBACH],
        ),
        _record(
            "koeln",
            "<p>Ort: Familienzentrum Domblick, Domstraße 1, 50668 Köln.</p>",
            [KOELN],
        ),
        _record("nirgends", "<p>Ein Angebot ohne Ort und ohne Gebiet.</p>", []),
        _record("video", "<p>Beratung per Video.</p>", [GUMMERSBACH], online=True),
    ]


@pytest.fixture(scope="module")
def own_settings(services: None, settings: Settings) -> Iterator[Settings]:
    with own_index(settings, "area", _offers()) as own:
        yield own


@pytest.fixture(scope="module")
def engine(own_settings: Settings) -> Iterator[SearchEngine]:
    found = SearchEngine(own_settings)
    yield found
    found.close()


def _run(engine: SearchEngine, **fields: Any) -> SearchPage:
    return run_search(engine, SearchRequest.model_validate({"q": TOKEN, **fields}))


def _ids(page: SearchPage) -> set[str]:
    return {hit.offer["local_id"] for hit in page.hits}


def test_offer_without_venue_or_area_is_not_made_online() -> None:
    by_id = {offer.local_id: offer for offer in _offers()}
    assert not by_id["nirgends"].online and not by_id["elterncafe"].online
    assert by_id["elterncafe"].locations == [] and by_id["elterncafe"].area_ags == [GUMMERSBACH]


def test_municipality_filter_finds_the_offer_without_venue(engine: SearchEngine) -> None:
    assert _ids(_run(engine, municipality=[GUMMERSBACH])) == {"elterncafe", "video"}


def test_place_name_finds_the_offer_without_venue(engine: SearchEngine) -> None:
    assert "elterncafe" in _ids(_run(engine, place="Gummersbach"))
    assert "elterncafe" not in _ids(_run(engine, place="Köln"))


def test_district_filter_and_district_place_find_the_offer_without_venue(
    engine: SearchEngine,
) -> None:
    assert _ids(_run(engine, district=[OBERBERG])) == {"elterncafe", "video"}
    assert "elterncafe" in _ids(_run(engine, place="Oberbergischer Kreis"))


def test_distance_search_measures_to_the_area_centre_and_says_so(engine: SearchEngine) -> None:
    centre = municipality(GUMMERSBACH)
    assert centre is not None
    near = Near(lat=centre.lat + 0.02, lon=centre.lon, km=10)  # ~2.2 km north of the centre
    page = _run(engine, near=near, sort="distance")
    assert _ids(page) == {"elterncafe"}  # the online offer has no point, Köln is 45 km away
    hit = page.hits[0]
    assert hit.distance_approximate and hit.distance_km is not None
    assert 1.5 < hit.distance_km < 3


def test_an_offer_with_its_own_venue_is_not_approximate(engine: SearchEngine) -> None:
    page = _run(engine, place="Köln")
    hit = next(h for h in page.hits if h.offer["local_id"] == "koeln")
    assert hit.distance_km is not None and not hit.distance_approximate


def test_no_place_filter_finds_the_offer_without_venue_or_area(engine: SearchEngine) -> None:
    assert "nirgends" in _ids(_run(engine))
    for place in ("Gummersbach", "Köln", "Oberbergischer Kreis"):
        assert "nirgends" not in _ids(_run(engine, place=place))


def test_api_hit_and_result_page_call_the_distance_approximate(own_settings: Settings) -> None:
    app = create_app(own_settings)
    with TestClient(app) as client:
        answer = client.get("/api/v1/offers", params={"q": TOKEN, "place": "Gummersbach"})
    assert answer.status_code == 200, answer.text
    hits = {hit["local_id"]: hit for hit in answer.json()["hits"]}
    assert hits["elterncafe"]["distance_approximate"] is True
    assert hits["elterncafe"]["distance_km"] is not None
    page = fetch(app, f"/?q={TOKEN}&place=Gummersbach&lang=de")
    assert page.status_code == 200
    assert re.search(r"Gummersbach <span class=\"distance\">\(ca\. \d+,\d km entfernt\)", page.text)


def test_map_draws_no_marker_at_the_area_centre(own_settings: Settings) -> None:
    with TestClient(create_app(own_settings)) as client:
        cells = client.get(
            "/api/v1/offers/clusters",
            params={"q": TOKEN, "bbox": "5.8,50.3,9.5,52.6", "zoom": 12},
        )
    assert cells.status_code == 200, cells.text
    assert {cell.get("offer_id") for cell in cells.json()} == {"area-test:koeln"}
