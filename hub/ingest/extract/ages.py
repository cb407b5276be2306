"""Age range and pregnancy from a page ("0 bis 12 Monate", "U3", "ab der 20. SSW")."""

from __future__ import annotations

from hub.ingest.extract.facts import AgeFacts
from hub.ingest.extract.page import Page


def extract_age(page: Page) -> AgeFacts | None:
    """The age range the page states, or None when it states none."""
    return None
