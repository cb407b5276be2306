"""The words of German dates and schedules, read by one linear scan of a sentence.

`scan` finds, in order of appearance: calendar dates ("Montag, 29. September 2025",
"03.02.", "12.01.2027"), clock times and spans ("15–17 Uhr", "von 9:30 bis 11:30 Uhr"),
weekly days ("mittwochs", "jeden Dienstag und Donnerstag"), monthly days ("jeden 2. Dienstag
im Monat"), intervals ("14-tägig"), session counts ("6 Termine") and "außer in den Ferien".
Numbers that are not followed by a month, a dot pair or "Uhr" are never dates or times, so
prices, phone numbers, postcodes, ages ("ab 6 Monaten") and bare years stay what they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, time
from typing import Literal

MAX_TOKENS = 200  # per sentence, which keeps the pairing of times and dates linear
Kind = Literal["date", "span", "weekly", "monthly", "interval", "count", "no_holidays"]
WEEKDAYS = {"montag": "MO", "dienstag": "TU", "mittwoch": "WE", "donnerstag": "TH",
            "freitag": "FR", "samstag": "SA", "sonnabend": "SA", "sonntag": "SU"}  # fmt: skip
SHORT_DAYS = {"mo": "MO", "di": "TU", "mi": "WE", "do": "TH", "fr": "FR", "sa": "SA", "so": "SU"}
ISO_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
MONTHS = {"januar": 1, "jan": 1, "jänner": 1, "februar": 2, "feb": 2, "febr": 2, "märz": 3,
          "maerz": 3, "mär": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7,
          "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10,
          "okt": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12}  # fmt: skip
NUMBER_WORDS = {"ersten": 1, "zweiten": 2, "dritten": 3, "vierten": 4, "fünften": 5,
                "letzten": -1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
                "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12}  # fmt: skip

_WD = r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag)"
_ADV = r"(?:montags|dienstags|mittwochs|donnerstags|freitags|samstags|sonnabends|sonntags)\b"
_ORD = r"(?:[1-5]\.|ersten|zweiten|dritten|vierten|fünften|letzten)"
_AND = r"\s*(?:,|und|&|sowie|u\.)\s*"
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_CLOCK = r"(?:2[0-4]|[01]?\d)(?:[:.][0-5]\d)?"
_NUM = r"(?:\d{1,2}|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf)"
_PARTS = {
    "monthly": rf"(?:\b(?:jeden|jedem|am|an\s+jedem|immer\s+am)\s+)?(?<![\d.]){_ORD}"
    rf"(?:{_AND}{_ORD})*\s+{_WD}\s+(?:im|des|eines|jeden|pro)\s+monats?\b",
    "weekly": rf"\b(?:jeden|jedem|immer(?:\s+am)?|wöchentlich(?:\s+am)?|jede\s+woche\s+am)\s+"
    rf"(?:(?:zweiten|2\.)\s+)?{_WD}\b(?:{_AND}{_WD}\b)*"
    rf"|\b{_ADV}(?:\s*(?:,|und|&|sowie|bis|–|-)\s*{_ADV})*",
    "date": rf"(?:\b(?:{_WD}|mo|di|mi|do|fr|sa|so)\.?,?\s*(?:den\s+)?)?"
    rf"(?:(?<![\d.,])\d{{1,2}}\.\s?\d{{1,2}}\.(?:\s?\d{{4}}|\d{{2}})?(?![\d])"
    rf"|(?<![\d.,])\d{{1,2}}\.\s*(?:{_MONTH})\b\.?(?:\s+\d{{4}}\b)?"
    r"|\b\d{4}-\d{2}-\d{2}\b)",
    "span": rf"(?<![\d.,:])(?:von\s+)?{_CLOCK}\s*(?:uhr\s*)?(?:–|—|-|bis)\s*{_CLOCK}\s*(?:uhr|h)\b"
    r"|(?<![\d.,:])(?:2[0-4]|[01]?\d):[0-5]\d\s*(?:–|—|-|bis)\s*(?:2[0-4]|[01]?\d):[0-5]\d(?!\d)"
    rf"|(?<![\d.,:])(?:ab\s+|um\s+)?{_CLOCK}\s*uhr\b",
    "interval": r"\b(?:14\s?-?\s?tägig\w*|vierzehntägig\w*|zweiwöchentlich|zweiwöchig\w*"
    r"|alle\s+(?:zwei|drei|vier|[234])\s+wochen|jede\s+zweite\s+woche)",
    "count": rf"(?<![\d.,])\b{_NUM}\s+(?:kurs)?(?:termine|treffen|einheiten|abende|vormittage"
    r"|nachmittage|sitzungen|module)\b",
    "no_holidays": r"\b(?:außer|nicht|ausgenommen|ohne)\s+(?:in\s+den\s+|während\s+der\s+)?"
    r"(?:schul)?ferien|\baußerhalb\s+der\s+(?:schul)?ferien|\bin\s+den\s+(?:schul)?ferien\s+"
    r"(?:nicht|kein|entfällt|entfallen|fällt|geschlossen)",
}
SCANNER = re.compile("|".join(f"(?P<{k}>{v})" for k, v in _PARTS.items()), re.I)
# Every part above needs a digit or one of these words (weekdays hold "tag", "mittwoch" or
# "sonnabend"); a sentence with none of them is skipped at a tenth of the scanner's cost.
MAY_HOLD_DATES = re.compile(
    r"\d|tag|mittwoch|sonnabend|woch|wöch|tägig|ferien"
    r"|termine|treffen|einheiten|abende|vormittage|nachmittage|sitzungen|module",
    re.I,
)
CLOCK = re.compile(r"((?:2[0-4]|[01]?\d))(?:[:.]([0-5]\d))?")
NUMERIC_DATE = re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.(?:\s?(\d{4})|(\d{2}))?$")
WORD_DATE = re.compile(rf"(\d{{1,2}})\.\s*({_MONTH})\b\.?(?:\s+(\d{{4}}))?$", re.I)
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})$")
DAY_WORD = re.compile(rf"{_WD}|{_ADV}", re.I)
ORDINAL = re.compile(_ORD, re.I)
LEADING_DAY = re.compile(rf"^(?:({_WD})|(mo|di|mi|do|fr|sa|so))\b", re.I)
INTERVAL_NUMBER = re.compile(r"(14|vierzehn|zwei|drei|vier|[234])", re.I)


@dataclass(frozen=True)
class Written:
    """A calendar date as written: the year may be missing; `weekday` is the named day."""

    day: int
    month: int
    year: int | None
    weekday: str | None


@dataclass(frozen=True)
class Token:
    """One date word of a sentence, with where it stands (`start`, `end`) and its value."""

    kind: Kind
    start: int
    end: int
    text: str
    written: Written | None = None
    span: tuple[time, time | None] | None = None
    days: tuple[str, ...] = ()
    number: int = 0
    shared: bool = False
    """A time after "jeweils": it belongs to every day or date of the sentence."""


def scan(sentence: str) -> list[Token]:
    """Every date word of `sentence`, left to right; unreadable matches are left out."""
    tokens: list[Token] = []
    if not MAY_HOLD_DATES.search(sentence):
        return tokens
    for match in SCANNER.finditer(sentence):
        if len(tokens) >= MAX_TOKENS:
            break  # a sentence with more date words is a table dump, not a schedule
        kind = match.lastgroup
        token = _read(kind, match) if kind else None
        if token and token.span and token.span[1] is None and _after_until(sentence, token):
            continue  # "Anmeldung bis 17 Uhr" is a deadline, not a start
        if token and token.span and "jeweils" in sentence[max(0, token.start - 10) : token.start]:
            token = replace(token, shared=True)
        if token is not None:
            tokens.append(token)
    return tokens


def _after_until(sentence: str, token: Token) -> bool:
    return sentence[max(0, token.start - 4) : token.start].lower().endswith("bis ")


def _read(kind: str, match: re.Match[str]) -> Token | None:
    token = Token("no_holidays", match.start(), match.end(), match.group())
    text = token.text
    if kind == "date":
        written = _written(text)
        return replace(token, kind="date", written=written) if written else None
    if kind == "span":
        span = _span(text)
        return replace(token, kind="span", span=span) if span else None
    if kind == "weekly":
        return replace(token, kind="weekly", days=_weekdays(text), number=_weekly_interval(text))
    if kind == "monthly":
        return replace(token, kind="monthly", days=_monthly_days(text))
    if kind == "interval":
        return replace(token, kind="interval", number=_number(text, kind))
    if kind == "count":
        return replace(token, kind="count", number=_number(text, kind))
    return token


def _written(text: str) -> Written | None:
    weekday = None
    lead = LEADING_DAY.match(text)
    if lead:
        weekday = WEEKDAYS.get((lead.group(1) or "").lower()) or SHORT_DAYS.get(
            (lead.group(2) or "").lower()
        )
        text = text[lead.end() :].lstrip(" .,").removeprefix("den ").strip()
    if match := ISO_DATE.match(text):
        return Written(int(match[3]), int(match[2]), int(match[1]), weekday)
    if match := NUMERIC_DATE.match(text):
        year = int(match[3]) if match[3] else (2000 + int(match[4]) if match[4] else None)
        return Written(int(match[1]), int(match[2]), year, weekday)
    if match := WORD_DATE.match(text):
        year = int(match[3]) if match[3] else None
        return Written(int(match[1]), MONTHS[match[2].lower()], year, weekday)
    return None


def _span(text: str) -> tuple[time, time | None] | None:
    clocks = [_clock(h, m) for h, m in CLOCK.findall(text)]
    if not clocks or any(c is None for c in clocks):
        return None
    begin, end = clocks[0], clocks[1] if len(clocks) > 1 else None
    assert begin is not None
    return (begin, end) if end is None or end > begin else None


def _clock(hours: str, minutes: str) -> time | None:
    hour, minute = int(hours), int(minutes or 0)
    if hour == 24 and minute == 0:
        return time(23, 59)
    return time(hour, minute) if hour < 24 else None


def _weekdays(text: str) -> tuple[str, ...]:
    """Day codes of "dienstags und donnerstags"; "montags bis freitags" means every day between."""
    codes = [WEEKDAYS[w.lower().removesuffix("s")] for w in DAY_WORD.findall(text)]
    if len(codes) == 2 and re.search(r"\bbis\b|[–-]", text):
        first, last = ISO_DAYS.index(codes[0]), ISO_DAYS.index(codes[1])
        codes = ISO_DAYS[first : last + 1] if first < last else codes
    return tuple(dict.fromkeys(codes))


def _weekly_interval(text: str) -> int:
    """ "jeden zweiten Freitag" (without "im Monat") is every other week."""
    return 2 if re.search(r"\b(?:zweiten|2\.)\s", text, re.I) else 1


def _monthly_days(text: str) -> tuple[str, ...]:
    day = WEEKDAYS[DAY_WORD.findall(text)[-1].lower()]
    numbers = [NUMBER_WORDS.get(o.lower()) or int(o.rstrip(".")) for o in ORDINAL.findall(text)]
    return tuple(f"{n}{day}" for n in dict.fromkeys(numbers))


def _number(text: str, kind: str) -> int:
    if kind == "interval":
        found = INTERVAL_NUMBER.search(text)
        word = found.group(1).lower() if found else "2"
        return 2 if word in ("14", "vierzehn") else NUMBER_WORDS.get(word) or int(word)
    first = text.split()[0].lower()
    return NUMBER_WORDS.get(first) or int(first)


def to_date(written: Written, year: int) -> date | None:
    """The written day in `year`, None for an impossible date (31.02.) or a wrong weekday."""
    try:
        found = date(year, written.month, written.day)
    except ValueError:
        return None
    if written.weekday and ISO_DAYS[found.weekday()] != written.weekday:
        return None
    return found
