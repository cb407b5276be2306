"""Dates and recurrences read from German page text, at a fixed `now` (Sunday, 6 Dec 2026)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from hub.ingest.extract.dates import extract_dates
from hub.ingest.extract.facts import DateFacts
from hub.ingest.extract.fill import extract_into
from hub.ingest.extract.page import read_page

NOW = datetime(2026, 12, 6, 11, 0, tzinfo=UTC)


def dates_of(description: str, title: str = "Angebot") -> DateFacts | None:
    return extract_dates(read_page(title, "", description), NOW)


def starts(description: str) -> list[str]:
    found = dates_of(description)
    return [s["start"] for s in found.sessions] if found else []


def test_monthly_ordinal_weekday_becomes_a_rule_over_the_window() -> None:
    found = dates_of("<p>Wir treffen uns jeden 2. Dienstag im Monat, 15–17 Uhr.</p>")

    assert found is not None
    assert found.recurrence_text == "monatlich am 2. Dienstag, 15:00–17:00 Uhr"
    assert found.sessions[:2] == [
        {"start": "2026-12-08T15:00:00+01:00", "end": "2026-12-08T17:00:00+01:00"},
        {"start": "2027-01-12T15:00:00+01:00", "end": "2027-01-12T17:00:00+01:00"},
    ]
    assert len(found.sessions) == 6  # 180 days


def test_weekday_adverb_with_time_is_weekly_and_skips_public_holidays() -> None:
    found = dates_of("Das Elterncafé ist freitags von 9:30 bis 11:30 Uhr geöffnet.")

    assert found is not None
    assert found.recurrence_text == "wöchentlich freitags, 09:30–11:30 Uhr"
    days = [s["start"][:10] for s in found.sessions]
    assert days[:3] == ["2026-12-11", "2026-12-18", "2027-01-08"]  # 25.12. and 1.1. are holidays
    assert "2027-03-26" not in days and "2027-04-02" in days  # Karfreitag 2027


def test_course_start_with_count_is_a_weekly_series_from_its_first_date() -> None:
    text = "Kursbeginn: Montag, 29. September 2025, 5 Termine, jeweils 10:30–11:30 Uhr"

    found = dates_of(f"<ul><li>{text}</li><li>Kosten: 45 € für 8 Einheiten</li></ul>")

    assert found is not None
    assert [s["start"] for s in found.sessions] == [
        "2025-09-29T10:30:00+02:00",
        "2025-10-06T10:30:00+02:00",
        "2025-10-13T10:30:00+02:00",
        "2025-10-20T10:30:00+02:00",
        "2025-10-27T10:30:00+01:00",
    ]
    assert found.sessions[-1]["end"] == "2025-10-27T11:30:00+01:00"
    assert found.recurrence_text.endswith("5 Termine ab 29.09.2025")


def test_course_without_time_is_weekly_whole_days() -> None:
    found = dates_of("Kursbeginn 12.01.2027, 6 Termine.")

    assert found is not None
    assert [s["start"][:10] for s in found.sessions] == [
        "2027-01-12", "2027-01-19", "2027-01-26", "2027-02-02", "2027-02-09", "2027-02-16",
    ]  # fmt: skip
    assert found.sessions[0]["end"] == "2027-01-13T00:00:00+01:00"


def test_single_date_with_time_span() -> None:
    assert dates_of("Flohmarkt am 14.03.2027 von 10 bis 12 Uhr.") == DateFacts(
        [{"start": "2027-03-14T10:00:00+01:00", "end": "2027-03-14T12:00:00+01:00"}], ""
    )


def test_list_of_dates_takes_the_year_written_at_its_end() -> None:
    assert [s[:10] for s in starts("Termine: 03.02., 10.02. und 17.02.2027")] == [
        "2027-02-03",
        "2027-02-10",
        "2027-02-17",
    ]


def test_yearless_date_takes_the_next_occurrence_after_now() -> None:
    assert starts("Adventsbasteln am 12.12. um 15 Uhr") == ["2026-12-12T15:00:00+01:00"]
    assert starts("Osterbasteln am 25. März, 15 Uhr") == ["2027-03-25T15:00:00+01:00"]


def test_shared_time_after_jeweils_goes_with_every_date() -> None:
    text = "Termine: Samstag, 6. März 2027 und Sonntag, 7. März 2027, jeweils 10–16 Uhr."

    assert starts(text) == ["2027-03-06T10:00:00+01:00", "2027-03-07T10:00:00+01:00"]


def test_table_rows_each_give_a_session() -> None:
    table = (
        "<table><tr><th>Datum</th><th>Uhrzeit</th></tr>"
        "<tr><td>Mi, 13.01.2027</td><td>9:30 - 11 Uhr</td></tr>"
        "<tr><td>Mi, 20.01.2027</td><td>14:00 - 15:30 Uhr</td></tr></table>"
    )
    found = dates_of(table)

    assert found is not None
    assert found.sessions == [
        {"start": "2027-01-13T09:30:00+01:00", "end": "2027-01-13T11:00:00+01:00"},
        {"start": "2027-01-20T14:00:00+01:00", "end": "2027-01-20T15:30:00+01:00"},
    ]


def test_except_in_holidays_skips_nrw_school_holidays() -> None:
    found = dates_of("Die Spielgruppe trifft sich immer donnerstags (außer in den Ferien).")

    assert found is not None
    assert found.recurrence_text == "wöchentlich donnerstags, nicht in den Schulferien"
    days = [s["start"][:10] for s in found.sessions]
    assert days[:3] == ["2026-12-10", "2026-12-17", "2027-01-07"]  # Christmas break between


def test_fortnightly_without_a_first_date_gives_the_rule_but_no_guessed_sessions() -> None:
    found = dates_of("Der Vätertreff findet 14-tägig freitags statt.")

    assert found == DateFacts([], "alle 2 Wochen freitags")


def test_fortnightly_from_a_first_date_is_expanded() -> None:
    found = dates_of("Wann: 14-tägig freitags ab 08.01.2027, 16 bis 18 Uhr")

    assert found is not None
    assert [s["start"] for s in found.sessions[:2]] == [
        "2027-01-08T16:00:00+01:00",
        "2027-01-22T16:00:00+01:00",
    ]


def test_date_label_wins_over_running_text() -> None:
    text = (
        "<p>Jeden ersten Mittwoch im Monat berät zusätzlich das Jugendamt.</p>"
        "<p><strong>Wann:</strong> dienstags von 15 bis 17 Uhr</p>"
    )
    found = dates_of(text)

    assert found is not None
    assert found.recurrence_text == "wöchentlich dienstags, 15:00–17:00 Uhr"


def test_office_hours_are_not_sessions() -> None:
    assert dates_of("Sprechzeiten: montags bis donnerstags 9–16 Uhr, freitags 9–12 Uhr") is None
    assert dates_of("Öffnungszeiten: Mo–Do 9–16 Uhr, Fr 9–12 Uhr") is None


def test_bare_weekday_adverb_without_time_or_rhythm_is_no_schedule() -> None:
    assert dates_of("Das Büro ist dienstags nicht besetzt, bitte rufen Sie an.") is None
    assert dates_of("Unser Team ist mittwochs für Sie da.") is None


@pytest.mark.parametrize(
    "text",
    [
        "Kosten: 12,50 € pro Termin, ermäßigt 7.50 €.",
        "Telefon 02261 4229-40 oder 0221.540.80.71",
        "Familienzentrum, Kastanienallee 12, 51645 Gummersbach",
        "Für Kinder ab 6 Monaten und bis 3 Jahre, ab der 20. SSW",
        "Zwischen der 6. Woche und dem 9. Monat nach der Geburt beginnen.",
        "Das Familienzentrum gibt es seit 2015, eröffnet im Mai 2015.",
        "Der Verein wurde am 1. März 2019 gegründet.",
        "Anmeldung bis 10.01.2027 erforderlich.",
        "Stand: 01.12.2026",
        "Am 24.12. bleibt das Café geschlossen.",
        "Der Termin am 14.01.2027 fällt leider aus.",
        "Version 1.2.3 der Broschüre, Seite 12.",
    ],
)
def test_numbers_that_are_no_session_give_nothing(text: str) -> None:
    assert dates_of(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Termin: 31.02.2027, 10 Uhr",  # no such day
        "Termin: Montag, 30. September 2025, 10 Uhr",  # 30.9.2025 was a Tuesday
        "Termin: 12.13.2027",  # no such month
        "Treffen am 14.03.2027 von 25 bis 27 Uhr",  # no such hour: the date stays, the time not
        "Termin am 14.03.1987",  # decades away from now
    ],
)
def test_impossible_dates_give_no_session_at_that_time(text: str) -> None:
    found = dates_of(text)

    assert found is None or all(s["start"].startswith("2027-03-14T00:00") for s in found.sessions)


def test_date_range_is_one_session_over_the_days() -> None:
    assert dates_of("Ferienfreizeit vom 06.07. bis 10.07.2027") == DateFacts(
        [{"start": "2027-07-06T00:00:00+02:00", "end": "2027-07-11T00:00:00+02:00"}], ""
    )


def test_several_weekdays_and_ordinals() -> None:
    weekly = dates_of("dienstags und donnerstags 9–11 Uhr")
    monthly = dates_of("Jeden ersten und dritten Mittwoch im Monat von 15 bis 17 Uhr")

    assert weekly is not None and monthly is not None
    assert [s["start"][:10] for s in weekly.sessions[:2]] == ["2026-12-08", "2026-12-10"]
    assert monthly.recurrence_text == "monatlich am 1. Mittwoch und 3. Mittwoch, 15:00–17:00 Uhr"
    assert [s["start"][:10] for s in monthly.sessions[:2]] == ["2026-12-16", "2027-01-06"]


def test_open_rule_is_capped_and_stays_inside_the_window() -> None:
    found = dates_of("Die Kita-Notbetreuung gibt es montags bis sonntags von 7 bis 17 Uhr.")

    assert found is not None
    assert len(found.sessions) <= 200
    assert found.sessions[-1]["start"] < "2027-06-05"


def test_page_without_dates_gives_none() -> None:
    assert dates_of("") is None
    assert dates_of("<p>Beratung für Eltern. Termine nach Vereinbarung.</p>") is None


def test_long_page_is_read_in_linear_time() -> None:
    unit = "Kosten 12,50 €, Tel. 0221 540 80 71, dienstags 9 Uhr, 03.02. und 17.02.2027. "
    small, large = unit * 50, unit * 500

    began = time.perf_counter()
    dates_of(small)
    small_seconds = time.perf_counter() - began
    began = time.perf_counter()
    found = dates_of(large)
    large_seconds = time.perf_counter() - began

    assert found is not None
    assert large_seconds < max(small_seconds * 40, 0.5)  # ten times the text, not a hundred


def test_untimed_monthly_guest_day_is_part_of_the_timed_weekly_rule() -> None:
    text = (
        "<p>Jeden Donnerstag von 9:30 bis 11 Uhr treffen sich Eltern mit Babys.</p>"
        "<p>Eine Hebamme ist an jedem ersten Donnerstag im Monat dabei.</p>"
    )
    found = dates_of(text)

    assert found is not None
    assert found.recurrence_text == "wöchentlich donnerstags, 09:30–11:00 Uhr"
    assert {s["start"][11:16] for s in found.sessions} == {"09:30"}


def test_source_dates_or_rule_in_words_win_over_the_text() -> None:
    dated = {"title": "Treff", "description": "mittwochs 15–17 Uhr", "dates": [{"start": "x"}]}
    worded = {"title": "Treff", "description": "mittwochs 15–17 Uhr", "recurrence_text": "Mo 9–12"}
    bare = {"title": "Treff", "description": "mittwochs 15–17 Uhr", "dates": []}

    assert "dates" not in extract_into(dated, now=NOW)
    assert "dates" not in extract_into(worded, now=NOW)
    assert worded["recurrence_text"] == "Mo 9–12"
    assert extract_into(bare, now=NOW) == ["dates", "recurrence_text"]
    assert bare["dates"][0] == {
        "start": "2026-12-09T15:00:00+01:00",
        "end": "2026-12-09T17:00:00+01:00",
    }


def test_rule_bounds_and_exceptions_in_its_sentence() -> None:
    bounded = dates_of("Termine: 12.01.2027 bis 16.02.2027, dienstags 10-11 Uhr")
    excepted = dates_of("dienstags 10–11 Uhr, außer am 15.12.")
    labelled = dates_of("<p><strong>Treffen:</strong> 1. und 3. Montag im Monat, 10-12 Uhr</p>")

    assert bounded is not None and excepted is not None and labelled is not None
    assert [s["start"][:10] for s in bounded.sessions] == [
        "2027-01-12", "2027-01-19", "2027-01-26", "2027-02-02", "2027-02-09", "2027-02-16",
    ]  # fmt: skip
    assert [s["start"][:10] for s in excepted.sessions[:2]] == ["2026-12-08", "2026-12-22"]
    assert labelled.recurrence_text == "monatlich am 1. Montag und 3. Montag, 10:00–12:00 Uhr"


def test_time_under_its_own_label_goes_with_the_labelled_date() -> None:
    text = "<p><strong>Datum:</strong> 14.03.2027<br><strong>Uhrzeit:</strong> 10 bis 12 Uhr</p>"

    assert starts(text) == ["2027-03-14T10:00:00+01:00"]
