"""Addresses in German page text → locations, and what must never become one."""

from __future__ import annotations

from hub.core.schema import Offer
from hub.ingest.extract.locations import extract_locations
from hub.ingest.extract.page import read_page
from hub.ingest.normalise import normalise_record

GUMMERSBACH = "05374012"
MUENSTER = "05515000"


def locations(description: str, area: tuple[str, ...] = (), summary: str = "") -> list[dict]:
    return extract_locations(read_page("Angebot", summary, description), area)


def test_running_text_address_gives_name_street_postcode_and_town() -> None:
    found = locations(
        "<p>Der Kurs findet im Familienzentrum Sonnenschein, Hauptstraße 5, 48143 Münster "
        "statt. Bitte bringen Sie Hausschuhe mit.</p>"
    )
    assert found == [
        {
            "name": "Familienzentrum Sonnenschein",
            "street": "Hauptstraße 5",
            "postcode": "48143",
            "city": "Münster",
        }
    ]


def test_bare_address_in_a_sentence_is_a_location() -> None:
    found = locations("Wir treffen uns im Rathaus. Rathausplatz 1, 51643 Gummersbach")
    assert [(loc["street"], loc["postcode"], loc["city"]) for loc in found] == [
        ("Rathausplatz 1", "51643", "Gummersbach")
    ]


def test_labelled_place_and_address_block_are_both_read() -> None:
    found = locations(
        "<p><strong>Veranstaltungsort:</strong> Haus der Familie am Markt, Marktstr. 3, "
        "51645 Gummersbach</p><address>Jugendamt<br>Am Hang 59<br>48159 Münster</address>"
    )
    assert {(loc.get("name"), loc["street"], loc["postcode"]) for loc in found} == {
        ("Haus der Familie am Markt", "Marktstr. 3", "51645"),
        ("Jugendamt", "Am Hang 59", "48159"),
    }


def test_table_row_with_an_address() -> None:
    found = locations(
        "<table><tr><th>Adresse</th><td>Kita Regenbogen, Lindenweg 2, 48143 Münster</td></tr>"
        "<tr><th>Kosten</th><td>kostenlos</td></tr></table>"
    )
    assert [loc["postcode"] for loc in found] == ["48143"]


def test_the_same_address_named_twice_is_one_location() -> None:
    found = locations(
        "<p>Ort: Familienzentrum Pusteblume, Kirchweg 4, 48143 Münster.</p>"
        "<p>Kontakt: Familienzentrum Pusteblume, Kirchweg 4, 48143 Münster</p>"
    )
    assert len(found) == 1


def test_several_places_on_one_page() -> None:
    found = locations(
        "<ul><li>Montags: Stadtteilbüro Nord, Nordring 10, 48147 Münster</li>"
        "<li>Donnerstags: Bürgerhaus Süd, Südstraße 7, 48153 Münster</li></ul>"
    )
    assert [loc["postcode"] for loc in found] == ["48147", "48153"]


def test_meeting_point_without_town_belongs_to_the_single_municipality() -> None:
    found = locations("<p><strong>Treffpunkt:</strong> vor dem Rathaus</p>", (GUMMERSBACH,))
    assert found == [{"name": "vor dem Rathaus", "city": "Gummersbach", "ags": GUMMERSBACH}]


def test_townless_place_is_not_guessed_for_a_district_wide_source() -> None:
    found = locations("Treffpunkt: vor dem Rathaus", (GUMMERSBACH, MUENSTER))
    assert found == []


def test_home_visits_and_online_are_no_place() -> None:
    assert locations("Ort: bei Ihnen zu Hause. Kosten: kostenlos.", (GUMMERSBACH,)) == []
    assert locations("<p><b>Wo:</b> online per Zoom</p>", (GUMMERSBACH,)) == []


def test_postcode_outside_nrw_gives_no_location() -> None:
    found = locations("Ort: Familienzentrum Mitte, Lange Laube 5, 30159 Hannover.", (GUMMERSBACH,))
    assert found == []


def test_postcode_and_town_that_disagree_give_no_location() -> None:
    assert locations("Ort: Stadthalle, Bahnhofstraße 1, 40210 Münster.") == []


def test_phone_numbers_and_years_are_not_postcodes() -> None:
    found = locations("Rufen Sie an: 0251 48143 Montag bis Freitag. Seit 20150 Jahren? Nein.")
    assert found == []


def test_town_words_stop_before_the_sentence_goes_on() -> None:
    found = locations("Ort: Jugendamt, Am Hang 59, 51645 Gummersbach. Kosten: kostenlos.")
    assert found[0]["city"] == "Gummersbach"


def test_huge_text_stays_bounded() -> None:
    text = "<p>" + "Lindenweg 2, 48143 Münster. " * 20_000 + "</p>"
    assert len(locations(text)) <= 20


def test_labelled_place_ending_in_a_town_is_placed_there() -> None:
    found = locations("<p>Ort: Stadtbibliothek, Münster</p>", (GUMMERSBACH,))
    assert found == [{"name": "Stadtbibliothek", "city": "Münster", "ags": MUENSTER}]


def test_labelled_street_without_postcode_is_in_the_home_town() -> None:
    found = locations("<p>Adresse: Familienzentrum Kunterbunt, Lindenweg 4</p>", (GUMMERSBACH,))
    assert found == [
        {
            "name": "Familienzentrum Kunterbunt",
            "street": "Lindenweg 4",
            "city": "Gummersbach",
            "ags": GUMMERSBACH,
        }
    ]


def test_times_under_a_place_label_are_no_place() -> None:
    assert locations("Ort und Zeit: montags 10 Uhr im Familienzentrum", (GUMMERSBACH,)) == []


def _normalised(description: str, area: list[str]) -> Offer:
    mapped = {
        "title": "Elterncafé",
        "description": description,
        "url": "https://www.gummersbach.de/familie/elterncafe",
        "updated_at": "2026-03-01T10:00:00+01:00",
    }
    result = normalise_record("wp", "1", mapped, source_ags=area)
    assert result.offer is not None, result.rejection
    return result.offer


def test_normaliser_adds_ags_and_the_postcode_point_and_marks_the_field_extracted() -> None:
    offer = _normalised("<p>Wo: Rathaus, Rathausplatz 1, 51643 Gummersbach</p>", [GUMMERSBACH])
    [location] = offer.locations
    assert (location.postcode, location.ags) == ("51643", GUMMERSBACH)
    assert location.lat is not None and location.lon is not None
    assert "locations" in offer.extracted


def test_address_of_another_state_leaves_the_offer_in_its_area_not_online() -> None:
    offer = _normalised("<p>Ort: Lange Laube 5, 30159 Hannover</p>", [GUMMERSBACH])
    assert offer.locations == [] and "locations" not in offer.extracted
    assert offer.area_ags == [GUMMERSBACH] and offer.online is False


def test_an_abbreviation_stays_in_the_place_name() -> None:
    page = read_page(
        "Kurs", "", "Ort: Ev. Familienbildungswerk Altena, Hoher Weg 61, 58762 Altena."
    )
    (location,) = extract_locations(page, ["05962004"])
    assert location["name"] == "Ev. Familienbildungswerk Altena"
