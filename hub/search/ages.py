"""A child's age as parents type it, in months: "14 monate", "1,5 jahre", "zwei jahre",
"zweijährige", "ein halbes jahr", "neugeborenes", "im zweiten Lebensjahr".

The age becomes a score hint (offers whose age range holds it rank higher), never a filter.
Digits, number words and "-jährig" adjectives are read; decimals are read before the text is
folded (folding turns "1,5" into two numbers). Pure functions, no engine.
"""

from __future__ import annotations

import re

NUMBERS = {
    "ein": 1, "eins": 1, "einem": 1, "einen": 1, "einer": 1, "eine": 1, "zwei": 2, "drei": 3,
    "vier": 4, "fuenf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11,
    "zwoelf": 12,
}  # fmt: skip
ORDINALS = {"erst": 1, "zweit": 2, "dritt": 3, "viert": 4, "fuenft": 5, "sechst": 6}
HALVES = {"halbes": 0.5, "halben": 0.5, "anderthalb": 1.5, "eineinhalb": 1.5}
_NUMBER = r"\d{1,2}|" + "|".join(sorted(NUMBERS, key=len, reverse=True))
_UNIT = r"jahr|jahre|jahren|j|monat|monate|monaten|mon"
AGE = re.compile(
    rf"\b(?:ab\s+)?({_NUMBER})(?:\s+(?:bis\s+)?(?:{_NUMBER}))?\s*({_UNIT})\b"
    rf"|\b(?:ein\s+)?({'|'.join(HALVES)})\s+(jahr|jahre|jahren)\b"
    rf"|\b({_NUMBER})\s*(jaehrig|monatig)\w*"
    r"|\b(neugeboren)\w*"
    rf"|\b({'|'.join(ORDINALS)})(?:e|en|er|es)?\s+lebensjahr\w*"
)
"""Folded text: "14 monate", "1 bis 3 jahre" (the lower end), "zwei jahre", "ein halbes jahr",
"zweijaehrige", "2 jaehriges", "neugeborene", "im ersten lebensjahr"."""
DECIMAL = re.compile(r"(\d{1,2})[,.](\d)\s*(jahr\w*|j\b)", re.IGNORECASE)
"""Raw text: "1,5 jahre", "2.5 J" (before folding drops the comma)."""


def with_decimal_ages(text: str) -> str:
    """Raw text with decimal years written as months ("1,5 jahre" → "18 monate")."""

    def months(match: re.Match[str]) -> str:
        return f"{round(float(f'{match[1]}.{match[2]}') * 12)} monate"

    return DECIMAL.sub(months, text)


def age_months(folded: str) -> int | None:
    """The first age named in folded text, in months (a range gives its lower end)."""
    match = AGE.search(folded)
    if not match:
        return None
    number, unit, half, half_unit, adjective, suffix, newborn, ordinal = match.groups()
    if newborn:
        return 0
    if ordinal:  # the middle of that year of life
        return (ORDINALS[ordinal] - 1) * 12 + 6
    if half:
        return round(HALVES[half] * 12) if half_unit else None
    value = _number(number or adjective)
    years = (unit or "j").startswith("j") if number else suffix == "jaehrig"
    return value * 12 if years else value


def without_ages(folded: str) -> str:
    """Folded text without the ages it names (they are hints, not words to match); single
    words ("neugeborene", "zweijaehrige") and "im ersten lebensjahr" stay, offers use them
    too ("für Zweijährige")."""
    return AGE.sub(lambda m: m[0] if m[0].isalpha() or m.group(8) else " ", folded)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word]
