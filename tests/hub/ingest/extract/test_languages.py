"""Languages an offer is held in: phrases that say so, not language names as a topic."""

from __future__ import annotations

import pytest

from hub.ingest.extract.languages import extract_languages
from hub.ingest.extract.page import read_page


@pytest.mark.parametrize(
    ("title", "description", "expected"),
    [
        (
            "Treff",
            "<p><strong>Sprachen:</strong> Deutsch, Polnisch, Englisch</p>",
            ["de", "pl", "en"],
        ),
        ("Treff", "<p><strong>Sprache:</strong> Deutsch</p>", ["de"]),
        ("Beratung", "Die Beratung ist auch auf Rumänisch möglich.", ["de", "ro"]),
        ("Beratung", "Gespräche führen wir gern in persischer Sprache.", ["de", "fa"]),
        (
            "Spielgruppe",
            "Unsere Erzieherinnen sprechen auch Bulgarisch und Russisch.",
            ["de", "bg", "ru"],
        ),
        ("Runde", "In der Runde wird Französisch und Deutsch gesprochen.", ["fr", "de"]),
        ("Eltern-Kind-Gruppe (spanischsprachig)", "Wir singen und spielen.", ["de", "es"]),
        (
            "Treff",
            "Das Angebot ist mehrsprachig (Deutsch, Albanisch, Serbisch).",
            ["de", "sq", "sr"],
        ),
        ("Sprechstunde", "Eine Dolmetscherin für Tigrinya ist anwesend.", ["de", "ti"]),
        ("Elternabend Deutsch/Italienisch", "Wir freuen uns auf Sie.", ["de", "it"]),
        ("Vorlesestunde", "Wir lesen nur auf Englisch vor.", ["en"]),
    ],
)
def test_languages_the_offer_is_held_in(title: str, description: str, expected: list[str]) -> None:
    assert extract_languages(read_page(title, "", description)) == expected


def test_a_paragraph_in_another_script_adds_its_language() -> None:
    page = read_page(
        "Elterntreff",
        "",
        "<p>Wir treffen uns jeden Mittwoch.</p>"
        "<p>Мы встречаемся каждую среду в семейном центре, приходите с детьми.</p>",
    )
    assert extract_languages(page) == ["de", "ru"]


def test_a_paragraph_headed_by_a_language_name_adds_it() -> None:
    page = read_page("Treff", "", "<p>Türkçe: Her çarşamba buluşuyoruz, çocuklarınızla gelin.</p>")
    assert extract_languages(page) == ["de", "tr"]


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ("Deutschkurs für Eltern", "Sie verbessern Ihre Deutschkenntnisse."),
        ("Kurs", "Unterricht in Deutsch als Zweitsprache, die Kinder werden betreut."),
        ("Sprachförderung in der Kita", "Spielerische Förderung der Sprachentwicklung."),
        ("Babyzeichen", "Einfache Zeichen aus der Gebärdensprache."),
        ("Treff", "<ul><li><strong>Wo:</strong> Rathaus, Saal 2</li></ul>"),
        ("Treff", ""),
    ],
)
def test_language_as_a_topic_or_nothing_said_gives_no_language(
    title: str, description: str
) -> None:
    assert extract_languages(read_page(title, "", description)) == []


def test_a_run_of_triggers_and_fillers_stays_linear() -> None:
    description = "<p>" + "auf in und in auch " * 20_000 + "</p>"
    assert extract_languages(read_page("Treff", "", description)) == []
