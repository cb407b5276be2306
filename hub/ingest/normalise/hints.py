"""Resolution of the free-text *hint* keys a connector may emit next to the schema fields.

Connectors pass what a CMS holds as free text (`age_text`, `kind_text`, `audience_text`,
`cost_text`, `language_text`); the normaliser turns it into controlled values here, so every
connector maps German wording the same way. Explicit structured values in the record always win
over a hint, and every hint key is removed before validation (the schema forbids extra keys).
"""

from __future__ import annotations

import re
from typing import Any

from hub.core.languages import parse_language_text
from hub.core.schema import HINT_KEYS
from hub.core.text import html_to_text
from hub.core.vocab import fold, vocabulary
from hub.ingest.normalise.ages import parse_age_text

_MONEY = re.compile(
    r"\d\s*(?:€|eur\b|euro\b)|(?:€|eur)\s*\d|\bgebühr(?!enfrei)|\bbeitrag\b|\bkostenpflichtig",
    re.I,
)
_REDUCED = re.compile(
    r"ermäßig|ermaessig|ermäßigung|familienpass|sozialtarif|sozialpass|einkommensabhängig"
    r"|staffel|spende|geschwister\s+frei|mit\s+berechtigung|inhaber|pass(?:es)?\b|reduziert",
    re.I,
)
_FREE = re.compile(r"kostenfrei|kostenlos|gebührenfrei|gratis|unentgeltlich|\bfrei\b|\b0\s*€", re.I)
_FREE_WEAK = re.compile(
    r"kassenleistung|krankenkasse\s+(?:übernimmt|zahlt|trägt)"
    r"|(?:übernimmt|zahlt|trägt)\s+(?:ihre\s+|die\s+)?krankenkasse",
    re.I,
)


def resolve_hints(data: dict[str, Any]) -> dict[str, Any]:
    """Turn hint keys into schema fields (in place, also returned); explicit values win."""
    hints = {key: data.pop(key) for key in HINT_KEYS if key in data}
    texts = {key: _text(value) for key, value in hints.items()}
    if texts.get("age_text"):
        _apply_age(data, texts["age_text"])
    if texts.get("kind_text") and not data.get("kind"):
        kind = best_code("kinds", texts["kind_text"])
        if kind:
            data["kind"] = kind
    if texts.get("audience_text") and not data.get("audiences"):
        data["audiences"] = matched_codes("audiences", texts["audience_text"])
    if texts.get("cost_text"):
        if data.get("cost") in (None, "", "unknown"):
            data["cost"] = parse_cost_text(texts["cost_text"])
        if not data.get("cost_note"):
            data["cost_note"] = texts["cost_text"][:500]
    if texts.get("language_text") and not data.get("languages"):
        languages = parse_language_text(texts["language_text"])
        if languages:
            data["languages"] = languages
    return data


def _text(value: Any) -> str:
    """Hints may come as a string or a list of strings; HTML is reduced to text."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value if v is not None)
    return html_to_text(str(value))


def _apply_age(data: dict[str, Any], text: str) -> None:
    parsed = parse_age_text(text)
    if parsed is None:
        return
    if data.get("age_min_months") is None and data.get("age_max_months") is None:
        data["age_min_months"] = parsed.min_months
        data["age_max_months"] = parsed.max_months
    if data.get("pregnancy") is None and parsed.pregnancy:
        data["pregnancy"] = True


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
    for term in vocabulary(vocab).terms.values():
        raw = (term.code.replace("_", " "), term.label_de, *term.synonyms)
        for phrase in {fold(p) for p in raw if len(fold(p)) >= 2}:
            for match in re.finditer(rf"(?<![a-z0-9]){re.escape(phrase)}", folded):
                spans.append((match.start(), match.end(), term.code))
    taken: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if all(span[1] <= t[0] or span[0] >= t[1] for t in taken):
            taken.append(span)
    return list(dict.fromkeys(code for _, _, code in sorted(taken)))


def parse_cost_text(text: str) -> str:
    """free / reduced / paid / unknown for a German cost note (rules follow the relevance corpus).

    A reduction ("ermäßigt", "Familienpass", "Spende erbeten") or a price together with a free
    clause ("2 € pro Treffen, ermäßigt frei") is `reduced`; a price alone is `paid`; "kostenfrei",
    "kostenlos", "Eintritt frei" or a health-insurance benefit without a price is `free`.
    """
    has_money = bool(_MONEY.search(text))
    if _REDUCED.search(text) and (has_money or "spende" in text.lower()):
        return "reduced"
    if has_money:
        return "reduced" if _FREE.search(text) else "paid"
    if _FREE.search(text) or _FREE_WEAK.search(text):
        return "free"
    return "unknown"
