"""Dates and recurrences in German ("jeden 2. Dienstag im Monat, 15–17 Uhr") → sessions.

Each sentence is read on its own (`datewords.scan`), so a time belongs to the days or dates of
its sentence: "Kursbeginn: Montag, 29. September 2025, 5 Termine, jeweils 10:30–11:30 Uhr" is a
weekly series of five, "mittwochs von 9:30 bis 11:30 Uhr" an open weekly rule, "Termine:
03.02., 10.02. und 17.02.2027" three sessions. Sentences under a date label ("Wann:",
"Termin:", "Kursbeginn:") are read first; only a page without them is read whole. Rules are
expanded with dateutil (`connectors.sdk.recurrence.Rule`): an open rule over a bounded window
from `now`, a counted series from its first date. Series skip NRW's public holidays (and the
school holidays where the page says "außer in den Ferien"), as family centres are closed then.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import holidays

from connectors.sdk.recurrence import Rule, Window, dated
from hub.core.vocab import fold
from hub.ingest.extract.datewords import ISO_DAYS, Token, Written, scan, to_date
from hub.ingest.extract.facts import DateFacts
from hub.ingest.extract.page import LABEL_LINE, Page

ZONE = ZoneInfo("Europe/Berlin")
WINDOW_DAYS = 180  # as the iCal connector: an open rule is expanded half a year ahead
MAX_SESSIONS = 200  # per page; a daily rule over the window stays below it
MAX_COUNT = 60  # "60 Termine" is a year of weekly meetings; more is a misreading
YEARS_BACK, YEARS_AHEAD = 2, 3  # a date outside this span of `now` is a history or a typo
DATE_LABELS = ("wann", "termin", "termine", "datum", "zeit", "zeiten", "uhrzeit", "beginn",
               "kursbeginn", "start", "kurstermine", "kurszeiten", "treffen", "treffzeiten",
               "veranstaltungstermine", "wann und wo")  # fmt: skip
TIME_LABELS = ("uhrzeit", "zeit", "beginn um", "dauer")
# Office hours are when an office answers, not sessions of an offer (unless a drop-in hour).
HOURS_LABELS = ("oeffnungszeiten", "sprechzeiten", "buerozeiten", "servicezeiten",
                "telefonzeiten", "erreichbarkeit", "telefonische erreichbarkeit")  # fmt: skip
# Words before a date that make it a deadline rather than a session ("Anmeldung bis 10.01.").
DEADLINE = re.compile(r"\b(?:anmeld\w*|\w*frist|stand|bewerbung\w*)\b")
# A sentence about the past or about cancelled or closed days holds no session.
NOT_SESSIONS = re.compile(
    r"\b(?:seit|aktualisiert|veröffentlicht|geändert|erschienen|gegründet|eröffnet|geboren"
    r"|geschlossen|entfällt|entfallen|abgesagt|f[äa]ll(?:t|en)\s+(?:\w+\s+)?aus)\b",
    re.I,
)
EVERY = re.compile(r"jede|immer|wöchentlich", re.I)
STARTS = ("ab", "beginn", "start", "vom", "erster termin", "startet", "beginnt", "ab dem")
UNTIL = ("bis", "bis zum", "bis einschließlich", "endet")
EXCEPT = ("außer", "außer am", "nicht am", "ausgenommen", "ausgenommen am")
# Heiligabend and Silvester are no public holidays, but family centres are closed on both.
CLOSED_DAYS = ((12, 24), (12, 31))


@dataclass
class Plan:
    """One rule read from a sentence, before it is expanded."""

    freq: str
    days: tuple[str, ...]
    interval: int = 1
    span: tuple[time, time | None] | None = None
    first: date | None = None
    until: date | None = None
    count: int | None = None
    school_holidays_off: bool = False
    skipped: frozenset[date] = frozenset()


@dataclass
class Reading:
    """What one sentence says: single sessions and rules."""

    sessions: list[dict[str, str]] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)


def extract_dates(page: Page, now: datetime) -> DateFacts | None:
    """Sessions (expanded over a bounded window from `now`) and the rule in words, or None."""
    now = now.astimezone(ZONE)
    labelled, running = _segments(page)
    readings = [_read_sentence(text, now, True) for text in labelled]
    if not any(r.sessions or any(p.span for p in r.plans) for r in readings):
        # nothing dated or timed under a label: the running text may say "9–11 Uhr"
        readings += [_read_sentence(text, now, False) for text in running]
    return _facts(readings, now)


def _segments(page: Page) -> tuple[list[str], list[str]]:
    """Sentences under a date label, and the other sentences (office hours left out)."""
    labelled: list[str] = []
    running: list[str] = []
    for sentence in page.sentences():
        match = LABEL_LINE.match(sentence)
        label = fold(match.group(1)) if match else ""
        if label in HOURS_LABELS and "sprechstunde" not in sentence.lower():
            continue
        if label in TIME_LABELS and labelled:  # "Datum: 14.03.2027" then "Uhrzeit: 10–12 Uhr"
            labelled[-1] += f", {sentence}"
            continue
        (labelled if label in DATE_LABELS else running).append(sentence)
    return labelled, running


def _facts(readings: list[Reading], now: datetime) -> DateFacts | None:
    sessions = [s for r in readings for s in r.sessions]
    texts: list[str] = []
    for plan in _subsumed([p for r in readings for p in r.plans]):
        expanded, text = _expand(plan, now)
        sessions.extend(expanded)
        texts.append(text)
    if not sessions and not texts:
        return None
    result = dated(sessions, list(dict.fromkeys(texts)), None)
    return DateFacts(result["dates"][:MAX_SESSIONS], result["recurrence_text"][:500])


def _subsumed(plans: list[Plan]) -> list[Plan]:
    """Without the untimed rules on a weekday a timed rule already covers: "Jeden Donnerstag
    von 9:30 bis 11 Uhr … an jedem ersten Donnerstag im Monat mit Hebamme" is one schedule."""
    timed_days = {day[-2:] for plan in plans if plan.span for day in plan.days}
    return [p for p in plans if p.span or not {d[-2:] for d in p.days} <= timed_days]


