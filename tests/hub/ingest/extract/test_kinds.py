"""Kind and audiences from German titles, labels and text (phrases written for these tests)."""

from __future__ import annotations

import pytest

from hub.ingest.extract.kinds import extract_audiences, extract_kind
from hub.ingest.extract.page import read_page


@pytest.mark.parametrize(
    ("title", "summary", "kind"),
    [
        ("Yoga-Kurs für Schwangere", "", "kurs"),
        ("Beckenbodentraining", "Kursbeginn am 4. Mai, 8 Termine.", "kurs"),
        ("Sprechstunde der Familienhebamme", "", "sprechstunde"),
        ("Kinderwagen-Café am Markt", "Ein offener Treff zum Klönen.", "treffpunkt"),
        (
            "Willkommen im Leben",
            "Eine Fachkraft besucht Sie nach der Geburt zu Hause.",
            "hausbesuch",
        ),
        ("Trennungs- und Scheidungsberatung", "", "beratung"),
        ("Spielgruppe Sonnenkinder", "", "gruppe"),
    ],
)
def test_kind_from_title_and_summary(title: str, summary: str, kind: str) -> None:
    assert extract_kind(read_page(title, summary, "")) == kind


def test_kind_label_outweighs_the_title() -> None:
    page = read_page("Mamatreff Nord", "", "<p><strong>Angebotsform:</strong> Kurs</p>")
    assert extract_kind(page) == "kurs"


def test_kind_from_categories_through_the_vocabulary() -> None:
    page = read_page("Herbstzeit", "", "", ["Beratungsangebot", "Beratung"])
    assert extract_kind(page) == "beratung"


def test_a_word_in_passing_does_not_decide() -> None:
    page = read_page("Stadtteilfest", "Sommerfest im Park.", "<p>Mit Infos zur Beratung.</p>")
    assert extract_kind(page) == "veranstaltung"


@pytest.mark.parametrize("title", ["", "Herzlich willkommen", "<script>x</script>", "x" * 5000])
def test_unclear_or_bad_input_gives_none(title: str) -> None:
    assert extract_kind(read_page(title, "", "")) is None


def test_two_equally_named_kinds_give_none() -> None:
    assert extract_kind(read_page("Kurs und Beratung", "", "")) is None


def test_audiences_named_in_the_text() -> None:
    page = read_page(
        "Frühstück für Alleinerziehende",
        "Für alleinerziehende Mütter, werdende Eltern und Großeltern.",
        "",
    )
    assert set(extract_audiences(page)) >= {"alleinerziehende", "werdende_eltern", "grosseltern"}


def test_mothers_and_fathers_together_are_parents_not_fathers() -> None:
    page = read_page("Elternabend", "Für Mütter und Väter von Kita-Kindern.", "")
    audiences = extract_audiences(page)
    assert "eltern" in audiences and "vaeter" not in audiences


def test_fathers_named_alone_are_fathers() -> None:
    assert "vaeter" in extract_audiences(read_page("Papa-Zeit", "Ein Vormittag für Väter.", ""))


def test_professionals_only_where_addressed() -> None:
    staff = read_page("Krabbelgruppe", "Geleitet von pädagogischen Fachkräften.", "")
    addressed = read_page("Fortbildung", "Ein Fachtag für pädagogische Fachkräfte.", "")
    assert "fachkraefte" not in extract_audiences(staff)
    assert "fachkraefte" in extract_audiences(addressed)


def test_no_audience_said_gives_empty() -> None:
    assert extract_audiences(read_page("Angebot", "", "<p>Montags 10 Uhr.</p>")) == []


def test_a_family_centre_or_childminders_are_no_audience() -> None:
    page = read_page("Sommerfest im Familienzentrum", "Tageseltern stellen sich vor.", "")
    assert extract_audiences(page) == []


def test_expecting_fathers_are_expecting_parents_not_fathers() -> None:
    page = read_page("Infoabend", "Für werdende Väter.", "")
    assert extract_audiences(page) == ["werdende_eltern"]


def test_a_list_of_mothers_and_fathers_is_parents() -> None:
    page = read_page("Treff", "Ein Treffpunkt für Mütter, Väter und Babys.", "")
    assert extract_audiences(page) == ["eltern"]
