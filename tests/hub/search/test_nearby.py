"""A place of residence means nearby, and a search that finds little is never a dead end: the
judged corpus (its Märkischer Kreis: Altena, Lüdenscheid, Iserlohn, Balve, …) on the real
engine, with expected sets and distances computed here from the offers' own coordinates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.core.places import resolve_place
from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.dev.relevance import index_offers
from hub.search.engine import SearchEngine
from hub.search.request import SearchRequest
from hub.search.runner import SearchPage, run_search
from tests.support.own_index import own_index
from tests.support.relevance_corpus import (
    documents,
    haversine_km,
    nearest_km,
    offers,
    shown_documents,
)

pytestmark = pytest.mark.services

ALTENA = "05962004"
MAERKISCHER_KREIS = "05962"
ALL = 100


@pytest.fixture(scope="module")
def corpus(settings: Settings) -> Iterator[tuple[SearchEngine, str]]:
    engine = SearchEngine(settings)
    index = index_offers(engine, offers())
    try:
        yield engine, index
    finally:
        engine.request("DELETE", f"/{index}")
        engine.close()


def _run(corpus: tuple[SearchEngine, str], **fields: object) -> SearchPage:
    engine, index = corpus
    return run_search(engine, SearchRequest.model_validate({"size": ALL, **fields}), index=index)


def _origin() -> tuple[float, float]:
    place = resolve_place("Altena")
    assert place is not None
    return place.lat, place.lon


def _expected_around_altena(km: float) -> set[str]:
    """Offers with a location in Altena or a point within `km`, or online for its district."""
    origin = _origin()
    out = set()
    for offer_id, doc in shown_documents().items():  # each duplicate once
        distance = nearest_km(doc, origin)
        there = ALTENA in doc["location_ags"]
        near = distance is not None and distance <= km
        online_here = bool(doc["online"]) and MAERKISCHER_KREIS in doc["district_ags"]
        if there or near or online_here:
            out.add(offer_id)
    return out


def test_altena_within_15_km_is_altena_first_then_its_neighbours_with_distances(
    corpus: tuple[SearchEngine, str],
) -> None:
    page = _run(corpus, place="Altena")
    assert page.place is not None and page.place.label == "Altena"
    ids = [hit.offer["id"] for hit in page.hits]
    assert page.total < ALL and set(ids) == _expected_around_altena(15)
    matches = [hit.place_match for hit in page.hits]
    in_altena = matches.count("in_place")
    assert in_altena >= 5 and matches[:in_altena] == ["in_place"] * in_altena
    towns = {loc["city"] for hit in page.hits[in_altena:] for loc in hit.offer["locations"]}
    assert {"Lüdenscheid", "Iserlohn", "Neuenrade", "Balve"} <= towns
    assert not towns & {"Köln", "Essen", "Unna"}
    docs = documents()
    for hit in page.hits:
        expected = nearest_km(docs[hit.offer["id"]], _origin())
        assert hit.distance_km is not None and expected is not None
        assert hit.distance_km == pytest.approx(expected, abs=0.11), hit.offer["title"]
    nearby = [hit.distance_km or 0.0 for hit in page.hits[in_altena:]]
    assert nearby == sorted(nearby)  # no words: the neighbours by distance
    assert max(nearby) <= 15.05 and min(nearby) > 5


def test_the_radius_changes_the_set(corpus: tuple[SearchEngine, str]) -> None:
    totals = {}
    for km in (5, 15, 30):
        page = _run(corpus, place="Altena", radius_km=km)
        expected = _expected_around_altena(km)
        assert page.total == len(expected), km
        assert {hit.offer["id"] for hit in page.hits} <= expected, km
        totals[km] = page.total
    assert totals[5] < totals[15] < totals[30]


def test_relevance_still_matters_around_the_place(corpus: tuple[SearchEngine, str]) -> None:
    """A swimming course in the next town ranks above Altena's offers that merely mention
    babies: the own town is a boost, not a wall."""
    page = _run(corpus, q="babyschwimmen", place="Altena")
    top = page.hits[0]
    assert "schwimm" in top.offer["title"].lower() and top.place_match == "nearby"
    assert any(hit.place_match == "in_place" for hit in page.hits[1:6])


def test_sort_by_distance_still_sorts_by_distance(corpus: tuple[SearchEngine, str]) -> None:
    page = _run(corpus, place="Altena", radius_km=30, sort="distance")
    distances = [hit.distance_km for hit in page.hits if hit.distance_km is not None]
    assert len(distances) > 20 and distances == sorted(distances)


def test_the_municipality_filter_stays_exact(corpus: tuple[SearchEngine, str]) -> None:
    page = _run(corpus, municipality=[ALTENA])
    assert page.hits and all(ALTENA in hit.offer["location_ags"] for hit in page.hits)
    assert page.total < _run(corpus, place="Altena").total


def test_a_postcode_is_a_place_of_residence_too(corpus: tuple[SearchEngine, str]) -> None:
    page = _run(corpus, place="58762")
    assert page.place is not None and page.place.kind == "postcode"
    assert page.place.ags == (ALTENA,)
    assert page.hits[0].place_match == "in_place"
    assert haversine_km((page.place.lat, page.place.lon), _origin()) < 3


def test_a_normal_search_has_no_fallbacks(corpus: tuple[SearchEngine, str]) -> None:
    assert _run(corpus, q="krabbelgruppe", place="Altena", size=10).fallbacks == []
    assert _run(corpus, q="hebamme", size=10).fallbacks == []


def test_few_hits_offer_each_kind_of_fallback_marked(corpus: tuple[SearchEngine, str]) -> None:
    """Midwives within 5 km of Altena: one offer; without the topic filter there is more in
    Altena, with 25 km more midwives, and the district has general counselling."""
    page = _run(corpus, place="Altena", radius_km=5, topics=["hebammen"], size=10)
    assert page.total < 3
    kinds = {f.kind: f for f in page.fallbacks}
    assert set(kinds) == {"relaxed", "nearby", "youth_office"}
    relaxed = [f for f in page.fallbacks if f.kind == "relaxed"]
    assert [f.dropped for f in relaxed] == ["topics"]
    assert relaxed[0].total > page.total
    assert all(hit.place_match == "in_place" for hit in relaxed[0].hits)
    nearby = kinds["nearby"]
    assert nearby.radius_km == 25 and nearby.total > page.total
    assert all("hebammen" in hit.offer["topics"] for hit in nearby.hits)
    assert all(hit.distance_km is not None and hit.distance_km <= 25 for hit in nearby.hits)
    counselling = kinds["youth_office"]
    assert counselling.place == "Altena" and counselling.hits
    for hit in counselling.hits:
        assert hit.offer["kind"] == "beratung"
        assert {"beratung_krisen", "erziehung_alltag"} & set(hit.offer["topics"])
        assert MAERKISCHER_KREIS in hit.offer["district_ags"]


def test_no_hits_for_the_words_offer_the_search_without_them(
    corpus: tuple[SearchEngine, str],
) -> None:
    page = _run(corpus, q="quokkaxylophon", place="Altena", size=10)
    assert page.total == 0
    dropped = [f.dropped for f in page.fallbacks if f.kind == "relaxed"]
    assert dropped == ["q"]
    assert "nearby" not in {f.kind for f in page.fallbacks}  # no words match anywhere
    assert "youth_office" in {f.kind for f in page.fallbacks}


def test_without_a_place_there_is_no_counselling_block(corpus: tuple[SearchEngine, str]) -> None:
    page = _run(corpus, q="quokkaxylophon", size=10)
    assert page.total == 0 and page.fallbacks == []


def _office_offers(source: str) -> list[Offer]:
    """A district with no counselling offer: one course of its youth welfare office in
    Lüdenscheid, an online offer of the district, and an online offer of Köln."""
    common = {"source_id": source, "updated_at": "2026-03-01T10:00:00+01:00"}
    return [
        Offer(id=f"{source}:kurs", local_id="kurs", url="https://www.example-kreis.de/kurs",
              title="Spielgruppe im Familienzentrum", kind="gruppe", topics=["begegnung"],
              provider={"name": "Märkischer Kreis – Kreisjugendamt",
                        "url": "https://www.example-kreis.de", "phone": "02351 0000"},
              locations=[{"city": "Lüdenscheid", "ags": "05962032",
                          "lat": 51.2158, "lon": 7.6336}], area_ags=["05962032"], **common),
        Offer(id=f"{source}:online", local_id="online", url="https://www.example-kreis.de/o",
              title="Elternabend per Video", kind="online", online=True,
              area_ags=["05962032"], **common),
        Offer(id=f"{source}:koeln", local_id="koeln", url="https://www.example-kreis.de/k",
              title="Elternabend per Video aus Köln", kind="online", online=True,
              area_ags=["05315000"], **common),
    ]  # fmt: skip


def test_online_offers_of_the_district_count_and_the_office_is_named(
    settings: Settings,
) -> None:
    with own_index(settings, "office", _office_offers("office")) as own:
        engine = SearchEngine(own)
        try:
            page = run_search(engine, SearchRequest(place="Altena", q="elternabend"))
            assert [(h.offer["local_id"], h.place_match) for h in page.hits] == [
                ("online", "online")
            ]
            office = [f for f in page.fallbacks if f.kind == "youth_office"]
            assert len(office) == 1 and office[0].hits == []
            assert office[0].office == {
                "name": "Märkischer Kreis – Kreisjugendamt",
                "url": "https://www.example-kreis.de/",
                "phone": "02351 0000",
            }
        finally:
            engine.close()


def test_a_town_filter_with_few_hits_offers_its_whole_district(
    corpus: tuple[SearchEngine, str],
) -> None:
    page = _run(corpus, municipality=[ALTENA], topics=["hebammen"], size=10)
    assert page.total < 3
    district = [f for f in page.fallbacks if f.kind == "nearby"]
    assert len(district) == 1 and district[0].district == [MAERKISCHER_KREIS]
    expected = _run(corpus, district=[MAERKISCHER_KREIS], topics=["hebammen"], size=1).total
    assert district[0].total == expected > page.total
    assert all(MAERKISCHER_KREIS in hit.offer["district_ags"] for hit in district[0].hits)


def test_a_place_named_in_the_words_gets_its_counselling(
    corpus: tuple[SearchEngine, str],
) -> None:
    page = _run(corpus, q="quokkaxylophon lüdenscheid", size=10)
    assert page.total == 0
    assert [(f.kind, f.place) for f in page.fallbacks] == [("youth_office", "Lüdenscheid")]
