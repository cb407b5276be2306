"""The quick pre-check of `scan` lets through every kind of date word the scanner reads."""

from __future__ import annotations

import pytest

from hub.ingest.extract.datewords import MAY_HOLD_DATES, scan


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Montag, 29. September 2025", "date"),
        ("am 03.02.", "date"),
        ("2027-01-12", "date"),
        ("von 9:30 bis 11:30 Uhr", "span"),
        ("ab 15 Uhr", "span"),
        ("immer MITTWOCHS", "weekly"),
        ("jeden Sonnabend", "weekly"),
        ("an jedem ersten Mittwoch im Monat", "monthly"),
        ("vierzehntägig", "interval"),
        ("ZWEIWÖCHENTLICH", "interval"),
        ("alle zwei Wochen", "interval"),
        ("jede zweite Woche", "interval"),
        ("sechs Kurstermine", "count"),
        ("zwölf Sitzungen", "count"),
        ("außer in den Ferien", "no_holidays"),
    ],
)
def test_every_kind_of_date_word_passes_the_pre_check(sentence: str, kind: str) -> None:
    assert MAY_HOLD_DATES.search(sentence)
    assert [token.kind for token in scan(sentence)] == [kind]


def test_a_sentence_without_date_words_is_skipped() -> None:
    sentence = "Eltern lernen ihr Baby besser kennen und tauschen sich aus."
    assert not MAY_HOLD_DATES.search(sentence)
    assert scan(sentence) == []
