"""Languages an offer is held in ("Sprachen: Deutsch, Türkisch", "auf Arabisch")."""

from __future__ import annotations

from hub.ingest.extract.page import Page


def extract_languages(page: Page) -> list[str]:
    """ISO 639-1 codes of the languages the page says the offer is held in (empty: unsaid)."""
    return []
