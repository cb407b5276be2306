"""German wording of the municipality's pages (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.web.accounts.views import ago, lines

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_ago_says_how_long_ago_in_german() -> None:
    assert ago(None, NOW) == "noch nie"
    assert ago(NOW - timedelta(seconds=20), NOW) == "gerade eben"
    assert ago(NOW - timedelta(minutes=1), NOW) == "vor 1 Minute"
    assert ago(NOW - timedelta(hours=5, minutes=3), NOW) == "vor 5 Stunden"
    assert ago(NOW - timedelta(days=400), NOW) == "vor 400 Tagen"
    assert ago(NOW + timedelta(minutes=5), NOW) == "gerade eben"  # clocks a little apart


def test_lines_splits_on_lines_and_commas_and_drops_repeats() -> None:
    assert lines("Presse\n Stellenangebote, Presse\n\n,") == ["Presse", "Stellenangebote"]