def _read_sentence(sentence: str, now: datetime, labelled: bool) -> Reading:
    """Rules and sessions of one sentence; a time goes with the days or date just before it.
    A bare "dienstags" needs a time, a date label or a word of rhythm ("immer", "14-tägig"):
    "Das Büro ist dienstags besetzt" is no schedule."""
    tokens = scan(sentence)
    if _no_sessions(sentence, tokens):
        return Reading()
    rhythm = labelled or any(t.kind in ("span", "interval", "no_holidays") for t in tokens)
    rules = [t for t in tokens if _is_rule(t, rhythm)]
    dates = list(_dates(tokens, sentence, now))
    count = next((t.number for t in tokens if t.kind == "count" and dates), None)
    interval = next((t.number for t in tokens if t.kind == "interval"), None)
    off = any(t.kind == "no_holidays" for t in tokens)
    starts = [d for role, d, _ in dates if role == "start"]
    until = next((d for role, d, _ in dates if role == "until"), None)
    if rules:  # a rule's dates are its first day ("ab", or plain), its end and its exceptions
        plain = [d for role, d, _ in dates if role == "plain"]
        first = min(starts or plain) if starts or plain else None
        undated = [t for t in tokens if t.kind != "date"]
        plans = [_plan(t, undated, interval, first, until, count, off) for t in rules]
        skipped = frozenset(d for role, d, _ in dates if role == "except")
        return Reading(plans=[replace(p, skipped=skipped) for p in plans])
    sessions_dates = [(d, t) for role, d, t in dates if role in ("start", "plain")]
    if count and len(sessions_dates) == 1:
        day, token = sessions_dates[0]
        span = _span_after(token, tokens)
        plan = Plan("WEEKLY", (ISO_DAYS[day.weekday()],), interval or 1, span, day, None, count)
        plan.school_holidays_off = off
        return Reading(plans=[plan])
    if len(sessions_dates) == 1 and until and until > sessions_dates[0][0]:
        day, token = sessions_dates[0]
        return Reading(sessions=[_stretch(day, until, _span_after(token, tokens))])
    return Reading(sessions=[_session(d, _span_after(t, tokens)) for d, t in sessions_dates])


