"""The kept-payload state: what must match for a record to skip normalisation."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.ingest.payloads import normaliser_state, normaliser_version


def test_a_kept_payload_is_normalised_again_in_a_new_week() -> None:
    monday = datetime(2026, 12, 7, 8, tzinfo=UTC)
    sunday = datetime(2026, 12, 13, 22, tzinfo=UTC)
    next_monday = datetime(2026, 12, 14, 8, tzinfo=UTC)

    assert normaliser_state(monday) == normaliser_state(sunday)
    assert normaliser_state(monday) != normaliser_state(next_monday)
    assert normaliser_state(monday).startswith(normaliser_version())
