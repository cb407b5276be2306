"""Dates and recurrences in German ("jeden 2. Dienstag im Monat, 15–17 Uhr") → sessions."""

from __future__ import annotations

from datetime import datetime

from hub.ingest.extract.facts import DateFacts
from hub.ingest.extract.page import Page


def extract_dates(page: Page, now: datetime) -> DateFacts | None:
    """Sessions (expanded over a bounded window from `now`) and the rule in words, or None."""
    return None
