"""Cost and its note from a page ("Teilnahmegebühr 30 €, ermäßigt 15 €", "kostenlos")."""

from __future__ import annotations

from hub.ingest.extract.facts import CostFacts
from hub.ingest.extract.page import Page


def extract_cost(page: Page) -> CostFacts | None:
    """What the page says taking part costs, or None when it says nothing."""
    return None
