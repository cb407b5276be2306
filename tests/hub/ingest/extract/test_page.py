"""How a description's HTML becomes the page's lines, labels and address blocks."""

from __future__ import annotations

from hub.ingest.extract.page import read_page, sentences_of


def test_only_innermost_blocks_become_lines() -> None:
    page = read_page(description="<div><p>Erster Absatz.</p><div><p>Zweiter</p></div></div>")
    assert page.lines == ("Erster Absatz.", "Zweiter")


def test_a_table_row_is_one_labelled_line_with_its_cells_read_once() -> None:
    html = "<table><tr><th>Kosten</th><td><p>kostenlos</p></td></tr><tr><td>Ort</td></tr></table>"
    page = read_page(description=html)
    assert page.lines == ("Kosten: kostenlos", "Ort")
    assert page.labels == {"kosten": ("kostenlos",)}


def test_an_address_block_keeps_its_lines_and_hides_its_paragraphs() -> None:
    html = "<address><p>Familienzentrum</p><p>Hauptstraße 1<br>12345 Musterstadt</p></address>"
    page = read_page(description=html)
    assert page.addresses == ("Familienzentrum Hauptstraße 1, 12345 Musterstadt",)
    assert page.lines == ("Familienzentrum Hauptstraße 1", "12345 Musterstadt")


def test_line_breaks_split_a_block_and_labels_are_read_per_line() -> None:
    page = read_page(description="<p>Alter: 0 bis 3 Jahre<br/>Anmeldung: erforderlich</p>")
    assert page.lines == ("Alter: 0 bis 3 Jahre", "Anmeldung: erforderlich")
    assert page.labelled("alter") == ["0 bis 3 Jahre"]
    assert page.labelled("anmeldung") == ["erforderlich"]


def test_text_outside_blocks_comes_first_as_one_block() -> None:
    page = read_page(description="Lose <b>Zeile</b><ul><li>Punkt</li></ul>")
    assert page.lines == ("Lose Zeile", "Punkt")


def test_sentences_are_cut_before_a_capital_and_empty_pieces_dropped() -> None:
    assert sentences_of("Termine. Anmeldung bei Frau Ev. Müller.") == (
        "Termine.",
        "Anmeldung bei Frau Ev. Müller.",
    )
    assert sentences_of("") == ()
    page = read_page("Babytreff", "Offen. Kostenlos.", "<p>Am 29. September.</p>")
    assert list(page.sentences()) == ["Babytreff", "Offen.", "Kostenlos.", "Am 29. September."]
