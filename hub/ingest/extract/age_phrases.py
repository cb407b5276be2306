"""Free German age phrases ("0–3 Jahre", "ab 6 Monaten", "werdende Eltern", "U3") → age range.

The rule follows how the relevance corpus (`tests/data/relevance/corpus.jsonl`, 400 offers with
text and structured ages) encodes the phrases it contains, so feeds and the judged data agree:

- Months are inclusive at both ends and a year boundary is its month count: "N Jahre" is N×12
  at either end. "0–3 Jahre" → 0..36, "1 - 3 Jahre" → 12..36, "bis drei Jahre" and "unter drei
  Jahren" → 0..36 (the corpus never uses 35 or 47). The age-group facets in
  `mappings/vocab/age_groups.yaml` use the same borders.
- An upper bound alone ("bis 12 Monate", "unter 3 Jahren", "bis zum Schuleintritt") starts at
  birth (min 0), as in the corpus; a lower bound alone ("ab 6 Monaten") leaves the top open.
- Weeks become months rounded to the nearest month (×12/52): "ab 6 Wochen" → 1, "ab 8 Wochen"
  → 2. The corpus writes "ab 6 Wochen" mostly as 1 (and a few times as 2).
- "im ersten Lebensjahr" → 0..12, "im N. Lebensjahr" → (N−1)×12..N×12 ("ab dem N. Lebensmonat"
  likewise → N−1 months, the months completed when the N-th begins), "bis zum N. Geburtstag"
  → 0..N×12, "in den ersten N Lebensjahren" → 0..N×12.
- "bis zum Schuleintritt" / "bis zur Einschulung" → 0..72: NRW children start school at six; the
  corpus encodes it as 72 (not 83).
- "bis zum Krabbelalter" → ..6: crawling starts around six months, where "Krabbelkinder" start.
- "über N Jahre" is a lower bound like "ab N Jahren" (as "Ü3" is 36..).
- Age words apply only when the text has no number: "U3" → 0..36 (consistent with "unter drei
  Jahren" above), "Ü3" → 36.., "Kita-Kinder"/"Kindergartenkinder" → 36..72, "Babys"/"Säuglinge"
  → 0..12, "Neugeborene" → 0..3, "Krabbelkinder" → 6..18, "Kleinkinder" → 12..36,
  "Vorschulkinder" → 60..72. Several words make the union ("Babys und Kleinkinder" → 0..36).
- Pregnancy ("werdende Eltern", "Schwangere", "Schwangerschaft", "Geburtsvorbereitung") sets the
  flag and keeps any child range: "Schwangerschaft bis 1 Jahr" → pregnancy, 0..12.
- Bounds above 216 months (18 years, the schema's cap) are capped there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_MONTHS = 216
SCHOOL_ENTRY_MONTHS = 72
CRAWLING_MONTHS = 6

_CARDINALS = {
    "null": 0.0,
    "ein": 1.0,
    "eins": 1.0,
    "eine": 1.0,
    "einem": 1.0,
    "einen": 1.0,
    "einer": 1.0,
    "zwei": 2.0,
    "drei": 3.0,
    "vier": 4.0,
    "fünf": 5.0,
    "fuenf": 5.0,
    "sechs": 6.0,
    "sieben": 7.0,
    "acht": 8.0,
    "neun": 9.0,
    "zehn": 10.0,
    "elf": 11.0,
    "zwölf": 12.0,
    "zwoelf": 12.0,
    "achtzehn": 18.0,
    "vierundzwanzig": 24.0,
    "anderthalb": 1.5,
    "eineinhalb": 1.5,
    "zweieinhalb": 2.5,
    "dreieinhalb": 3.5,
    "halben": 0.5,
    "halbes": 0.5,
}
_ORDINALS = {
    "erst": 1,
    "zweit": 2,
    "dritt": 3,
    "viert": 4,
    "fünft": 5,
    "fuenft": 5,
    "sechst": 6,
    "siebt": 7,
    "acht": 8,
    "neunt": 9,
    "zehnt": 10,
}

_NUM = r"(?:\d+(?:[.,]\d+)?|" + "|".join(sorted(_CARDINALS, key=len, reverse=True)) + r")"
_ORD_WORDS = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_ORD = rf"(?:\d+\.|(?:{_ORD_WORDS})(?:e|en|er|es|em)?)"
_UNIT = r"(?:jahr(?:e|en|es)?\b|j\b\.?|-?jährig\w*|monat(?:e|en|s)?\b|mon\.|woche(?:n)?\b|wo\.)"
_APPROX = r"(?:(?:etwa|ca\.?|circa|ungefähr|rund)\s+)?"

_RANGE = re.compile(
    rf"(?:\bvon\s+)?{_APPROX}\b(?P<a>{_NUM})\s*(?P<ua>{_UNIT})?\s*-?\s*(?:-|\bbis(?:\s+zu)?\b)\s*"
    rf"{_APPROX}(?P<b>{_NUM})\s*(?P<ub>{_UNIT})"
)
_BETWEEN = re.compile(
    rf"\bzwischen\s+{_APPROX}(?P<a>{_NUM})\s*(?P<ua>{_UNIT})?\s+und\s+{_APPROX}(?P<b>{_NUM})\s*"
    rf"(?P<ub>{_UNIT})"
)
_FROM = re.compile(rf"\b(?:ab|über|älter\s+als)\s+{_APPROX}(?P<a>{_NUM})\s*(?P<ua>{_UNIT})")
_UPTO = re.compile(
    rf"\b(?:bis(?:\s+zu)?|unter|jünger\s+als|maximal|max\.)\s+{_APPROX}(?P<b>{_NUM})\s*(?P<ub>{_UNIT})"
)
_BIRTHDAY = re.compile(rf"\b(?P<dir>ab|bis)\s+(?:zum|dem)\s+(?P<n>{_ORD})\s*geburtstag")
_YEAR_OF_LIFE = re.compile(
    rf"\b(?P<pre>ab\s+dem|bis\s+zum\s+ende\s+des|bis\s+zum|im|das)\s+(?P<n>{_ORD})\s*"
    r"lebens(?P<unit>jahr|monat)"
)
_FIRST_YEARS = re.compile(rf"\bin\s+den\s+ersten\s+(?P<n>{_NUM})\s+lebensjahren")
_FROM_BIRTH = re.compile(r"\b(?:ab|von)\s+(?:der\s+)?geburt\b")
_SCHOOL = re.compile(
    r"\bbis\s+(?:zum|zur)\s+(?:schuleintritt|einschulung|schulbeginn|schulstart|schulalter"
    r"|eintritt\s+in\s+die\s+(?:grund)?schule)"
)
_CRAWLING = re.compile(r"\bbis\s+(?:zum|ins)\s+krabbel(?:alter|n)\b")
_PREGNANCY = re.compile(
    r"schwanger|werdende|erwartende|geburtsvorbereitung|pränatal|praenatal|vor\s+der\s+geburt|wochenbett"
    r"|\bssw\b|mehrlinge\s+erwarten|ein\s+kind\s+erwarten"
)
_AGE_WORDS: tuple[tuple[re.Pattern[str], int, int | None], ...] = (
    (re.compile(r"\bu\s*-?\s*3\b|\bunter\s*-?\s*dreijährig"), 0, 36),
    (re.compile(r"(?:\bü|\bue)\s*-?\s*3\b|\büber\s*-?\s*dreijährig"), 36, None),
    (re.compile(r"\bkita\s*-?\s*(?:kind|alter)|\bkindergarten\s*-?(?:kind|alter)"), 36, 72),
    (re.compile(r"\bbab(?:y|ys|ies)\b|\bsäugling"), 0, 12),
    (re.compile(r"\bneugeboren"), 0, 3),
    (re.compile(r"\bkrabbel\s*-?\s*(?:kind|alter)"), 6, 18),
    (re.compile(r"\bklein(?:kind|-\s*(?:und|&|/))"), 12, 36),
    (re.compile(r"\bvorschul\s*-?\s*(?:kind|alter)"), 60, 72),
)


@dataclass(frozen=True)
class AgeRange:
    """A child's age range in months (both ends inclusive, None = open) and the pregnancy flag."""

    pregnancy: bool = False
    min_months: int | None = None
    max_months: int | None = None


