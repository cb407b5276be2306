"""The offline NRW gazetteer: names, postcodes, districts, place resolution, location filling."""

from __future__ import annotations

from typing import Any

import pytest

from hub.core.places import (
    by_name,
    by_postcode,
    district_members,
    enrich_location,
    gazetteer,
    municipality,
    resolve_place,
)
from hub.ingest.normalise import normalise_record


def test_gazetteer_holds_all_of_nrw_and_is_loaded_once() -> None:
    gaz = gazetteer()
    assert gaz is gazetteer()
    assert len(gaz.municipalities) == 396
    assert len(gaz.districts) == 53
    assert sum(len(d.members) for d in gaz.districts.values()) == 396
    assert all(gaz.postcodes_of.get(ags) for ags in gaz.municipalities)


def test_municipality_by_ags() -> None:
    found = municipality("05962004")
    assert found is not None and found.name == "Altena"
    assert found.district == "Märkischer Kreis" and found.district_ags == "05962"
    assert municipality("05999999") is None


@pytest.mark.parametrize(
    ("name", "ags"),
    [
        ("Köln", "05315000"),
        ("Koeln", "05315000"),
        ("KÖLN", "05315000"),
        ("Halle", "05754012"),
        ("Halle (Westf.)", "05754012"),
        ("Halle Westfalen", "05754012"),
        ("Mülheim", "05117000"),
        ("Muelheim an der Ruhr", "05117000"),
        ("Stadt Essen", "05113000"),
        ("St. Augustin", "05382056"),
        ("Hennef", "05382020"),
        ("Langenfeld (Rhld.)", "05158020"),
        ("Bad Berleburg Arfeld", "05970004"),
        ("Dusseldorf", "05111000"),
        ("Lüdenscheid", "05962032"),
    ],
)
def test_names_are_matched_tolerantly(name: str, ags: str) -> None:
    found = by_name(name)
    assert found is not None and found.ags == ags


@pytest.mark.parametrize("name", ["", "Berlin", "Atlantis", "Kreis Unna"])
def test_unknown_names_give_none(name: str) -> None:
    assert by_name(name) is None


def test_postcode_rows_carry_the_municipality_and_a_point() -> None:
    rows = by_postcode("58762")
    assert [(r.place, r.ags) for r in rows] == [("Altena", "05962004")]
    assert 51.2 < rows[0].lat < 51.4
    assert by_postcode("10115") == []


def test_district_members_of_the_maerkischer_kreis() -> None:
    members = district_members("Märkischer Kreis")
    assert len(members) == 15
    assert {m.name for m in members} >= {"Altena", "Lüdenscheid", "Schalksmühle", "Balve"}
    assert district_members("05962") == members
    assert district_members("maerkischer kreis") == members


def test_district_by_its_name_without_kreis() -> None:
    assert len(district_members("Kreis Steinfurt")) == len(district_members("Steinfurt")) == 24
    assert district_members("Köln") == [municipality("05315000")]
    assert district_members("Nirgendkreis") == []


@pytest.mark.parametrize(
    ("text", "kind", "first_ags", "count"),
    [
        ("05962004", "municipality", "05962004", 1),
        ("05962", "district", "05962004", 15),
        ("58762", "postcode", "05962004", 1),
        ("58762 Altena", "postcode", "05962004", 1),
        ("Altena", "municipality", "05962004", 1),
        ("Märkischer Kreis", "district", "05962004", 15),
        ("Kreis Steinfurt", "district", "05566004", 24),
        ("Steinfurt", "municipality", "05566084", 1),
        ("Rhein-Sieg-Kreis", "district", "05382004", 19),
        ("Städteregion Aachen", "district", "05334002", 10),
        ("Aachen", "municipality", "05334002", 1),
        ("Koeln", "municipality", "05315000", 1),
    ],
)
def test_resolve_place(text: str, kind: str, first_ags: str, count: int) -> None:
    place = resolve_place(text)
    assert place is not None
    assert (place.kind, place.ags[0], len(place.ags)) == (kind, first_ags, count)
    assert 50.3 < place.lat < 52.6 and 5.8 < place.lon < 9.5


@pytest.mark.parametrize("text", ["", "   ", "12345", "Atlantis", "05999999"])
def test_unresolvable_places_give_none(text: str) -> None:
    assert resolve_place(text) is None


def test_postcode_fills_ags_city_and_its_centre() -> None:
    filled = enrich_location({"street": "Hoher Weg 61", "postcode": "58762"})
    assert filled == {
        "street": "Hoher Weg 61",
        "postcode": "58762",
        "ags": "05962004",
        "city": "Altena",
        "lat": 51.2947,
        "lon": 7.6734,
    }


def test_city_fills_ags_and_town_centre_and_a_unique_postcode() -> None:
    filled = enrich_location({"name": "Rathaus", "city": "Halver"})
    assert (filled["ags"], filled["postcode"], filled["city"]) == ("05962012", "58553", "Halver")
    assert (filled["lat"], filled["lon"]) == (51.186749, 7.497997)


def test_city_with_many_postcodes_gets_no_postcode() -> None:
    filled = enrich_location({"city": "Koeln"})
    assert filled["ags"] == "05315000" and "postcode" not in filled
    assert filled["city"] == "Koeln"  # the source's spelling is kept


def test_given_coordinates_and_ags_are_kept() -> None:
    given = {"postcode": "58762", "city": "Altena", "ags": "05962004", "lat": 51.3, "lon": 7.67}
    assert enrich_location(given) == given


def test_postcode_shared_by_two_towns_takes_the_named_one() -> None:
    gaz = gazetteer()
    shared = next(code for code, rows in gaz.postcodes.items() if len({r.ags for r in rows}) > 1)
    rows = gaz.postcodes[shared]
    second = next(r for r in rows if r.ags != rows[0].ags)
    name = gaz.municipalities[second.ags].name
    assert enrich_location({"postcode": shared, "city": name})["ags"] == second.ags


def test_location_outside_the_gazetteer_is_left_alone() -> None:
    loc: dict[str, Any] = {"name": "Online-Sprechstunde"}
    assert enrich_location(loc) == loc
    assert enrich_location({"postcode": "10115", "city": "Berlin"}) == {
        "postcode": "10115",
        "city": "Berlin",
    }


def test_normaliser_completes_locations_of_pushed_records() -> None:
    record = {
        "url": "https://www.altena.de/familie/babytreff",
        "title": "Babytreff",
        "updated_at": "2026-01-05T10:00:00+01:00",
        "locations": [
            {"name": "Familienzentrum", "street": "Hoher Weg 61", "postcode": "58762"},
            {"name": "Rathaus", "city": "Halver", "lat": 51.19, "lon": 7.5},
        ],
    }
    result = normalise_record("altena", "b-1", record)
    assert result.offer is not None, result.rejection
    first, second = result.offer.locations
    assert (first.ags, first.city, first.lat, first.lon) == ("05962004", "Altena", 51.2947, 7.6734)
    assert (second.ags, second.lat, second.lon) == ("05962012", 51.19, 7.5)
