"""The planners' page through the app on the real engine: German report, German refusals."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from hub.api.app import create_app
from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from hub.web.planning_page import band
from tests.hub.api.test_errors import call
from tests.support.accounts import clients_of, make_person
from tests.support.own_index import own_index

ADMIN = {"Authorization": "Bearer test-admin-token"}


@pytest.fixture(scope="module")
def app(services: None, settings: Settings) -> Iterator[FastAPI]:
    source = f"page-{uuid.uuid4().hex[:6]}"
    offers = [
        Offer(
            id=f"{source}:kurs",
            source_id=source,
            local_id="kurs",
            url="https://www.example.de/kurs",
            title="Krabbelgruppe Halver",
            topics=["begegnung"],
            age_min_months=6,
            age_max_months=24,
            updated_at="2026-11-01T10:00:00+01:00",
            locations=[{"ags": "05962012", "lat": 51.186, "lon": 7.499}],
        )
    ]
    with own_index(settings, "ppage", offers) as own:
        yield create_app(own)


def test_the_page_shows_the_heat_map_gaps_and_downloads(app: FastAPI) -> None:
    answer = call(app, "GET", "/planung", params={"gebiet": "05962"}, headers=ADMIN)
    assert answer.status_code == 200, answer.text[:500]
    html = answer.text
    assert "Märkischer Kreis" in html and "Abdeckung nach Thema und Alter" in html
    assert "Gemeindemittelpunkte" in html
    assert "/api/v1/planning/report.xlsx?area=05962" in html
    assert 'class="band-none"' in html and "(niemand)" in html  # colour plus words
    assert "Halver" in html and "Größte Lücken" in html
    assert (
        "Content-Security-Policy" in answer.headers or "content-security-policy" in answer.headers
    )


@pytest.mark.parametrize(
    ("params", "headers", "status", "text"),
    [
        ({"gebiet": "05999999"}, ADMIN, 422, "kein bekannter Gemeindeschlüssel"),
        ({"gebiet": "05962", "km": "viel"}, ADMIN, 422, "zwischen 0 und 100"),
        ({"gebiet": "<script>x</script>"}, ADMIN, 422, "kein bekannter"),
    ],
)
def test_bad_input_and_no_sign_in_are_german_pages(
    app: FastAPI, params: dict[str, str], headers: dict[str, str], status: int, text: str
) -> None:
    answer = call(app, "GET", "/planung", params=params, headers=headers)
    assert answer.status_code == status and text in answer.text
    assert "<script>x</script>" not in answer.text


def test_bands_name_the_share_in_words() -> None:
    assert [band(x)[1] for x in (0, 0.3, 0.6, 0.95, 1.0)] == [
        "niemand",
        "weniger als die Hälfte",
        "mehr als die Hälfte",
        "fast alle",
        "alle",
    ]


def test_without_sign_in_the_page_sends_to_the_sign_in(app: FastAPI) -> None:
    answer = call(app, "GET", "/planung", params={"gebiet": "05962"})
    assert answer.status_code == 303 and answer.headers["location"] == "/anmelden"


def test_a_signed_in_jugendamt_sees_its_own_area_and_nothing_else(app: FastAPI) -> None:
    engine = SearchEngine(app.state.settings)  # the app's own index set holds its people
    halver = make_person(engine, ags="05962012")
    for clients in clients_of(app):
        page = clients.signed_in(halver)
        own = page.get("/planung")  # no area given: the organisation's own municipalities
        assert own.status_code == 200, own.text[:300]
        assert "Halver" in own.text and "Abdeckung nach Thema und Alter" in own.text
        other = page.get("/planung", params={"gebiet": "05315000"})  # Köln
        assert other.status_code == 403 and "gehört nicht zu den Gemeinden" in other.text
        ministry = clients.signed_in(make_person(engine, ministry=True))
        assert ministry.get("/planung", params={"gebiet": "05315000"}).status_code == 200
