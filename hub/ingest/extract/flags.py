"""Registration and the modes an offer is held in (online, by phone, in person)."""

from __future__ import annotations

from hub.ingest.extract.facts import Modes
from hub.ingest.extract.page import Page


def extract_registration(page: Page) -> bool | None:
    """True/False where the page says whether one must register; None when unsaid."""
    return None


def extract_modes(page: Page) -> Modes | None:
    """Online / phone / in person, only as far as the page says so; None when unsaid."""
    return None
