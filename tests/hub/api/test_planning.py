"""Planning routes through the app on the real engine and Redis: access, exports, bad input
in German, and search demand counted per day without anything personal."""

from __future__ import annotations

import io
import math
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook

from hub.api.app import create_app
from hub.api.planning import planning_principal
from hub.core.places import district_members
from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.planning.access import ADMIN, ALL, Principal, allowed_areas, organisation_principal
from tests.hub.api.test_errors import SHAPE, call
from tests.support.own_index import own_index

ADMIN_HEADERS = {"Authorization": "Bearer test-admin-token"}
ALTENA, ISERLOHN, ESSEN = "05962004", "05962024", "05113000"
OFFER_POINT = (51.2987, 7.6736)  # in Altena


@pytest.fixture(scope="module")
def app(services: None, settings: Settings) -> Iterator[FastAPI]:
    source = f"plan-{uuid.uuid4().hex[:6]}"
    offers = [
        Offer(
            id=f"{source}:hebamme",
            source_id=source,
            local_id="hebamme",
            url="https://www.example.de/hebamme",
            title="Familienhebamme Altena",
            topics=["hebammen"],
            age_min_months=0,
            age_max_months=12,
            updated_at="2026-11-01T10:00:00+01:00",
            locations=[{"ags": ALTENA, "lat": OFFER_POINT[0], "lon": OFFER_POINT[1]}],
        )
    ]
    with own_index(settings, "papi", offers) as own:
        application = create_app(own)
        yield application
        application.dependency_overrides.clear()


def test_the_ministry_sees_all_and_an_organisation_only_its_towns() -> None:
    assert allowed_areas(ADMIN) is ALL
    office = Principal("organisation", "Jugendamt Altena", frozenset({ALTENA}))
    assert allowed_areas(office) == frozenset({ALTENA})
    assert allowed_areas(organisation_principal("MKJFGFI", [], ministry=True)) is ALL
    kreis = organisation_principal("Kreisjugendamt", [ALTENA, ISERLOHN], ministry=False)
    assert allowed_areas(kreis) == frozenset({ALTENA, ISERLOHN})


def test_report_needs_the_admin_token(app: FastAPI) -> None:
    answer = call(app, "GET", "/api/v1/planning/report", params={"area": ALTENA})
    assert answer.status_code == 401 and set(answer.json()) == SHAPE
    assert "Anmeldung" in answer.json()["detail"]