def _is_rule(token: Token, rhythm: bool) -> bool:
    """ "jeden Dienstag", "immer donnerstags", "wöchentlich am Montag" say a rhythm themselves;
    a bare "dienstags" only with a time or a rhythm elsewhere in the sentence."""
    if token.kind == "monthly":
        return True
    return token.kind == "weekly" and (rhythm or EVERY.match(token.text) is not None)


def _no_sessions(sentence: str, tokens: list[Token]) -> bool:
    """True for a sentence about history or closures ("in den Ferien geschlossen" aside)."""
    holidays_off = [(t.start, t.end) for t in tokens if t.kind == "no_holidays"]
    return any(
        not any(a <= m.start() < b for a, b in holidays_off)
        for m in NOT_SESSIONS.finditer(sentence)
    )


def _dates(tokens: list[Token], sentence: str, now: datetime) -> Iterator[tuple[str, date, Token]]:
    """(role, day, token) of every possible date: role "start", "until" or "plain"; a year-less
    date takes the year of a later dated date of the list ("03.02. und 17.02.2027"), else the
    next occurrence from `now`."""
    written = [(t, t.written) for t in tokens if t.written is not None]
    for index, (token, when) in enumerate(written):
        before = sentence[max(0, token.start - 30) : token.start].lower()
        if DEADLINE.search(before):
            continue
        later_years = [w.year for _, w in written[index + 1 :] if w.year]
        day = _resolve(when, later_years[0] if later_years else None, now)
        if day is None:
            continue
        tail = before.rstrip(" ,:").rsplit(" ", 2)
        yield _role(tail), day, token


def _role(tail: list[str]) -> str:
    for role, words in (("except", EXCEPT), ("until", UNTIL), ("start", STARTS)):
        if _ends_with(tail, words):
            return role
    return "plain"


def _ends_with(tail: list[str], words: Iterable[str]) -> bool:
    last = tail[-1] if tail else ""
    two = " ".join(tail[-2:])
    return any(last == w or two == w or (last.endswith(w) and len(w) > 4) for w in words)


def _resolve(written: Written, list_year: int | None, now: datetime) -> date | None:
    if written.year is not None:
        day = to_date(written, written.year)
    else:
        day = to_date(written, list_year) if list_year else None
        if day is None:
            found = (to_date(written, now.year + k) for k in range(2))
            day = next((d for d in found if d is not None and d >= now.date()), None)
    if day is None or not now.year - YEARS_BACK <= day.year <= now.year + YEARS_AHEAD:
        return None
    return day


def _span_after(token: Token, tokens: list[Token]) -> tuple[time, time | None] | None:
    """The time right after `token` (before the next day or date), else the sentence's shared
    time ("Samstag, 28. März und Sonntag, 29. März, jeweils 10–16 Uhr")."""
    later = tokens[tokens.index(token) + 1 :]
    for other in later:
        if other.span and not other.shared:
            return other.span
        if other.kind in ("date", "weekly", "monthly"):
            break
    owned = _owned_spans(tokens)
    free = [t.span for t in tokens if t.span and id(t) not in owned]
    return free[0] if free else None


def _owned_spans(tokens: list[Token]) -> set[int]:
    owned: set[int] = set()
    for before, after in pairwise(tokens):
        if after.span and not after.shared and before.kind in ("date", "weekly", "monthly"):
            owned.add(id(after))
    return owned


