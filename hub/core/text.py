"""Imported HTML to plain text: nh3 strips every tag, entities are decoded, whitespace tidied."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3

BLOCK_TAGS = re.compile(r"(?i)<\s*(br|/p|/li|/h[1-6]|/div|/tr)\s*/?>")
LIST_ITEM = re.compile(r"(?i)<\s*li[^>]*>")


CACHED_CHARS = 1000  # titles and summaries: read by the extractors, then cleaned for the offer


def html_to_text(value: str | None) -> str:
    """Plain text of an HTML fragment; nothing executable survives (nh3 keeps no tags)."""
    if not value:
        return ""
    return _text_cached(value) if len(value) <= CACHED_CHARS else _text(value)


@lru_cache(maxsize=4096)
def _text_cached(value: str) -> str:
    return _text(value)


def _text(value: str) -> str:
    marked = BLOCK_TAGS.sub("\n", value)
    marked = LIST_ITEM.sub("\n• ", marked)
    text = _strip_until_stable(marked).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _strip_until_stable(value: str, rounds: int = 8) -> str:
    """Clean then unescape until nothing changes, so encoded (even double-encoded) markup
    cannot come back to life; if it never settles, keep the last cleaned, still-escaped form."""
    for _ in range(rounds):
        cleaned = nh3.clean(value, tags=set(), attributes={}, strip_comments=True)
        text = html.unescape(cleaned)
        if text == value:
            return text
        value = text
    return nh3.clean(value, tags=set(), attributes={}, strip_comments=True)
