"""Feed pages a full fetch need not parse: a page whose bytes are what they were last time.

A full resync of an unchanged feed would otherwise parse every page, build every raw record and
hash it, only to find each one unchanged. While a run holds a `PageMemo` (`remembering`), the
paging helpers (`numbered_pages`, `next_link_pages`) hand the connector only the pages whose
digest (URL, body and the headers that paging or records read) differs from the one kept for
that URL; a page found unchanged is not yielded at all, its offer ids count as listed and its
paging answer (the total or the next link read from it last time) is reused. The memo notes,
for every page it hands on, which records the run took from it, so the caller can keep the
page for next time once its records are known to be indexed as delivered.

Connectors never see the memo: outside a run that holds one, the helpers behave as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from hub.core.fetcher import FetchResponse

Follow = str | int | None
# Headers a connector reads besides the body: paging (Link, totals) and record times.
DIGEST_HEADERS = ("link", "x-wp-total", "x-wp-totalpages", "last-modified", "content-type")


@dataclass(frozen=True)
class PageEntry:
    """One page as the last complete run read it: digest, the offer ids it listed, and its
    paging answer (a total page count or the next page's URL)."""

    digest: str
    ids: tuple[str, ...]
    follow: Follow = None


@dataclass
class _OpenPage:
    url: str
    digest: str
    ids: list[str] = field(default_factory=list)
    clean: bool = True


Known = tuple[Mapping[str, PageEntry], set[str]]


class PageMemo:
    """The pages known from the last complete run and those this run read (see module doc).

    `load` gives, when the first page arrives (a feed answering 304 costs no lookup), the
    known pages by URL and the offer ids now in the index: a page is skipped only if every id
    it listed is still indexed (an offer deleted meanwhile must go through the pipeline)."""

    def __init__(self, context: str, load: Callable[[], Known]) -> None:
        self.context, self._load = context, load
        self._known: Known | None = None
        self.lead = ""  # the first page's Last-Modified: a fallback time of every record
        self.skipped: dict[str, PageEntry] = {}
        self.read: dict[str, tuple[PageEntry, bool]] = {}
        self.current: _OpenPage | None = None

    @property
    def consulted(self) -> bool:
        """Whether any page went through the memo (a connector may read none through the
        paging helpers, or the feed answered 304)."""
        return self._known is not None

    def digest(self, response: FetchResponse) -> str:
        """sha256 over the run context, the first page's Last-Modified (some feeds date every
        record without a time of its own by it), the page URL, the read headers and the body."""
        head = f"{self.context}\0{self.lead}\0{response.url}\0".encode()
        digest = hashlib.sha256(head)
        for name in DIGEST_HEADERS:
            digest.update(name.encode() + b":" + response.headers.get(name, "").encode() + b"\0")
        digest.update(response.content)
        return digest.hexdigest()

    def recall(self, response: FetchResponse, follows: type[str] | type[int]) -> PageEntry | None:
        """The kept entry of an unchanged page whose paging answer is of the `follows` kind
        (then noted as skipped), else None: the page is opened, and the records taken until
        `close` are its records."""
        self.current = None
        if self._known is None:
            self._known = self._load()
            self.lead = response.headers.get("last-modified", "")
        known, indexed = self._known
        digest = self.digest(response)
        entry = known.get(response.url)
        again = response.url in self.skipped or response.url in self.read
        if entry is not None and not again and entry.digest == digest:
            answer_fits = entry.follow is None or isinstance(entry.follow, follows)
            if answer_fits and indexed.issuperset(entry.ids):
                self.skipped[response.url] = entry
                return entry
        self.current = _OpenPage(response.url, digest)
        return None

    def took(self, offer_id: str | None) -> None:
        """A record of the open page: its offer id, or None for one without an id."""
        if self.current is None:
            return
        if offer_id is None:
            self.current.clean = False
        else:
            self.current.ids.append(offer_id)

    def spoil(self) -> None:
        """The open page cannot be skipped next time (e.g. it held a deletion)."""
        if self.current is not None:
            self.current.clean = False

    def close(self, follow: Follow) -> None:
        """The open page is read; `follow` is the paging answer read from it."""
        page, self.current = self.current, None
        if page is not None:
            entry = PageEntry(page.digest, tuple(page.ids), follow)
            self.read[page.url] = (entry, page.clean)

    def skipped_ids(self) -> list[str]:
        """The offer ids of every skipped page, one per record listed (duplicates included)."""
        return [doc_id for entry in self.skipped.values() for doc_id in entry.ids]

    def to_keep(self, settled: set[str]) -> dict[str, PageEntry]:
        """Pages to remember: those skipped, and those read whose every record is indexed as
        delivered (`settled`: unchanged or written; a rejected or stale record is re-read)."""
        kept = dict(self.skipped)
        for url, (entry, clean) in self.read.items():
            if clean and settled.issuperset(entry.ids):
                kept[url] = entry
        return kept


_ACTIVE: ContextVar[PageMemo | None] = ContextVar("page_memo", default=None)


def active_memo() -> PageMemo | None:
    """The memo of the run this fetch belongs to, if it keeps one."""
    return _ACTIVE.get()


@contextmanager
def remembering(memo: PageMemo | None) -> Iterator[PageMemo | None]:
    """Let the paging helpers consult `memo` while the block runs (the fetch is consumed)."""
    token = _ACTIVE.set(memo)
    try:
        yield memo
    finally:
        _ACTIVE.reset(token)