def _plan(
    rule: Token,
    tokens: list[Token],
    interval: int | None,
    first: date | None,
    until: date | None,
    count: int | None,
    off: bool,
) -> Plan:
    span = _span_after(rule, tokens)
    if rule.kind == "monthly":
        return Plan("MONTHLY", rule.days, 1, span, first, until, count, off)
    return Plan("WEEKLY", rule.days, interval or rule.number, span, first, until, count, off)


def _session(day: date, span: tuple[time, time | None] | None) -> dict[str, str]:
    """One dated session; without a time it takes the whole day."""
    if span is None:
        begin = datetime.combine(day, time(0), ZONE)
        return {"start": begin.isoformat(), "end": (begin + timedelta(days=1)).isoformat()}
    begin = datetime.combine(day, span[0], ZONE)
    session = {"start": begin.isoformat()}
    if span[1] is not None:
        session["end"] = datetime.combine(day, span[1], ZONE).isoformat()
    return session


def _stretch(first: date, last: date, span: tuple[time, time | None] | None) -> dict[str, str]:
    """ "vom 6.7. bis 10.7.2027": one session over the days."""
    session = _session(first, span)
    end = _session(last, span)
    session["end"] = end.get("end") or end["start"]
    return session


def _expand(plan: Plan, now: datetime) -> tuple[list[dict[str, str]], str]:
    """Sessions of a rule and its German wording. A counted series runs from its first date;
    an open rule over the window from `now` (none when its phase is unknown: "14-tägig")."""
    start, end = plan.span or (time(0), None)
    first = plan.first or now.date()
    length = None if plan.span else timedelta(days=1)
    count = min(plan.count, MAX_COUNT) if plan.count else None
    if count:
        step = 31 if plan.freq == "MONTHLY" else 7 * plan.interval
        window = Window(datetime.combine(first, time(0), ZONE), _at(first, 2 * step * count), ZONE)
    else:
        window = Window(max(now, datetime.combine(first, time(0), ZONE)), now + _days(), ZONE)
    excluded = _closed_days(window, plan.school_holidays_off) | plan.skipped
    rule = Rule(plan.freq, plan.interval, list(plan.days), [], [], first, plan.until, None,
                start, end, length, ZONE, excluded)  # fmt: skip
    sessions = rule.sessions(window)[: count or MAX_SESSIONS]
    if not count and plan.interval > 1 and plan.first is None:
        sessions = []
    return sessions, _wording(rule, plan, count)


def _wording(rule: Rule, plan: Plan, count: int | None) -> str:
    text = rule.text
    if count:
        text += f", {count} Termine ab {rule.first:%d.%m.%Y}"
    elif plan.first:
        text += f", ab {plan.first:%d.%m.%Y}"
    if plan.until:
        text += f", bis {plan.until:%d.%m.%Y}"
    return text + (", nicht in den Schulferien" if plan.school_holidays_off else "")


def _at(day: date, days: int) -> datetime:
    return datetime.combine(day + timedelta(days=days), time(23, 59), ZONE)


def _days() -> timedelta:
    return timedelta(days=WINDOW_DAYS)


def _closed_days(window: Window, school: bool) -> set[date]:
    years = tuple(range(window.start.year, window.end.year + 1))
    return set(_holidays(years, school))


@lru_cache(maxsize=32)
def _holidays(years: tuple[int, ...], school: bool) -> frozenset[date]:
    """NRW's public holidays (the `holidays` package), Heiligabend and Silvester, and with
    `school` the NRW school holidays, in `years`."""
    categories = ("public", "school") if school else ("public",)
    found = holidays.country_holidays("DE", subdiv="NW", years=years, categories=categories)
    closed = {date(y, m, d) for y in years for m, d in CLOSED_DAYS}
    return frozenset(set(found) | closed)
