"""The provider's organisational phone and e-mail from a page."""

from __future__ import annotations

from hub.ingest.extract.facts import Contact
from hub.ingest.extract.page import Page


def extract_contact(page: Page) -> Contact | None:
    """Phone and e-mail the page gives for the offer, or None."""
    return None
