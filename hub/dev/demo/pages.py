"""The corpus offers written out as municipal CMS pages: what the demo's prose feeds carry.

A prose feed holds only what an editor types into WordPress or a news module: a title, the text
and free-text categories. Every other fact (age, cost, place, languages, registration) stays
inside the text, so the hub has to read it back itself (`hub.ingest.extract`). Editors write in
different ways, so each offer gets one of three styles, chosen from its id: label lines in
bold, a bullet list of labels, or plain running paragraphs.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Literal
from xml.etree import ElementTree

Style = Literal["labels", "list", "prose"]
STYLES: tuple[Style, ...] = ("labels", "list", "prose")
# "Ort: …", "Kosten pro Termin: …": a capitalised label of up to three words, then a colon
LABEL = re.compile(r"^([A-ZÄÖÜ][\w.&/()-]*(?: [\w.&/()-]+){0,2}):\s+(\S.*)$")
HTML_TAG = re.compile(r"</?(?:p|br|ul|ol|li|strong|b|em|table|tr|td|th|h[1-6]|div|address)\b")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])")
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# words whose period is an abbreviation, not a sentence end ("Kath. Familienzentrum")
ABBREVIATIONS = {"kath", "evang", "ev", "str", "tel", "nr", "ca", "bzw", "inkl", "zzgl", "st"}


def style_of(record: dict[str, Any]) -> Style:
    """The editor's style for this offer: stable across runs, spread over all three."""
    digest = hashlib.sha256(record["local_id"].encode()).hexdigest()
    return STYLES[int(digest, 16) % len(STYLES)]


def page_html(record: dict[str, Any]) -> str:
    """The offer's text as an editor would publish it: a lead paragraph, then the body (kept
    as it is where the corpus already holds the page's HTML)."""
    lead = f"<p>{html.escape(record['summary'])}</p>" if record.get("summary") else ""
    description = record["description"]
    if HTML_TAG.search(description):
        return f"{lead}\n{description}".strip()
    style = style_of(record)
    body = "\n".join(_paragraph_html(p, style) for p in _paragraphs(description))
    return f"{lead}\n{body}".strip()


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def sentences(paragraph: str) -> list[str]:
    """A paragraph cut into sentences; abbreviations and ordinals ("29. September") keep theirs."""
    found, start = [], 0
    for match in SENTENCE_END.finditer(paragraph):
        before = paragraph[max(start, match.start() - 40) : match.start()]  # the last word
        word = re.search(r"(\w+)[.!?]$", before)
        if word and _keeps_period(word.group(1)):
            continue
        found.append(paragraph[start : match.start()].strip())
        start = match.end()
    found.append(paragraph[start:].strip())
    return [s for s in found if s]


def _keeps_period(word: str) -> bool:
    """An abbreviation or an ordinal ("29." but not the year "2025.") does not end a sentence."""
    return word.lower() in ABBREVIATIONS or (word.isdigit() and len(word) <= 2)


def _paragraph_html(paragraph: str, style: Style) -> str:
    if style == "prose":
        return f"<p>{html.escape(paragraph)}</p>"
    return "\n".join(_blocks(sentences(paragraph), style))


def _blocks(parts: list[str], style: Style) -> Iterator[str]:
    """Running sentences become paragraphs; a run of "Label: value" sentences becomes bold
    label lines or, in the list style, one bullet list."""
    text: list[str] = []
    labelled: list[str] = []
    for sentence in parts:
        label = LABEL.match(sentence)
        if label and text:
            yield f"<p>{html.escape(' '.join(text))}</p>"
            text = []
        elif not label and labelled:
            yield _label_group(labelled, style)
            labelled = []
        if label:
            labelled.append(_label_html(label.group(1), label.group(2)))
        else:
            text.append(sentence)
    if text:
        yield f"<p>{html.escape(' '.join(text))}</p>"
    if labelled:
        yield _label_group(labelled, style)


def _label_html(label: str, value: str) -> str:
    return f"<strong>{html.escape(label)}:</strong> {html.escape(value.rstrip('.'))}"


def _label_group(lines: list[str], style: Style) -> str:
    if style == "list":
        return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"
    return "\n".join(f"<p>{line}</p>" for line in lines)


def wordpress_post(record: dict[str, Any], post_id: int, terms: dict[str, int]) -> dict[str, Any]:
    """The post as `/wp-json/wp/v2/posts?_embed=wp:term` shows it: no excerpt, no custom
    fields, the categories embedded as terms."""
    modified = datetime.fromisoformat(record["updated_at"])
    modified_gmt = modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    categories = record.get("categories_free_text") or []
    embedded = [
        {"id": terms[name], "name": html.escape(name), "slug": slug(name), "taxonomy": "category"}
        for name in categories
    ]
    return {
        "id": post_id,
        "date": modified.strftime("%Y-%m-%dT%H:%M:%S"),
        "modified": modified.strftime("%Y-%m-%dT%H:%M:%S"),
        "modified_gmt": modified_gmt,
        "slug": slug(record["title"]),
        "status": "publish",
        "type": "post",
        "link": record["url"],
        "title": {"rendered": html.escape(record["title"], quote=False)},
        "content": {"rendered": page_html(record), "protected": False},
        "excerpt": {"rendered": "", "protected": False},
        "categories": [terms[name] for name in categories],
        "tags": [],
        "_embedded": {"wp:term": [embedded, []]},
    }


def rss_document(title: str, link: str, records: list[dict[str, Any]]) -> bytes:
    """An RSS 2.0 channel whose items carry title, link, guid, date, categories and the
    text as HTML in `<description>`, as CMS news modules publish them."""
    rss = ElementTree.Element("rss", version="2.0")
    channel = ElementTree.SubElement(rss, "channel")
    for name, value in (("title", title), ("link", link), ("language", "de-DE")):
        ElementTree.SubElement(channel, name).text = value
    ElementTree.SubElement(channel, "description").text = "Angebote für Familien"
    for record in records:
        item = ElementTree.SubElement(channel, "item")
        ElementTree.SubElement(item, "title").text = record["title"]
        ElementTree.SubElement(item, "link").text = record["url"]
        ElementTree.SubElement(item, "guid", isPermaLink="false").text = record["local_id"]
        published = datetime.fromisoformat(record["updated_at"])
        ElementTree.SubElement(item, "pubDate").text = format_datetime(published)
        for category in record.get("categories_free_text") or []:
            ElementTree.SubElement(item, "category").text = category
        ElementTree.SubElement(item, "description").text = page_html(record)
    document: bytes = ElementTree.tostring(rss, encoding="utf-8", xml_declaration=True)
    return document


def slug(text: str) -> str:
    """WordPress' slug of a title: lower case, umlauts spelled out, words joined by dashes."""
    folded = text.lower().translate(UMLAUTS)
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
