"""German cost wording → free / reduced / paid, shared by extraction and the cost hint."""

from __future__ import annotations

import pytest

from hub.ingest.extract.phrases import parse_cost_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("keine", "free"),
        ("Es entstehen Ihnen keine Kosten.", "free"),
        ("Die Kosten trägt Ihre gesetzliche Krankenkasse.", "free"),
        ("Die Krankenkassen erstatten die Kursgebühr.", "free"),
        ("45 € pro Kurs, keine Ermäßigung möglich", "paid"),
        ("45 €, ermäßigt 20 €", "reduced"),
        ("Gegen eine kleine Spende", "reduced"),
        ("Bitte bringen Sie Hausschuhe mit.", "unknown"),
    ],
)
def test_cost_wording(text: str, expected: str) -> None:
    assert parse_cost_text(text) == expected
