"""iCalendar (.ics) feeds: one offer per VEVENT UID, recurrences expanded inside a time window.

Municipal event calendars (Familienbildung, Elterncafés, Kurse) are often only published as
.ics. Expansion (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides, cancelled occurrences, time
zones) is done by `recurring-ical-events`; this module groups by UID and maps the fields. Its
"Familienzentrum, Street 1, 12345 City" parser is shared with the schema.org connector.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
from pydantic import AnyHttpUrl, Field, field_validator

from connectors.sdk.base import (
    Connector,
    ConnectorConfig,
    Cursor,
    FetchGenerator,
    RawRecord,
    SourceContext,
)
from connectors.sdk.locations import location_from_text
from connectors.sdk.paging import DEFAULT_RETRY, get_first_page
from connectors.sdk.recurrence import (
    DAY_NAMES,
    MAX_SESSIONS,
    as_datetime,
    describe_recurrence,
    last_day,
)
from hub.core.errors import PermanentFetchError, RecordError
from hub.core.fetcher import FetchResponse, SafeFetcher
from hub.core.vocab import vocabulary

Clock = Callable[[], datetime]


class ICalConfig(ConnectorConfig):
    """Where the .ics feed lives and how far ahead recurring events are expanded."""

    window_days: int = Field(180, ge=1, le=730, description="Days from today to expand dates.")
    default_url: AnyHttpUrl | None = Field(
        None, description="Page linked for events without a URL property (the calendar page)."
    )
    kind: str | None = Field(
        None,
        description="Angebotsform of every event; empty: guessed from CATEGORIES, else "
        "veranstaltung.",
    )
    timezone: str = Field("Europe/Berlin", description="Zone for floating times and all-day dates.")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str | None) -> str | None:
        if value is not None and value not in vocabulary("kinds").terms:
            raise ValueError(f"unknown kind {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class ICalConnector(Connector[ICalConfig]):
    """Reads an iCalendar feed with conditional GET; a recurring course is one offer."""

    kind: ClassVar[str] = "ical"
    config_model: ClassVar[type[ConnectorConfig]] = ICalConfig
    supports_incremental: ClassVar[bool] = True

    def __init__(
        self,
        config: ICalConfig,
        fetcher: SafeFetcher,
        context: SourceContext,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(config, fetcher, context)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.zone = ZoneInfo(config.timezone)
        self.retry = DEFAULT_RETRY
        self.stats = {"events": 0, "cancelled": 0, "outside_window": 0}

    def fetch(self, cursor: Cursor) -> FetchGenerator:
        url = str(self.config.url)
        response = get_first_page(self.fetcher, url, cursor, retry=self.retry)
        if response.not_modified:
            return cursor.unchanged()
        calendar = parse_calendar(response)
        self.stats = dict.fromkeys(self.stats, 0)
        timezones = calendar.walk("VTIMEZONE")
        for uid, events in group_by_uid(events_of(calendar)).items():
            self.stats["events"] += 1
            record = self._record(uid, subcalendar(timezones, events), response)
            if record is not None:
                yield record
        return Cursor(
            etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified")
        )

    def _record(
        self, uid: str, calendar: icalendar.Calendar, response: FetchResponse
    ) -> RawRecord | None:
        master = master_event(calendar)
        if master.status.upper() == "CANCELLED":
            self.stats["cancelled"] += 1
            return RawRecord(local_id=uid, payload={}, deleted=True)
        if not self._sessions(calendar)[0]:
            self.stats["outside_window"] += 1
            return None
        payload = {"ics": calendar.to_ical().decode(), "feed_url": response.url,
                   "feed_last_modified": response.headers.get("last-modified")}  # fmt: skip
        return RawRecord(
            local_id=uid,
            payload=payload,
            updated_at=self._updated(master, payload["feed_last_modified"]),
            source_url=str(master.url or "") or response.url,
        )

    def _window(self) -> tuple[datetime, datetime]:
        now = self.clock().astimezone(self.zone)
        return now, now + timedelta(days=self.config.window_days)

    def _sessions(self, calendar: icalendar.Calendar) -> tuple[list[dict[str, str]], bool]:
        """Sessions inside the window, and whether the series ends inside it."""
        start, end = self._window()
        query = recurring_ical_events.of(calendar)
        sessions = []
        for event in query.between(start, end):
            if event.status.upper() == "CANCELLED":
                continue
            begin = as_datetime(event.start, self.zone)
            session = {"start": begin.isoformat()}
            if event.get("DTEND") is not None or event.get("DURATION") is not None:
                session["end"] = max(begin, as_datetime(event.end, self.zone)).isoformat()
            sessions.append(session)
        finite = next(iter(query.after(end)), None) is None
        return sorted(sessions, key=lambda s: s["start"])[:MAX_SESSIONS], finite

    def _updated(self, event: icalendar.Event, feed_last_modified: str | None) -> datetime:
        for stamp in (event.last_modified, event.stamp, event.created):
            if stamp is not None:
                return as_datetime(stamp, UTC)
        if feed_last_modified:
            try:
                return parsedate_to_datetime(feed_last_modified)
            except (TypeError, ValueError):
                pass
        return self.clock()

    def to_offer(self, record: RawRecord) -> dict[str, Any]:
        calendar = icalendar.Calendar.from_ical(record.payload["ics"])
        event = master_event(calendar)
        sessions, finite = self._sessions(calendar)
        url = str(event.url or "") or (str(self.config.default_url or "") or None)
        if not url or not url.startswith(("http://", "https://")):
            raise RecordError(
                f"event {record.local_id} has no URL and the source has no default_url",
                code="missing_url",
                message_de="Der Termin hat keine Web-Adresse (URL) und für den Kalender ist "
                "keine Standard-Adresse hinterlegt.",
            )
        offer: dict[str, Any] = {
            "url": url,
            "title": event.summary,
            "description": event.description or "",
            "categories": [str(c) for c in event.categories],
            "dates": sessions,
            "recurrence_text": self._recurrence_text(event),
            "updated_at": self._updated(event, record.payload.get("feed_last_modified")),
        }
        if self.config.kind:
            offer["kind"] = self.config.kind
        else:  # the earliest known word wins: "Krabbelgruppe" → gruppe, else Veranstaltung
            offer["kind_text"] = ", ".join([*offer["categories"], "Veranstaltung"])
        offer.update(_place(event))
        if sessions and (until := self._valid_until(event, sessions, finite)):
            offer["valid_until"] = until.isoformat()
        return offer

    def _valid_until(
        self, event: icalendar.Event, sessions: list[dict[str, str]], finite: bool
    ) -> date | None:
        """Last day of a series that ends: inside the window, or its RRULE's UNTIL."""
        if finite:
            return last_day(sessions)
        untils = [rule.get("UNTIL", [None])[0] for rule in event.rrules]
        if event.rrules and all(untils) and not event.rdates:
            return max(as_datetime(u, self.zone).date() for u in untils)
        return None

    def _recurrence_text(self, event: icalendar.Event) -> str:
        rules = event.rrules
        if not rules:
            return ""
        rule = rules[0]
        freq = str(rule.get("FREQ", [""])[0])
        byday = [str(d) for d in rule.get("BYDAY", [])]
        if freq == "WEEKLY" and not byday:  # weekly on DTSTART's weekday
            byday = [list(DAY_NAMES)[as_datetime(event.start, self.zone).weekday()]]
        start = end = None
        if isinstance(event.start, datetime):
            start = as_datetime(event.start, self.zone).timetz().replace(tzinfo=None)
            if event.get("DTEND") is not None or event.get("DURATION") is not None:
                end = as_datetime(event.end, self.zone).timetz().replace(tzinfo=None)
        return describe_recurrence(
            freq,
            int(rule.get("INTERVAL", [1])[0]),
            byday,
            [int(d) for d in rule.get("BYMONTHDAY", [])],
            start,
            end,
        )


