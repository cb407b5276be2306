"""iCalendar connector against recorded .ics feeds served over a real HTTP server.

Each case runs fetch → to_offer → normalise_record with an injected "now" and compares the
offers with `<case>.expected.json` beside the feed (documents minus next_date/content_hash;
`UPDATE_GOLDEN=1` rewrites them). Expanded dates are the heart of these files.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.ical import (
    ICalConfig,
    ICalConnector,
    describe_recurrence,
)
from connectors.sdk.base import SourceContext
from connectors.sdk.paging import RetryPolicy
from hub.core.errors import PermanentFetchError, RecordError, TransientFetchError
from tests.support import golden
from tests.support.connectors import local_fetcher, normalise_by_id, run
from tests.support.feeds import FeedServer, Request, Route
from tests.support.paths import FIXTURES

FIXTURES = FIXTURES / "ical"
CALENDAR_PAGE = "https://www.stadt-muenster.de/familie/kalender"
CASES = sorted(p.stem for p in FIXTURES.glob("*.ics"))
# per case: injected now, window_days, and the UIDs that come out as tombstones
CLOCK: dict[str, tuple[datetime, int]] = {
    "each_week_but_two_deleted": (datetime(2019, 3, 1, tzinfo=UTC), 180),
    "familienzentren_muenster": (datetime(2026, 11, 22, 9, tzinfo=UTC), 180),
    "icalendar_event_with_recurrence_exdates_on_different_lines": (
        datetime(2012, 3, 20, tzinfo=UTC),
        120,
    ),
    "icalendar_issue_112_missing_tzinfo_on_exdate": (datetime(2013, 10, 1, tzinfo=UTC), 60),
    "issue_163_deleted_modification": (datetime(2024, 7, 1, tzinfo=UTC), 60),
    "issue_18_cancel_status": (datetime(2020, 1, 27, tzinfo=UTC), 30),
    "issue_27_t1": (datetime(2020, 4, 25, tzinfo=UTC), 30),
    "one_day_event_repeat_every_day": (datetime(2019, 3, 1, tzinfo=UTC), 10),
    "rdate": (datetime(2015, 6, 30, tzinfo=UTC), 10),
    "recurring_events_moved": (datetime(2019, 3, 1, tzinfo=UTC), 60),
}
DELETED = {"familienzentren_muenster": ["elternabend-schlaf@familie.stadt-muenster.de"]}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def ics(name: str, **headers: str) -> Route:
    return Route(fixture(name), headers=headers, content_type="text/calendar; charset=utf-8")


def connector(
    server: FeedServer, now: datetime = datetime(2026, 11, 22, tzinfo=UTC), **config: Any
) -> ICalConnector:
    raw = {"url": server.url("/kalender.ics"), "default_url": CALENDAR_PAGE}
    parsed = ICalConfig.model_validate(raw | config)
    context = SourceContext("muenster-ical", ags=("05515000",), name="Familienkalender")
    calendar = ICalConnector(parsed, local_fetcher(), context, clock=lambda: now)
    calendar.retry = RetryPolicy(attempts=2, sleep=lambda _seconds: None)
    return calendar


def assert_golden(case: str, offers: list[dict[str, Any]]) -> None:
    golden.assert_golden(FIXTURES / f"{case}.expected.json", None, offers)


@pytest.mark.parametrize("case", CASES)
def test_calendar_expands_to_golden_offers(server: FeedServer, case: str) -> None:
    now, window = CLOCK[case]
    server.route("/kalender.ics", ics(f"{case}.ics"))
    calendar = connector(server, now=now, window_days=window)

    records, _cursor = run(calendar)
    offers, rejected = normalise_by_id(calendar, records, skip_deleted=True)

    assert_golden(case, offers)
    assert rejected == {}
    assert [r.local_id for r in records if r.deleted] == DELETED.get(case, [])
    assert offers, "every case keeps at least one offer inside its window"


def test_every_fixture_has_a_golden_file_and_a_clock() -> None:
    goldens = sorted(
        p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json")
    )
    assert goldens == CASES == sorted(CLOCK)


def test_recurring_group_is_one_offer_with_moved_cancelled_and_excluded_dates(
    server: FeedServer,
) -> None:
    server.route("/kalender.ics", ics("familienzentren_muenster.ics"))
    calendar = connector(server, now=datetime(2026, 11, 22, 9, tzinfo=UTC))

    records, _cursor = run(calendar)
    offers, _rejected = normalise_by_id(calendar, records, skip_deleted=True)

    group = next(o for o in offers if o["local_id"].startswith("krabbelgruppe"))
    days = [d["start"][:10] for d in group["dates"]]
    assert "2026-12-10" in days and "2026-12-09" not in days  # moved by RECURRENCE-ID
    assert "2027-01-13" not in days  # STATUS:CANCELLED occurrence
    assert "2026-12-23" not in days and "2026-12-30" not in days  # EXDATE
    assert group["title"] == "Krabbelgruppe „Kleine Entdecker“"
    assert group["recurrence_text"] == "wöchentlich mittwochs, 09:30–11:00 Uhr"
    assert group["valid_until"] == "2027-02-24"
    uids = {r.local_id for r in records}
    assert "sommerfest-2026@familie.stadt-muenster.de" not in uids  # before the window
    assert calendar.stats == {"events": 5, "cancelled": 1, "outside_window": 1}


def test_event_without_url_and_without_default_url_is_rejected(server: FeedServer) -> None:
    server.route("/kalender.ics", ics("rdate.ics"))
    calendar = connector(server, now=datetime(2015, 6, 30, tzinfo=UTC), default_url=None)

    records, _cursor = run(calendar)
    with pytest.raises(RecordError) as error:
        calendar.to_offer(records[0])

    assert error.value.code == "missing_url"
    assert "Web-Adresse" in error.value.message_de


def test_etag_and_last_modified_make_an_unchanged_feed_cost_one_request(
    server: FeedServer,
) -> None:
    validators = {"ETag": '"v1"', "Last-Modified": "Fri, 20 Nov 2026 08:00:00 GMT"}

    def answer(request: Request) -> Route:
        if request.headers.get("if-none-match") == '"v1"':
            return Route(b"", status=304, headers=validators)
        return ics("familienzentren_muenster.ics", **validators)

    server.route("/kalender.ics", answer)
    calendar = connector(server)

    first, cursor = run(calendar)
    again, second = run(calendar, cursor)

    assert first and cursor.etag == '"v1"'
    assert cursor.last_modified == "Fri, 20 Nov 2026 08:00:00 GMT"
    assert again == [] and second.not_modified and second.etag == '"v1"'
    assert server.requests[1].headers["if-modified-since"] == cursor.last_modified


def test_html_page_instead_of_a_calendar_is_a_permanent_error(server: FeedServer) -> None:
    page = "<!DOCTYPE html><html><body><h1>Veranstaltungen</h1></body></html>"
    server.route("/kalender.ics", Route(page, content_type="text/html"))

    with pytest.raises(PermanentFetchError) as error:
        run(connector(server))

    assert "HTML-Seite" in error.value.message_de


def test_malformed_calendar_is_a_permanent_error(server: FeedServer) -> None:
    broken = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026XYZ\nSUMMARY:kaputt\n"
    server.route("/kalender.ics", Route(broken, content_type="text/calendar"))

    with pytest.raises(PermanentFetchError):
        run(connector(server))


@pytest.mark.parametrize(
    ("status", "error"), [(404, PermanentFetchError), (503, TransientFetchError)]
)
def test_http_errors_fail_the_run(server: FeedServer, status: int, error: type[Exception]) -> None:
    server.route("/kalender.ics", Route("nein", status=status, content_type="text/plain"))

    with pytest.raises(error):
        run(connector(server))


def test_empty_calendar_yields_nothing(server: FeedServer) -> None:
    server.route("/kalender.ics", Route("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n"))

    records, cursor = run(connector(server))

    assert records == [] and not cursor.not_modified


def test_recurrence_is_described_in_german() -> None:
    assert describe_recurrence("MONTHLY", 1, ["1TU"]) == "monatlich am 1. Dienstag"
    assert describe_recurrence("WEEKLY", 3, ["MO"]) == "alle 3 Wochen montags"
    assert describe_recurrence("DAILY") == "täglich"
