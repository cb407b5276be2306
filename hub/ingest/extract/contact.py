"""The provider's organisational phone and e-mail from a page.

Only what the page itself presents as the offer's contact is taken: a labelled value
("Kontakt:", "Telefon:", "Träger:"), an address block, or a number and address in the running
text. A fax number is never a phone. Nothing is invented: a value is returned exactly as the
page writes it, with its spacing tidied.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hub.ingest.extract.facts import Contact
from hub.ingest.extract.page import Page

# German numbers: "02352 7509-5", "(0221) 123 45 67", "0221/12345", "+49 221 123456".
_PHONE = re.compile(
    r"(?<![\w+/.-])"
    r"(?:\+49[ \u00a0]?(?:\(0\)[ \u00a0]?)?[1-9]\d{1,4}|\(0[1-9]\d{1,4}\)|0[1-9]\d{1,4})"
    r"(?:[ \u00a0]?[/-]?[ \u00a0]?\d{2,})(?:[ \u00a0-]\d{1,4}){0,4}(?![\w.-]*@)(?!\d)"
)
# The look-behind starts a match only where an address can start, keeping the scan linear
# ("a.a.a.…" would otherwise be tried again from every dot).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.I)
_FAX = re.compile(r"\bfax\w*\s*:?\s*$", re.I)
_MIN_DIGITS, _MAX_DIGITS = 6, 15  # shorter is a postcode or a time; longer is no number
_NAME_LABELS = ("traeger", "anbieter", "veranstalter", "kontakt", "ansprechpartner")
_CONTACT_LABELS = (
    "kontakt",
    "telefon",
    "tel",
    "e mail",
    "email",
    "mail",
    "anmeldung",
    "info",
    "ansprechpartner",
    "traeger",
    "anbieter",
    "veranstalter",
)
_NOT_A_NAME = re.compile(r"^[\d(+]|@|^(tel|telefon|fon|e-?mail|mail)\b", re.I)
_ABBREVIATION_END = re.compile(r"(?:\b[A-Za-z]{1,2}\.){2,}$|\bgGmbH\.$")
_NAME_END = re.compile(r",|;|\s(?:Tel\.?|Telefon|E-Mail|Mail|Fon)\b|\s[\d(+]", re.I)


def extract_contact(page: Page) -> Contact | None:
    """Phone and e-mail the page gives for the offer, or None."""
    phone = next(_phones(page), None)
    email = next(_emails(page), None)
    name = _provider_name(page)
    if not (phone or email or name):
        return None
    return Contact(name=name, phone=phone, email=email)


def _places(page: Page) -> Iterator[str]:
    """Where contact data stands, strongest first: labels, address blocks, then the text."""
    yield from page.labelled(*_CONTACT_LABELS)
    yield from page.addresses
    yield from page.lines
    yield page.summary


def _phones(page: Page) -> Iterator[str]:
    for text in _places(page):
        for match in _PHONE.finditer(text):
            if _FAX.search(text[max(0, match.start() - 12) : match.start()]):
                continue
            digits = sum(ch.isdigit() for ch in match.group(0))
            if _MIN_DIGITS <= digits <= _MAX_DIGITS:
                yield re.sub(r"\s+", " ", match.group(0)).strip()


def _emails(page: Page) -> Iterator[str]:
    for text in _places(page):
        for match in _EMAIL.finditer(text):
            yield match.group(0).rstrip(".").lower()


def _provider_name(page: Page) -> str | None:
    """The organisation a "Träger:" or "Kontakt:" line names before its number or address."""
    for value in page.labelled(*_NAME_LABELS):
        name = _NAME_END.split(value, maxsplit=1)[0].strip(" –-")
        if name.endswith(".") and not _ABBREVIATION_END.search(name):
            name = name[:-1]  # the sentence's full stop, not the one of "e.V."
        if len(name) >= 3 and not _NOT_A_NAME.search(name) and any(c.isalpha() for c in name):
            return name[:200]
    return None
