"""Dates and recurrences shared by the ical and schemaorg connectors.

A schema.org `Schedule` is an iCalendar RRULE written in JSON, so both formats share the German
wording of a rule ("wöchentlich mittwochs, 19:00–21:00 Uhr"), the expansion of a rule inside a
time window (dateutil), and the sessions/`valid_until` bookkeeping of the offer schema.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

MAX_SESSIONS = 1000  # the schema's cap; a longer series keeps its earliest sessions
DAY_ADVERBS = {"MO": "montags", "TU": "dienstags", "WE": "mittwochs", "TH": "donnerstags",
               "FR": "freitags", "SA": "samstags", "SU": "sonntags"}  # fmt: skip
DAY_NAMES = {"MO": "Montag", "TU": "Dienstag", "WE": "Mittwoch", "TH": "Donnerstag",
             "FR": "Freitag", "SA": "Samstag", "SU": "Sonntag"}  # fmt: skip
FREQ_WORDS = {"DAILY": ("täglich", "Tage"), "WEEKLY": ("wöchentlich", "Wochen"),
              "MONTHLY": ("monatlich", "Monate"), "YEARLY": ("jährlich", "Jahre")}  # fmt: skip
DAY_CODES = {
    d.lower(): d[:2].upper() for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
}
DAY_CODES |= {"saturday": "SA", "sunday": "SU"}
FREQS = {"D": "DAILY", "W": "WEEKLY", "M": "MONTHLY", "Y": "YEARLY"}
FREQS |= {f: f for f in FREQS.values()}
ISO_PERIOD = re.compile(r"^P(\d+)([DWMY])$", re.I)
ISO_TIME_SPAN = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?$", re.I)


@dataclass(frozen=True)
class Window:
    """The span recurring schedules are expanded in, and the zone for floating times."""

    start: datetime
    end: datetime
    zone: tzinfo


def german_list(items: Sequence[str]) -> str:
    """ "a, b und c" """
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " und " + items[-1]


def describe_recurrence(
    freq: str,
    interval: int = 1,
    byday: Sequence[str] = (),
    bymonthday: Sequence[int] = (),
    start: time | None = None,
    end: time | None = None,
) -> str:
    """German wording of a recurrence rule, e.g. "wöchentlich mittwochs, 19:00–20:00 Uhr"."""
    word, plural = FREQ_WORDS.get(freq.upper(), ("regelmäßig", ""))
    parts = [word if interval <= 1 or not plural else f"alle {interval} {plural}"]
    plain = [d for d in byday if d.upper() in DAY_ADVERBS]
    ordinal = [d for d in byday if d.upper() not in DAY_ADVERBS and d[-2:].upper() in DAY_NAMES]
    if plain:
        days = day_span([d.upper() for d in plain])
        parts = [days] if freq.upper() == "DAILY" and interval <= 1 else [*parts, days]
    if ordinal:
        parts.append("am " + german_list([_ordinal_day(d) for d in ordinal]))
    if bymonthday:
        parts.append("am " + german_list([f"{d}." for d in bymonthday]))
    text = " ".join(parts)
    if start is not None:
        span = f"{start:%H:%M}–{end:%H:%M}" if end is not None else f"{start:%H:%M}"
        text += f", {span} Uhr"
    return text


def day_span(codes: list[str]) -> str:
    """ "montags bis freitags" for three or more consecutive days, else "montags und mittwochs"."""
    order = list(DAY_ADVERBS)
    indexes = sorted({order.index(c) for c in codes})
    if len(indexes) >= 3 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{DAY_ADVERBS[order[indexes[0]]]} bis {DAY_ADVERBS[order[indexes[-1]]]}"
    return german_list([DAY_ADVERBS[order[i]] for i in indexes])


def _ordinal_day(code: str) -> str:
    number, day = code[:-2], DAY_NAMES[code[-2:].upper()]
    if number in {"-1"}:
        return f"letzten {day}"
    return f"{number.lstrip('+')}. {day}"


def last_day(sessions: Sequence[dict[str, str]]) -> date:
    """The calendar day the last session ends on (an end at midnight belongs to the day before)."""
    return max(_session_day(s) for s in sessions)


def _session_day(session: dict[str, str]) -> date:
    start = datetime.fromisoformat(session["start"])
    end = datetime.fromisoformat(session.get("end") or session["start"])
    if end > start and end.time() == time(0):
        end -= timedelta(microseconds=1)
    return end.date()


def as_datetime(value: date | datetime, zone: tzinfo) -> datetime:
    """An aware datetime in `zone`: dates start at local midnight, floating times are local."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), zone)
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def dated(
    sessions: list[dict[str, str]], texts: list[str], ends: list[date] | None
) -> dict[str, Any]:
    """Dates, wording and `valid_until`: the last day of a series that ends (None: open)."""
    unique = {s["start"] + s.get("end", ""): s for s in sessions}.values()
    sessions = sorted(unique, key=lambda s: datetime.fromisoformat(s["start"]))
    result: dict[str, Any] = {"dates": sessions[:MAX_SESSIONS], "recurrence_text": "; ".join(texts)}
    if ends is not None and (sessions or ends):
        days = [*ends, last_day(sessions)] if sessions else ends
        result["valid_until"] = max(days).isoformat()
    return result


