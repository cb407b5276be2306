"""German age phrases → months, and agreement with how the relevance corpus encodes them."""

from __future__ import annotations

import json
import re

import pytest

from hub.core.text import html_to_text
from hub.ingest.extract.age_phrases import AgeRange, parse_age_text
from tests.support.paths import RELEVANCE_CORPUS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0–3 Jahre", AgeRange(False, 0, 36)),
        ("0-3 J.", AgeRange(False, 0, 36)),
        ("1 - 3 Jahre", AgeRange(False, 12, 36)),
        ("Kinder von 0 bis 6 Jahren", AgeRange(False, 0, 72)),
        ("6 bis 18 Monate", AgeRange(False, 6, 18)),
        ("von etwa 10 bis 20 Monaten", AgeRange(False, 10, 20)),
        ("zwischen 8 Monaten und 2 Jahren", AgeRange(False, 8, 24)),
        ("zwischen sechs Wochen und neun Monaten", AgeRange(False, 1, 9)),
        ("für 3- bis 6-Jährige", AgeRange(False, 36, 72)),
        ("Kinder von 1½ bis 3 Jahren", AgeRange(False, 18, 36)),
        ("von einem bis drei Jahren", AgeRange(False, 12, 36)),
        ("ab 6 Monaten", AgeRange(False, 6, None)),
        ("ab 8 Wochen", AgeRange(False, 2, None)),
        ("Babys ab etwa sechs Wochen", AgeRange(False, 1, None)),
        ("ab anderthalb Jahren", AgeRange(False, 18, None)),
        ("ab zweieinhalb Jahren", AgeRange(False, 30, None)),
        ("ab einem halben Jahr", AgeRange(False, 6, None)),
        ("ab dem ersten Geburtstag", AgeRange(False, 12, None)),
        ("ab dem 3. Lebensjahr", AgeRange(False, 24, None)),
        ("ab Geburt", AgeRange(False, 0, None)),
        ("bis 12 Monate", AgeRange(False, 0, 12)),
        ("Kinder bis drei Jahre", AgeRange(False, 0, 36)),
        ("für Kinder unter drei Jahren", AgeRange(False, 0, 36)),
        ("bis zum Schuleintritt", AgeRange(False, 0, 72)),
        ("von der Geburt bis zur Einschulung", AgeRange(False, 0, 72)),
        ("bis zum ersten Geburtstag", AgeRange(False, 0, 12)),
        ("bis zum 8. Geburtstag", AgeRange(False, 0, 96)),
        ("im ersten Lebensjahr", AgeRange(False, 0, 12)),
        ("im 2. Lebensjahr", AgeRange(False, 12, 24)),
        ("in den ersten drei Lebensjahren", AgeRange(False, 0, 36)),
        ("werdende Eltern", AgeRange(True, None, None)),
        ("Schwangere", AgeRange(True, None, None)),
        ("Geburtsvorbereitung ab der 28. SSW", AgeRange(True, None, None)),
        ("Schwangerschaft bis 1 Jahr", AgeRange(True, 0, 12)),
        ("Schwangere und Familien mit Babys", AgeRange(True, 0, 12)),
        ("U3", AgeRange(False, 0, 36)),
        ("Ü3", AgeRange(False, 36, None)),
        ("Ue3-Gruppe", AgeRange(False, 36, None)),
        ("Kita-Kinder", AgeRange(False, 36, 72)),
        ("Kindergartenkinder", AgeRange(False, 36, 72)),
        ("Babys", AgeRange(False, 0, 12)),
        ("Säuglinge", AgeRange(False, 0, 12)),
        ("Kleinkinder", AgeRange(False, 12, 36)),
        ("Babys und Kleinkinder", AgeRange(False, 0, 36)),
        ("Eltern von Klein- und Kindergartenkindern", AgeRange(False, 12, 72)),
        ("Neugeborene", AgeRange(False, 0, 3)),
        ("Krabbelkinder", AgeRange(False, 6, 18)),
        ("Vorschulkinder", AgeRange(False, 60, 72)),
        ("0–3 Jahre, aber auch Babys", AgeRange(False, 0, 36)),
        ("bis 25 Jahre", AgeRange(False, 0, 216)),
        ("ab dem 4. Lebensmonat", AgeRange(False, 3, None)),
        ("bis zum 9. Lebensmonat", AgeRange(False, 0, 9)),
        ("ab 5 Wochen bis zum Krabbelalter", AgeRange(False, 1, 6)),
        ("Rückbildung nach dem Wochenbett", AgeRange(True, None, None)),
    ],
)
def test_german_age_phrases(text: str, expected: AgeRange) -> None:
    assert parse_age_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "für alle",
        "Dienstag 10:30–11:30 Uhr",
        "bis zu fünf Kinder pro Gruppe",
        "2 € pro Treffen",
    ],
)
def test_text_without_an_age_gives_none(text: str) -> None:
    assert parse_age_text(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kinder bis 300 Jahre", None),
        ("von 2 bis 40 Jahren", None),
        ("bis 18 Jahre", AgeRange(False, 0, 216)),
        ("Kinder von 3 bis 5 Jahren", AgeRange(False, 36, 60)),
    ],
)
def test_strict_reading_refuses_ages_beyond_childhood(text: str, expected: AgeRange | None) -> None:
    assert parse_age_text(text, strict=True) == expected