def parse_age_text(
    text: str | None, *, words: bool = True, strict: bool = False
) -> AgeRange | None:
    """The age range a German phrase states, or None when it states none (see module doc).

    `words=False` reads numbers only (no "Babys", "U3"), so a caller scanning running text can
    prefer a number anywhere over an age word. `strict=True` is for text not written as an
    age field: a bound beyond 18 years is no child's age ("bis 300 Jahre") and gives None
    instead of being capped.
    """
    if not text:
        return None
    norm = _normalise(text)
    pregnancy = bool(_PREGNANCY.search(norm))
    low, high = _numeric_bounds(norm)
    if strict and any(b is not None and b > MAX_MONTHS for b in (low, high)):
        return None
    if low is None and high is None and words:
        low, high = _word_bounds(norm)
    if low is None and high is None and not pregnancy:
        return None
    if high is not None and low is None:
        low = 0
    if low is not None and high is not None and low > high:
        low, high = high, low
    return AgeRange(pregnancy, _cap(low), _cap(high))


def _normalise(text: str) -> str:
    text = text.lower().replace("\xa0", " ")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"(\d)\s*½", r"\1.5", text).replace("½", "0.5")
    text = re.sub(r"\b(?:ein(?:em|en|es)?\s+)?halbe[ns]?\s+jahr\w*", "6 monate", text)
    return re.sub(r"\s+", " ", text)


