"""Imported HTML to plain text: nh3 strips every tag, entities are decoded, whitespace tidied."""

from __future__ import annotations

import html
import re

import nh3

BLOCK_TAGS = re.compile(r"(?i)<\s*(br|/p|/li|/h[1-6]|/div|/tr)\s*/?>")
LIST_ITEM = re.compile(r"(?i)<\s*li[^>]*>")


def html_to_text(value: str | None) -> str:
    """Plain text of an HTML fragment; nothing executable survives (nh3 keeps no tags)."""
    if not value:
        return ""
    marked = BLOCK_TAGS.sub("\n", value)
    marked = LIST_ITEM.sub("\n• ", marked)
    stripped = nh3.clean(marked, tags=set(), attributes={}, strip_comments=True)
    text = html.unescape(stripped).replace("\xa0", " ")
    # nh3 leaves text inside <script>/<style> out; a second pass catches encoded tags
    if "<" in text and ">" in text:
        text = html.unescape(nh3.clean(text, tags=set(), attributes={}))
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()
