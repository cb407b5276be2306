"""Kind of offer and its audiences, read against the vocabularies' labels and synonyms."""

from __future__ import annotations

from hub.ingest.extract.page import Page


def extract_kind(page: Page) -> str | None:
    """The kind code (`kurs`, `beratung`, …) the page shows, or None when unclear."""
    return None


def extract_audiences(page: Page) -> list[str]:
    """Audience codes the page addresses (empty when unsaid)."""
    return []
