"""Cost and its note read from a page: the labelled value first, contradictions give nothing."""

from __future__ import annotations

import pytest

from hub.ingest.extract.cost import extract_cost
from hub.ingest.extract.facts import CostFacts
from hub.ingest.extract.page import read_page


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("<p><strong>Kosten:</strong> gebührenfrei</p>", CostFacts("free", "gebührenfrei")),
        (
            "<table><tr><th>Kursgebühr</th><td>48 € (ermäßigt 24 €)</td></tr></table>",
            CostFacts("reduced", "48 € (ermäßigt 24 €)"),
        ),
        (
            "<dl><dt>Preis</dt><dd>12 Euro pro Abend</dd></dl>",
            CostFacts("paid", "12 Euro pro Abend"),
        ),
        (
            "Wir treffen uns im Pfarrheim. Die Teilnahme ist kostenfrei.",
            CostFacts("free", "Die Teilnahme ist kostenfrei."),
        ),
        (
            "Die Kosten für den Kurs übernimmt die Krankenkasse.",
            CostFacts("free", "Die Kosten für den Kurs übernimmt die Krankenkasse."),
        ),
        (
            "Wir bitten um eine kleine Spende für Kaffee und Kuchen.",
            CostFacts("reduced", "Wir bitten um eine kleine Spende für Kaffee und Kuchen."),
        ),
        (
            "Der Kurs kostet 60 €. Mit Familienpass gibt es eine Ermäßigung.",
            CostFacts("reduced", "Der Kurs kostet 60 €. Mit Familienpass gibt es eine Ermäßigung."),
        ),
    ],
)
def test_cost_is_read_from_labels_and_sentences(description: str, expected: CostFacts) -> None:
    assert extract_cost(read_page("Kurs", "", description)) == expected


def test_the_label_wins_over_fees_named_in_the_running_text() -> None:
    page = read_page(
        "Kita-Beratung",
        "",
        "<p>Wir informieren über Elternbeiträge und Gebühren der Kitas.</p>"
        "<p><strong>Kosten:</strong> kostenlos</p>",
    )
    assert extract_cost(page) == CostFacts("free", "kostenlos")


@pytest.mark.parametrize(
    "description",
    [
        "Die Teilnahme ist kostenlos. Die Teilnahmegebühr beträgt 20 €.",
        "<p><strong>Kosten:</strong> kostenfrei</p><p><strong>Gebühr:</strong> 15 €</p>",
    ],
)
def test_contradictory_costs_give_nothing(description: str) -> None:
    assert extract_cost(read_page("Kurs", "", description)) is None


@pytest.mark.parametrize(
    "description",
    [
        "",
        "Es sind noch Plätze frei.",
        "Bitte bringen Sie Hausschuhe mit.",
        "<p><strong>Kosten:</strong> siehe Aushang</p>",
        "Die Elternbeiträge richten sich nach der Beitragssatzung.",
    ],
)
def test_pages_that_name_no_price_give_nothing(description: str) -> None:
    assert extract_cost(read_page("Treff", "", description)) is None


def test_the_note_is_the_sentence_after_an_address_not_the_address() -> None:
    page = read_page(
        "Treff", "", "Montags im Haus der Familie, Lindenweg 4. Der Eintritt ist frei."
    )
    assert extract_cost(page) == CostFacts("free", "Der Eintritt ist frei.")


def test_a_long_page_without_prices_is_read_quickly() -> None:
    description = "<p>" + "Am 3. Mai um 10 Uhr treffen wir uns. " * 20_000 + "</p>"
    assert extract_cost(read_page("Treff", "", description)) is None