def parse_when(value: str, zone: tzinfo) -> tuple[datetime, bool] | None:
    """An aware datetime and whether the source gave a date only."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    date_only = len(value.strip()) <= 10
    return (parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed), date_only


def session_from(start: str, end: str, zone: tzinfo) -> dict[str, str] | None:
    """One session from schema.org start/end; a date-only end includes that whole day."""
    begin = parse_when(start, zone)
    if begin is None:
        return None
    session = {"start": begin[0].isoformat()}
    finish = parse_when(end, zone)
    if finish is not None:
        stop = finish[0] + timedelta(days=1) if finish[1] else finish[0]
        if stop >= begin[0]:
            session["end"] = stop.isoformat()
    return session


@dataclass
class Rule:
    """One Schedule as an iCalendar-style rule (schema.org modelled Schedule on RRULE)."""

    freq: str
    interval: int
    byday: list[str]
    bymonthday: list[int]
    bymonth: list[int]
    first: date
    until: date | None
    count: int | None
    start: time
    end: time | None
    length: timedelta | None
    zone: tzinfo
    excluded: set[date]

    def last_day(self) -> date | None:
        """The day of the last occurrence, None for a schedule without end."""
        if self.count is None:
            return self.until
        days = [o.date() for o in self.rule() if o.date() not in self.excluded]
        return max(days) if days else self.first

    @property
    def text(self) -> str:
        """The rule in German, with times when the schedule gives any."""
        has_time = self.start != time(0) or self.end is not None
        return describe_recurrence(
            self.freq,
            self.interval,
            self.byday,
            self.bymonthday,
            self.start if has_time else None,
            self.end,
        )

    def rule(self) -> rrule.rrule:
        """The dateutil rule (wall-clock times in the schedule's zone, so DST keeps 19:00)."""
        until = datetime.combine(self.until, time(23, 59, 59), self.zone) if self.until else None
        return rrule.rrule(
            getattr(rrule, self.freq),
            interval=self.interval,
            dtstart=datetime.combine(self.first, self.start, self.zone),
            until=until,
            count=min(self.count, 5000) if self.count is not None else None,
            byweekday=[_weekday(code) for code in self.byday] or None,
            bymonthday=self.bymonthday or None,
            bymonth=self.bymonth or None,
        )

    def sessions(self, window: Window) -> list[dict[str, str]]:
        """Occurrences inside the window, without the excepted days."""
        found = []
        for begin in self.rule().between(window.start, window.end, inc=True):
            if begin.date() in self.excluded:
                continue
            session = {"start": begin.isoformat()}
            if self.end is not None:
                stop = datetime.combine(begin.date(), self.end, self.zone)
                session["end"] = (stop if stop > begin else stop + timedelta(days=1)).isoformat()
            elif self.length:
                session["end"] = (begin + self.length).isoformat()
            found.append(session)
        return found


def frequency(value: str) -> tuple[str | None, int]:
    """RRULE FREQ and INTERVAL of a repeatFrequency ("P2W" → WEEKLY, 2; "daily" → DAILY, 1)."""
    match = ISO_PERIOD.match(value.strip())
    if match:
        return FREQS[match.group(2).upper()], max(1, int(match.group(1)))
    return FREQS.get(value.strip().upper()), 1


def day_code(value: str) -> str | None:
    """ "https://schema.org/Monday" → "MO"; iCal codes ("MO", "2MO", "-1SU") pass through."""
    name = value.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    if name.lower() in DAY_CODES:
        return DAY_CODES[name.lower()]
    return name.upper() if re.fullmatch(r"[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)", name, re.I) else None


def _weekday(code: str) -> rrule.weekday:
    day: rrule.weekday = getattr(rrule, code[-2:])
    return day(int(code[:-2])) if code[:-2] not in ("", "+", "-") else day


def zone_or(name: str, default: tzinfo) -> tzinfo:
    """The named IANA zone, or `default` for an empty or unknown name."""
    try:
        return ZoneInfo(name) if name else default
    except (ZoneInfoNotFoundError, ValueError):
        return default


def clock_time(value: str) -> time | None:
    """A wall-clock time from "19:00" or "19:00:00"; None if absent or unreadable."""
    try:
        return time.fromisoformat(value.strip()).replace(tzinfo=None) if value else None
    except ValueError:
        return None


def time_span(value: str) -> timedelta | None:
    """An ISO 8601 duration of hours and minutes ("PT90M", "PT1H30M")."""
    match = ISO_TIME_SPAN.match(value.strip()) if value else None
    if not match or not any(match.groups()):
        return None
    return timedelta(hours=int(match.group(1) or 0), minutes=int(match.group(2) or 0))
