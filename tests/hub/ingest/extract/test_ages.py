"""Age range and pregnancy read from a page: where the age is stated, and what is not an age."""

from __future__ import annotations

import pytest

from hub.ingest.extract.ages import extract_age
from hub.ingest.extract.facts import AgeFacts
from hub.ingest.extract.page import read_page


@pytest.mark.parametrize(
    ("title", "description", "expected"),
    [
        ("Spielkreis", "<p><strong>Alter:</strong> 18 Monate bis 3 Jahre</p>", AgeFacts(18, 36)),
        ("Singen", "<p><strong>Zielgruppe:</strong> Familien mit U3-Kindern</p>", AgeFacts(0, 36)),
        ("Matschgruppe für Kinder von 2 bis 4 Jahren", "Wir spielen draußen.", AgeFacts(24, 48)),
        ("Bewegung", "Der Kurs ist für Kinder ab dem 7. Lebensmonat gedacht.", AgeFacts(6, None)),
        ("Lesezeit", "Vorlesen für Kinder bis zum Schuleintritt.", AgeFacts(0, 72)),
        ("Krabbelkinder-Treff", "Jeden Freitag im Gemeindehaus.", AgeFacts(6, 18)),
        (
            "Fühlen und Greifen",
            "Für Säuglinge ab etwa acht Wochen bis zum Krabbelalter.",
            AgeFacts(2, 6),
        ),
        ("Yoga", "Ab der 16. SSW sind Sie willkommen.", AgeFacts(pregnancy=True)),
        ("Infoabend für werdende Eltern", "Wir zeigen den Kreißsaal.", AgeFacts(pregnancy=True)),
        (
            "Familientreff",
            "Für Schwangere und Eltern mit Kindern im ersten Lebensjahr.",
            AgeFacts(0, 12, pregnancy=True),
        ),
    ],
)
def test_age_is_read_from_labels_title_and_text(
    title: str, description: str, expected: AgeFacts
) -> None:
    assert extract_age(read_page(title, "", description)) == expected


def test_label_wins_over_running_text() -> None:
    page = read_page(
        "Musikgarten",
        "",
        "<p>Ab 3 Jahren dürfen Kinder auch allein kommen.</p>"
        "<p><strong>Alter:</strong> 1 bis 2 Jahre</p>",
    )
    assert extract_age(page) == AgeFacts(12, 24)


def test_a_number_in_the_text_beats_an_age_word_in_the_title() -> None:
    page = read_page("Babytreff", "", "Für Kinder von 4 bis 10 Monaten.")
    assert extract_age(page) == AgeFacts(4, 10)


def test_an_open_range_in_the_title_is_closed_by_the_text() -> None:
    page = read_page("Wasserspaß (ab 5 Monaten)", "", "Für Kinder ab 5 Monaten bis 2 Jahre.")
    assert extract_age(page) == AgeFacts(5, 24)


def test_age_words_in_running_text_do_not_name_the_audience() -> None:
    page = read_page("Lichterfest", "", "Babys staunen über Kerzen, Große basteln Laternen.")
    assert extract_age(page) is None


@pytest.mark.parametrize(
    "description",
    [
        "Unser Verein begleitet Familien seit 25 Jahren.",
        "Die Leiterin hat mehr als 10 Jahre Erfahrung.",
        "Die Gruppe wurde vor 3 Jahren gegründet.",
        "Für Mütter unter 25 Jahren in belastenden Lagen.",
        "Geschwisterkinder ab 4 Jahren dürfen gern mitkommen.",
        "Ab dem ersten Geburtstag hat jedes Kind einen Rechtsanspruch auf Betreuung.",
        "Eröffnet 2019, Mo–Fr von 8 bis 16 Uhr.",
    ],
)
def test_ages_of_adults_siblings_and_spans_of_time_are_no_child_age(description: str) -> None:
    assert extract_age(read_page("Offener Treff", "", description)) is None


def test_the_childs_age_survives_next_to_an_adult_age() -> None:
    page = read_page(
        "Treff", "", "Für junge Mütter unter 21 Jahren mit Kindern von 0 bis 2 Jahren."
    )
    assert extract_age(page) == AgeFacts(0, 24)


def test_a_service_implies_its_age_when_no_age_is_named() -> None:
    page = read_page("Beratung zur Kindertagespflege", "Wir vermitteln Tageseltern.", "")
    assert extract_age(page) == AgeFacts(0, 36)


@pytest.mark.parametrize(
    "description",
    [
        "Für Kinder bis 300 Jahre.",
        "Kinder von 5 bis 40 Jahren.",
        "",
        "<p></p><ul><li></li></ul>",
        "Alter: ??",
    ],
)
def test_impossible_or_missing_ages_give_nothing(description: str) -> None:
    assert extract_age(read_page("Angebot", "", description)) is None


def test_long_text_is_read_without_stalling() -> None:
    description = "<p>" + "Wir spielen und singen zusammen. " * 50_000 + "</p>"
    assert extract_age(read_page("Treff", "", description)) is None


def test_the_baby_to_come_on_a_pregnancy_page_is_no_audience() -> None:
    page = read_page("Kurs zur Geburtsvorbereitung", "Atmung, Wehen und die Zeit mit dem Baby.", "")
    assert extract_age(page) == AgeFacts(pregnancy=True)


def test_babies_named_next_to_pregnant_women_are_an_audience() -> None:
    page = read_page("Hebammentreff", "Für Schwangere und Mütter mit Babys.", "")
    assert extract_age(page) == AgeFacts(0, 12, pregnancy=True)


def test_a_page_for_staff_of_a_service_implies_no_childs_age() -> None:
    page = read_page(
        "Qualifizierung zur Tagesmutter", "Infoabend für alle, die Kinder betreuen möchten."
    )
    assert extract_age(page) is None


def test_children_over_three_keep_their_age() -> None:
    page = read_page("Waldgruppe", "", "Für Kinder über 3 Jahre, die gern draußen sind.")
    assert extract_age(page) == AgeFacts(36, None)