def test_report_of_a_town_counts_its_offer(app: FastAPI) -> None:
    answer = call(
        app, "GET", "/api/v1/planning/report", params={"area": ALTENA}, headers=ADMIN_HEADERS
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    cell = next(
        c for c in body["cells"] if (c["topic"], c["age_group"]) == ("hebammen", "baby_0_1")
    )
    assert cell["offers"] == 1 and cell["reach"] == 1.0
    assert cell["per_10k"] == round(10_000 / 16_718, 2)  # Altena: 16,718 inhabitants
    assert "Gemeindemittelpunkte" in body["points_basis"]
    assert "keine Quelle" in body["notice"]  # no source registered for Altena


def test_a_youth_office_area_and_a_district_without_sources(app: FastAPI) -> None:
    office = call(
        app,
        "GET",
        "/api/v1/planning/report",
        params={"area": f"{ISERLOHN},{ALTENA}"},
        headers=ADMIN_HEADERS,
    ).json()
    assert office["area"]["kind"] == "office" and office["population"] == 92_174 + 16_718
    cell = next(
        c for c in office["cells"] if (c["topic"], c["age_group"]) == ("hebammen", "baby_0_1")
    )
    assert cell["reach"] == 1.0  # Iserlohn's centre is 8.6 km from the offer in Altena
    district = call(
        app, "GET", "/api/v1/planning/report", params={"area": "Kreis Unna"}, headers=ADMIN_HEADERS
    )
    assert district.status_code == 200
    body = district.json()
    assert body["area"]["code"] == "05978" and body["sources"] == 0
    assert "keine Quelle" in body["notice"]
    assert all(c["offers"] == 0 and c["reach"] == 0 for c in body["cells"])


@pytest.mark.parametrize(
    ("params", "status", "word"),
    [
        ({"area": "05999999"}, 422, "Gemeindeschlüssel"),
        ({"area": "Atlantis"}, 422, "Gemeindeschlüssel"),
        ({"area": ALTENA, "km": "-3"}, 422, "km"),
        ({"area": ALTENA, "km": "abc"}, 422, "km"),
    ],
)
def test_bad_input_is_a_german_4xx(
    app: FastAPI, params: dict[str, str], status: int, word: str
) -> None:
    answer = call(app, "GET", "/api/v1/planning/report", params=params, headers=ADMIN_HEADERS)
    assert answer.status_code == status and set(answer.json()) == SHAPE
    assert word in answer.json()["detail"]


def test_another_organisations_area_is_refused(app: FastAPI) -> None:
    office = Principal("organisation", "Jugendamt Altena", frozenset({ALTENA}))
    app.dependency_overrides[planning_principal] = lambda: office
    try:
        own = call(app, "GET", "/api/v1/planning/report", params={"area": ALTENA})
        other = call(app, "GET", "/api/v1/planning/report.csv", params={"area": ESSEN})
        mixed = call(app, "GET", "/api/v1/planning/trend", params={"area": f"{ALTENA},{ISERLOHN}"})
    finally:
        app.dependency_overrides.clear()
    assert own.status_code == 200
    for refused in (other, mixed):
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
        assert "nicht zu den Gemeinden Ihrer Organisation" in refused.json()["detail"]


def test_csv_and_xlsx_carry_the_matrix(app: FastAPI) -> None:
    csv_answer = call(
        app, "GET", "/api/v1/planning/report.csv", params={"area": "05962"}, headers=ADMIN_HEADERS
    )
    assert csv_answer.status_code == 200
    text = csv_answer.content.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header.startswith("Thema;Altersgruppe;Angebote vor Ort")
    assert any(r.startswith("Hebammen;Baby (0–12 Monate);1;0;") for r in rows)
    xlsx = call(
        app, "GET", "/api/v1/planning/report.xlsx", params={"area": "05962"}, headers=ADMIN_HEADERS
    )
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Matrix", "Lücken", "Vergleich", "Hinweise"]
    gaps = list(book["Lücken"].iter_rows(values_only=True))
    # the towns whose centre lies more than 10 km from the offer, largest first (haversine)
    far = sorted(
        (m for m in district_members("05962") if _km(m.lat, m.lon, *OFFER_POINT) > 10),
        key=lambda m: -m.population,
    )
    midwife_gaps = [r for r in gaps[1:] if r[2] == "Hebammen" and r[3] == "Baby (0–12 Monate)"]
    assert [r[0] for r in midwife_gaps] == [m.ags for m in far]
    assert midwife_gaps[0][:2] == ("05962040", "Menden (Sauerland)")  # 52,608, 17.8 km away
    matrix = list(book["Matrix"].iter_rows(values_only=True))
    row = next(r for r in matrix if r[:2] == ("Hebammen", "Baby (0–12 Monate)"))
    population = sum(m.population for m in district_members("05962"))
    reached = population - sum(m.population for m in far)
    assert row[6] == round(reached / population, 4)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def test_a_month_without_snapshot_is_a_german_404(app: FastAPI) -> None:
    answer = call(
        app,
        "GET",
        "/api/v1/planning/trend",
        params={"area": ALTENA, "month": "2019-02"},
        headers=ADMIN_HEADERS,
    )
    assert answer.status_code == 404 and set(answer.json()) == SHAPE
    assert "Monatsst" in answer.json()["detail"]
    bad = call(
        app,
        "GET",
        "/api/v1/planning/trend",
        params={"area": ALTENA, "month": "2019-13"},
        headers=ADMIN_HEADERS,
    )
    assert bad.status_code == 422


def test_demand_counts_searches_and_hides_rare_texts(app: FastAPI) -> None:
    for _ in range(5):
        call(app, "GET", "/api/v1/offers", params={"q": "Zauberwürfelkurs", "topic": "hebammen"})
    for _ in range(2):
        call(app, "GET", "/api/v1/offers", params={"q": "seltenes Wort", "place": "Altena"})
    call(app, "GET", "/api/v1/offers", params={"q": "Zauberwürfelkurs", "page": "2"})  # paging
    answer = call(app, "GET", "/api/v1/planning/demand", headers=ADMIN_HEADERS)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["by"]["zero"]["zauberwuerfelkurs"] == 5
    assert "seltenes wort" not in body["by"].get("zero", {})
    assert body["hidden_queries"]["zero"] >= 1
    assert body["by"]["topic"]["hebammen"] >= 5
    assert body["by"]["place"][ALTENA] >= 2
    assert body["total"] >= 7
    assert (
        call(
            app, "GET", "/api/v1/planning/demand", params={"k": "2"}, headers=ADMIN_HEADERS
        ).status_code
        == 422
    )
