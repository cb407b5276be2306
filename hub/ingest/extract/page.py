"""A record's text as a page: plain lines, labelled values and address blocks.

Extractors look for facts in three places, strongest first: a labelled value ("Kosten:
kostenlos", a table row, a definition list), an address block, and the running text. Every
string here is plain text (nh3 and BeautifulSoup keep nothing executable), capped so that a
5 MB description cannot stall a worker: extraction is linear in the capped length.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from hub.core.text import html_to_text
from hub.core.vocab import fold

MAX_CHARS = 50_000  # of description HTML read; beyond it, municipal pages hold no offer facts
MAX_LABEL = 40  # a label longer than this is a sentence, not a label
BLOCKS = {"p", "li", "tr", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "div", "address"}
CONTAINERS = {"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "section", "article"}
# A sentence ends at . ! ? after a word of three letters or more, a € or a bracket, before a
# capital: "Termine. Anmeldung" is cut, "Ev. Familienzentrum" and "29. September" are not.
SENTENCE_END = re.compile(r"(?:(?<=[^\W\d]{3}[.!?])|(?<=€[.!?])|(?<=\)[.!?]))\s+(?=[A-ZÄÖÜ])")
LABEL_LINE = re.compile(r"^\s*([^\W\d][\w ./&()-]{0,39}?)\s*:\s+(\S.*)$")
# Where a running line starts a new "Label: value" after a sentence ("… Altena. Kosten: 45 €").
NEXT_LABEL = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ][\w./&()-]*(?: [\w./&()-]+){0,2}\s*:\s)")


@dataclass(frozen=True)
class Page:
    """What a record says, ready for the extractors (all plain text)."""

    title: str = ""
    summary: str = ""
    lines: tuple[str, ...] = ()
    """The description's blocks in order: paragraphs, list items, table rows, headings."""
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Folded label ("kosten", "ort", "alter") → the values given under it, in order."""
    addresses: tuple[str, ...] = ()
    """Text of `<address>` blocks, lines joined with ", "."""
    categories: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Title, summary and every line: the running text, one block per line."""
        return "\n".join(part for part in (self.title, self.summary, *self.lines) if part)

    def labelled(self, *names: str) -> list[str]:
        """The values under any of the folded label `names` (prefix match: "kosten" finds
        "kosten" and "kosten pro termin")."""
        heads = tuple(f"{name} " for name in names)
        return [
            value
            for label, values in self.labels.items()
            if label in names or label.startswith(heads)
            for value in values
        ]

    def sentences(self) -> Iterator[str]:
        """The running text cut into sentences (a crude cut is enough to scope a phrase)."""
        for line in (self.title, self.summary, *self.lines):
            yield from sentences_of(line)


@lru_cache(maxsize=4096)
def sentences_of(text: str) -> tuple[str, ...]:
    """`text` cut into sentences, empty pieces left out (remembered: half a dozen extractors
    read the same lines of a record sentence by sentence)."""
    return tuple(s for s in SENTENCE_END.split(text) if s)


def read_page(
    title: str | None = "",
    summary: str | None = "",
    description: str | None = "",
    categories: Iterable[str] = (),
) -> Page:
    """The page of one record; the description may be HTML or plain text."""
    html = (description or "")[:MAX_CHARS]
    lines, labels, addresses = _blocks(html)
    return Page(
        title=html_to_text(title or ""),
        summary=html_to_text(summary or ""),
        lines=tuple(lines),
        labels={k: tuple(v) for k, v in labels.items()},
        addresses=tuple(addresses),
        categories=tuple(c.strip() for c in categories if c and c.strip()),
    )


def page_of(record: Mapping[str, Any]) -> Page:
    """The page of a mapped record (its title, summary, description and categories): built once
    per record, read by the noise check and by every extractor."""
    raw = record.get("categories")
    categories: Iterable[Any] = raw if isinstance(raw, list | tuple) else ([raw] if raw else [])
    return read_page(
        _str(record.get("title")),
        _str(record.get("summary")),
        _str(record.get("description")),
        [str(c) for c in categories],
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _blocks(html: str) -> tuple[list[str], dict[str, list[str]], list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    lines: list[str] = []
    labels: dict[str, list[str]] = {}
    addresses: list[str] = []
    for block in _leaf_blocks(soup):
        if block.name == "address":
            addresses.append(", ".join(_text_lines(block)))
        if block.name == "tr":
            cells = [_clean(c.get_text(" ")) for c in _tags(block, ("th", "td"))]
            if len(cells) >= 2 and cells[0]:
                _add(labels, cells[0], " ".join(cells[1:]))
            lines.append(": ".join(c for c in cells if c))
            continue
        if block.name == "dt":
            sibling = block.find_next_sibling("dd")
            if sibling is not None:
                _add(labels, _clean(block.get_text(" ")), _clean(sibling.get_text(" ")))
        for line in _text_lines(block):
            lines.append(line)
            for piece in NEXT_LABEL.split(line):
                match = LABEL_LINE.match(piece)
                if match:
                    _add(labels, match.group(1), SENTENCE_END.split(match.group(2))[0])
    return lines, labels, addresses


def _leaf_blocks(soup: BeautifulSoup) -> list[Tag]:
    """Block elements that hold no other block (text outside any block becomes one block).

    One walk over the tree: bs4's `find_all`/`find` per block cost a filter object each, which
    made this the dearest step of a record's extraction."""
    blocks = [tag for tag in _tags(soup) if tag.name in BLOCKS]
    holders = {id(parent) for tag in blocks for parent in tag.parents}
    found = [t for t in blocks if id(t) not in holders or t.name in ("tr", "address")]
    inside_rows = {id(t) for row in found if row.name in ("tr", "address") for t in _tags(row)}
    found = [t for t in found if id(t) not in inside_rows]
    loose = "".join(
        str(node)
        for node in soup.contents
        if isinstance(node, NavigableString)
        or (isinstance(node, Tag) and node.name not in BLOCKS | CONTAINERS)
    )
    if loose.strip() and not found:
        return [BeautifulSoup(f"<p>{loose}</p>", "html.parser").p]  # type: ignore[list-item]
    if loose.strip():
        found.insert(0, BeautifulSoup(f"<p>{loose}</p>", "html.parser").p)  # type: ignore[arg-type]
    return found


def _tags(root: Tag, names: Collection[str] | None = None) -> list[Tag]:
    """The tags below `root` in document order (named `names`, if given): `find_all` without
    its filter machinery."""
    return [
        node
        for node in root.descendants
        if isinstance(node, Tag) and (names is None or node.name in names)
    ]


def _text_lines(block: Tag) -> list[str]:
    """The block's text, split at <br>; entities decoded, whitespace tidied."""
    for br in _tags(block, ("br",)):
        br.replace_with("\n")
    return [line for line in (_clean(part) for part in block.get_text(" ").split("\n")) if line]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip(" \t:")


def _add(labels: dict[str, list[str]], label: str, value: str) -> None:
    key = fold(label).strip(" :")
    if key and value and len(key) <= MAX_LABEL:
        labels.setdefault(key, []).append(value.strip())


def first(values: Sequence[str]) -> str | None:
    """The first non-empty value, if any."""
    return next((v for v in values if v.strip()), None)