def _numeric_bounds(norm: str) -> tuple[int | None, int | None]:
    low: int | None = None
    high: int | None = None
    for pattern in (_BETWEEN, _RANGE):
        match = pattern.search(norm)
        if match:
            unit_b = match["ub"]
            low = _months(match["a"], match["ua"] or unit_b)
            high = _months(match["b"], unit_b)
            norm = norm[: match.start()] + " " + norm[match.end() :]
            break
    if low is None:
        low = _first_lower(norm)
    if high is None:
        high = _first_upper(norm)
    return low, high


def _first_lower(norm: str) -> int | None:
    if match := _FROM.search(norm):
        return _months(match["a"], match["ua"])
    if (match := _BIRTHDAY.search(norm)) and match["dir"] == "ab":
        return _ordinal(match["n"]) * 12
    if match := _YEAR_OF_LIFE.search(norm):
        n = _ordinal(match["n"])
        return None if match["pre"].startswith("bis") else (n - 1) * _life_unit(match)
    if _FROM_BIRTH.search(norm) or _FIRST_YEARS.search(norm):
        return 0
    return None


def _first_upper(norm: str) -> int | None:
    if match := _UPTO.search(norm):
        return _months(match["b"], match["ub"])
    if (match := _BIRTHDAY.search(norm)) and match["dir"] == "bis":
        return _ordinal(match["n"]) * 12
    if match := _YEAR_OF_LIFE.search(norm):
        return _ordinal(match["n"]) * _life_unit(match) if match["pre"] != "ab dem" else None
    if match := _FIRST_YEARS.search(norm):
        return round(_number(match["n"]) * 12)
    if _SCHOOL.search(norm):
        return SCHOOL_ENTRY_MONTHS
    if _CRAWLING.search(norm):
        return CRAWLING_MONTHS
    return None


def _word_bounds(norm: str) -> tuple[int | None, int | None]:
    lows: list[int] = []
    highs: list[int | None] = []
    for pattern, low, high in _AGE_WORDS:
        if pattern.search(norm):
            lows.append(low)
            highs.append(high)
    if not lows:
        return None, None
    top = None if None in highs else max(h for h in highs if h is not None)
    return min(lows), top


def _life_unit(match: re.Match[str]) -> int:
    return 12 if match["unit"] == "jahr" else 1


def _number(token: str) -> float:
    token = token.strip()
    if token in _CARDINALS:
        return _CARDINALS[token]
    return float(token.replace(",", "."))


def _ordinal(token: str) -> int:
    token = token.strip()
    if token.endswith("."):
        return int(token[:-1])
    stem = re.sub(r"(?:e|en|er|es|em)$", "", token)
    return _ORDINALS.get(stem, _ORDINALS.get(token, 1))


def _months(number: str, unit: str | None) -> int:
    value = _number(number)
    unit = (unit or "").lstrip("-")
    if unit.startswith(("mon",)):
        return round(value)
    if unit.startswith(("woche", "wo.")):
        return round(value * 12 / 52)
    return round(value * 12)


def _cap(value: int | None) -> int | None:
    return None if value is None else max(0, min(value, MAX_MONTHS))