def test_numbers_only_reading_ignores_age_words() -> None:
    assert parse_age_text("Babys und Kleinkinder", words=False) is None
    assert parse_age_text("Babys von 2 bis 9 Monaten", words=False) == AgeRange(False, 2, 9)


NUMBER = r"(?:\d+|ein|einem|zwei|drei|vier|fünf|sechs|acht|neun|zehn|zwölf)"
UNIT = r"(?:jahr|monat|woche)"
STATED_RANGE = re.compile(
    rf"\b{NUMBER}\s*(?:{UNIT}\w*)?\s*(?:-|–|bis|und)\s*{NUMBER}\s+{UNIT}", re.I
)
STATED_FROM = re.compile(rf"\bab\s+(?:etwa\s+)?{NUMBER}\s+{UNIT}", re.I)
STATED_UPTO = re.compile(rf"\b(?:bis|unter)\s+{NUMBER}\s+{UNIT}", re.I)


def test_parser_agrees_with_the_corpus_where_its_texts_state_an_age() -> None:
    """Every explicit age phrase in a corpus title, summary or description is parsed and the
    bound it states compared with the offer's structured value (min for "ab", max for "bis",
    both for a range). The corpus is hand-made, so a few offers differ from their own text
    ("Kinder von 0 bis 3 Jahren" with 0..12 months); the share must stay high."""
    compared = agreed = 0
    misses: list[str] = []
    for line in RELEVANCE_CORPUS.read_text(encoding="utf-8").splitlines():
        offer = json.loads(line)
        for field in ("title", "summary", "description"):
            text = html_to_text(offer[field])
            bounds = _stated_bounds(text)
            parsed = parse_age_text(text) if bounds else None
            for bound in bounds:
                got = getattr(parsed, f"{bound}_months") if parsed else None
                compared += 1
                if got == offer[f"age_{bound}_months"]:
                    agreed += 1
                else:
                    misses.append(f"{offer['local_id']} {bound}={got}: {text[:60]}")
    share = agreed / compared
    print(f"age phrases: {agreed}/{compared} bounds agree with the corpus ({share:.1%})")
    assert compared >= 150
    assert share >= 0.85, "\n".join(misses)


def _stated_bounds(text: str) -> list[str]:
    if STATED_RANGE.search(text):
        return ["min", "max"]
    return [b for b, p in (("min", STATED_FROM), ("max", STATED_UPTO)) if p.search(text)]