def _place(event: icalendar.Event) -> dict[str, Any]:
    text = str(event.location or "").strip()
    if text.startswith(("http://", "https://")):
        return {"online": True}
    location: dict[str, Any] = location_from_text(text)
    geo = event.get("GEO")
    if (
        location
        and geo is not None
        and 50.0 <= geo.latitude <= 52.8
        and 5.5 <= geo.longitude <= 9.8
    ):
        location.update(lat=geo.latitude, lon=geo.longitude)
    return {"locations": [location]} if location else {}


def parse_calendar(response: FetchResponse) -> icalendar.Calendar:
    """The feed as a VCALENDAR; HTML pages and broken files are permanent errors."""
    text = response.text().lstrip("\ufeff \r\n\t")
    if not text.upper().startswith("BEGIN:VCALENDAR"):
        looks_html = text[:200].lower().startswith(("<!doctype html", "<html"))
        raise PermanentFetchError(
            f"{response.url} is not an iCalendar feed ({response.content_type or 'no type'})",
            message_de="Die Adresse liefert eine HTML-Seite statt eines iCalendar-Feeds (.ics)."
            if looks_html
            else "Die Adresse liefert keinen iCalendar-Feed (BEGIN:VCALENDAR fehlt).",
        )
    try:
        return icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise PermanentFetchError(
            f"malformed iCalendar from {response.url}: {exc}",
            message_de=f"Der iCalendar-Feed ist fehlerhaft und kann nicht gelesen werden ({exc}).",
        ) from exc


def group_by_uid(events: Iterable[icalendar.Event]) -> dict[str, list[icalendar.Event]]:
    """VEVENTs by UID; an event without UID (invalid, but seen) gets a stable content id."""
    groups: dict[str, list[icalendar.Event]] = {}
    for event in events:
        uid = str(event.get("UID") or "").strip()
        if not uid:
            seed = f"{event.get('DTSTART').to_ical().decode()}|{event.summary}"
            uid = "ical-" + hashlib.sha256(seed.encode()).hexdigest()[:20]
        groups.setdefault(uid, []).append(event)
    return groups


def subcalendar(
    timezones: Sequence[icalendar.Component], events: Sequence[icalendar.Event]
) -> icalendar.Calendar:
    """A VCALENDAR holding one UID's VEVENTs and the feed's VTIMEZONEs: the record payload."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//Familienhub NRW//ical connector//DE")
    calendar.add("VERSION", "2.0")
    for component in [*timezones, *events]:
        calendar.add_component(component)
    return calendar


def events_of(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    """The VEVENTs of a calendar, typed."""
    return [e for e in calendar.walk("VEVENT") if isinstance(e, icalendar.Event)]


def master_event(calendar: icalendar.Calendar) -> icalendar.Event:
    """The series' main VEVENT: without RECURRENCE-ID, highest SEQUENCE, newest edit."""
    events = events_of(calendar)
    masters = [e for e in events if e.get("RECURRENCE-ID") is None] or events
    return max(masters, key=lambda e: (e.sequence, e.last_modified or e.stamp or _EPOCH))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
