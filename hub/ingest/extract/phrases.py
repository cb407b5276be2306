"""German wording → controlled values: costs, and vocabulary codes named in a text.

Shared by the extractors (which find the statement in a page) and the hint resolver (which
gets the statement from a connector), so both read "kostenlos" or "werdende Väter" alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hub.core.vocab import fold, vocabulary

_MONEY = re.compile(
    r"\d\s*(?:€|eur\b|euro\b)|(?:€|eur)\s*\d|\bgebühr(?!enfrei)|\bbeitrag\b|\bkostenpflichtig",
    re.I,
)
_REDUCED = re.compile(  # "keine Ermäßigung" is no reduction
    r"(?<!keine\s)(?<!ohne\s)(?:ermäßig|ermaessig|ermäßigung|familienpass|sozialtarif|sozialpass"
    r"|einkommensabhängig|staffel|spende|geschwister\s+frei|mit\s+berechtigung|inhaber|pass(?:es)?\b|reduziert)",
    re.I,
)
_FREE = re.compile(
    r"kostenfrei|kostenlos|gebührenfrei|gratis|unentgeltlich|\bfrei\b|\b0\s*€"
    r"|\bkeine\s+(?:\w+\s+){0,2}kosten\b|\bkostet\s+(?:sie\s+)?nichts\b|\bohne\s+kosten\b",
    re.I,
)
# A cost label answered by a bare negation: "Kosten: keine", "Gebühr: entfällt".
_NONE = re.compile(r"\s*(?:keine|nichts|entfällt|entfallen)\s*[.!]?\s*", re.I)
# A health-insurance benefit, the insurer named with up to two words between ("übernimmt die
# gesetzliche Krankenkasse", "die Krankenkassen tragen die Kosten").
_PAYS = r"(?:übernimmt|übernehmen|zahlt|zahlen|trägt|tragen|erstattet|erstatten)"
_FREE_WEAK = re.compile(
    rf"kassenleistung|krankenkass\w*\s+(?:\w+\s+){{0,2}}{_PAYS}"
    rf"|{_PAYS}\s+(?:\w+\s+){{0,2}}krankenkass",
    re.I,
)


def best_code(vocab: str, text: str) -> str | None:
    """The code of the earliest phrase in `text` (longest phrase wins where two overlap)."""
    codes = matched_codes(vocab, text)
    return codes[0] if codes else None


def matched_codes(vocab: str, text: str) -> list[str]:
    """Codes whose label or synonym occurs in `text`, in text order, longest match first.

    "werdende Väter" is a synonym of `werdende_eltern`; it hides the shorter "Väter" of
    `vaeter` at the same place, so an expecting father is not also filed under fathers.
    """
    folded = fold(text)
    spans: list[tuple[int, int, str]] = []
    for code, pattern in _phrase_patterns(vocab):
        for match in pattern.finditer(folded):
            spans.append((match.start(), match.end(), code))
    taken: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if all(span[1] <= t[0] or span[0] >= t[1] for t in taken):
            taken.append(span)
    return list(dict.fromkeys(code for _, _, code in sorted(taken)))


@lru_cache(maxsize=32)
def _phrase_patterns(vocab: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Every folded label and synonym of a vocabulary as (code, compiled search), built once
    per process instead of once per text."""
    patterns = []
    for term in vocabulary(vocab).terms.values():
        raw = (term.code.replace("_", " "), term.label_de, *term.synonyms)
        for phrase in sorted({fold(p) for p in raw if len(fold(p)) >= 2}):
            patterns.append((term.code, re.compile(rf"(?<![a-z0-9]){re.escape(phrase)}")))
    return tuple(patterns)


def parse_cost_text(text: str) -> str:
    """free / reduced / paid / unknown for a German cost note (rules follow the relevance corpus).

    A reduction ("ermäßigt", "Familienpass", "Spende erbeten") or a price together with a free
    clause ("2 € pro Treffen, ermäßigt frei") is `reduced`; a price alone is `paid`; "kostenfrei",
    "kostenlos", "Eintritt frei" or a health-insurance benefit without a price is `free`.
    """
    if _NONE.fullmatch(text):
        return "free"
    has_money = bool(_MONEY.search(text))
    if _REDUCED.search(text) and (has_money or "spende" in text.lower()):
        return "reduced"
    if has_money:
        return "reduced" if _FREE.search(text) else "paid"
    if _FREE.search(text) or _FREE_WEAK.search(text):
        return "free"
    return "unknown"
