"""Cost and its note from a page ("Teilnahmegebühr 30 €, ermäßigt 15 €", "kostenlos").

The wording rules are `hub.ingest.normalise.hints.parse_cost_text` (shared with the `cost_text`
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
from hub.ingest.extract.page import Page
from hub.ingest.normalise.hints import parse_cost_text

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
    r"|spende|krankenkasse|kassenleistung|\bkosten\b",
    re.IGNORECASE,
)
_NOT_OURS = re.compile(r"elternbeitr|beitragssatzung|kita-?gebühr", re.IGNORECASE)


def extract_cost(page: Page) -> CostFacts | None:
    """What the page says taking part costs, or None when it says nothing."""
    labelled = page.labelled(*COST_LABELS)
    statements = labelled or list(_cost_sentences(page))
    readings = [(text, parse_cost_text(text)) for text in statements]
    known = [(text, cost) for text, cost in readings if cost != "unknown"]
    if not known:
        return _from_parts(statements)
    costs = {cost for _, cost in known}
    if "free" in costs and "paid" in costs:
        return None  # contradictory: say nothing rather than the wrong thing
    cost: Cost = "reduced" if len(costs) > 1 else known[0][1]  # type: ignore[assignment]
    return CostFacts(cost=cost, note="; ".join(text for text, _ in known))


def _from_parts(statements: list[str]) -> CostFacts | None:
    """A price and its reduction may sit in two sentences ("40 €." + "Ermäßigung möglich")."""
    joined = " ".join(statements)
    cost = parse_cost_text(joined) if joined else "unknown"
    if cost == "unknown":
        return None
    return CostFacts(cost=cost, note=joined)  # type: ignore[arg-type]


def _cost_sentences(page: Page) -> Iterator[str]:
    for line in (page.summary, *page.lines):
        for sentence in re.split(r"(?<=[.!?;])\s+", line):
            if _COST_CUE.search(sentence) and not _NOT_OURS.search(sentence):
                yield sentence.strip()
