"""Cost and its note from a page ("Teilnahmegebühr 30 €, ermäßigt 15 €", "kostenlos").

The wording rules are `hub.ingest.extract.phrases.parse_cost_text` (shared with the `cost_text`
hint); this module finds the statement. A labelled value ("Kosten:", "Gebühr:", "Preis:")
is the statement when there is one; otherwise the sentences of the running text that speak
of money, a fee, a donation or a health-insurance benefit. When the statements contradict
each other (one says free, another names a price without a reduction), the page gives no
cost: a wrong "kostenlos" sends a family to a course it cannot pay, so nothing is safer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hub.ingest.extract.facts import Cost, CostFacts
from hub.ingest.extract.page import SENTENCE_END, Page
from hub.ingest.extract.phrases import parse_cost_text

COST_LABELS = (
    "kosten",
    "gebuehr",
    "gebuehren",
    "teilnahmegebuehr",
    "kursgebuehr",
    "preis",
    "preise",
    "beitrag",
    "teilnahmebeitrag",
    "kursbeitrag",
    "eintritt",
    "entgelt",
)
# A sentence about the price of taking part. "frei" alone is not enough in running text
# ("noch Plätze frei"), "Elternbeiträge" of a Kita counselling page are not this offer's price.
_COST_CUE = re.compile(
    r"\d\s*(?:€|eur\b|euro\b)|(?:€|eur)\s*\d|gebühr|kostenfrei|kostenlos|kostenpflichtig"
    r"|gratis|unentgeltlich|eintritt\s+(?:ist\s+)?frei|teilnahme\s+ist\s+(?:\w+\s+)?frei"
    r"|spende|krankenkasse|kassenleistung|\bkosten\b|ermäßig|familienpass|sozialpass",
    re.IGNORECASE,
)
# The page's sentence cut keeps "Nebelswall 11. Die Teilnahme …" together (so that "29.
# September" survives); for a cost note the sentence after a house number is cut off too.
_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
_AFTER_NUMBER = re.compile(rf"(?<=\d\.)\s+(?=(?!{_MONTHS})[A-ZÄÖÜ][a-zäöüß]+\s)")
_NOT_OURS = re.compile(r"elternbeitr|beitragssatzung|kita-?gebühr", re.IGNORECASE)


def extract_cost(page: Page) -> CostFacts | None:
    """What the page says taking part costs, or None when it says nothing."""
    labelled = page.labelled(*COST_LABELS)
    statements = labelled or list(_cost_sentences(page))
    costs = {parse_cost_text(text) for text in statements} - {"unknown"}
    if {"free", "paid"} <= costs:
        return None  # contradictory: say nothing rather than the wrong thing
    note = ("; " if labelled else " ").join(statements)
    # A price and its reduction may sit in two sentences ("60 €." + "Ermäßigung möglich").
    whole = parse_cost_text(note) if statements else "unknown"
    if len(costs) > 1 or whole == "reduced":
        return CostFacts(cost="reduced", note=note)
    if costs:
        return CostFacts(cost=_one(costs), note=note)
    return None


def _one(costs: set[str]) -> Cost:
    cost = next(iter(costs))
    return "free" if cost == "free" else "paid" if cost == "paid" else "reduced"


def _cost_sentences(page: Page) -> Iterator[str]:
    for line in (page.summary, *page.lines):
        for sentence in (c for s in SENTENCE_END.split(line) for c in _AFTER_NUMBER.split(s)):
            if _COST_CUE.search(sentence) and not _NOT_OURS.search(sentence):
                yield sentence.strip()
