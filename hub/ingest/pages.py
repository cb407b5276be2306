"""The feed pages kept per source (`hub-feed-pages`) for skipping unchanged pages of a resync.

One document per source holds what its last complete full fetch read: per page URL the digest,
the offer ids listed and the paging answer (`connectors.sdk.pagememo`), the run context the
digests were taken in (connector kind, normaliser state, config fingerprint: a new normaliser,
a mapping change, next week's date reading or a config edit makes every page be read again),
and the cursor position that fetch returned (a fetch that skipped pages cannot compute it).
Only connectors whose records come wholly from the listed pages take part: one that fetches
a detail page per record could change a record without its listing page changing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.sdk.base import Connector
from connectors.sdk.pagememo import PageEntry
from hub.core.errors import NotFound
from hub.ingest.payloads import config_fingerprint, normaliser_state
from hub.search.engine import SearchEngine
from hub.search.indices import FEED_PAGES, ensure_registry_index

# Not hsds or typo3 (a detail request per record), nor drupal (it keeps page 1's validators
# only for a feed it counted as one page, and a skipped page is not counted).
PAGED_KINDS = frozenset({"json_feed", "xml_feed", "rss", "wordpress"})


@dataclass
class KeptPages:
    """A source's kept pages as stored (empty when none are)."""

    context: str = ""
    position: dict[str, Any] = field(default_factory=dict)
    pages: dict[str, PageEntry] = field(default_factory=dict)


def run_context(connector: Connector[Any]) -> str:
    """What a page digest is valid for besides the page's own bytes."""
    return f"{connector.kind}|{normaliser_state()}|{config_fingerprint(connector)}"


class PageStore:
    """Reads and writes the kept pages of a source: one GET and at most one PUT per run."""

    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        self._ready = False

    def load(self, source_id: str) -> KeptPages:
        try:
            found = self.engine.request("GET", self.engine.doc_path(FEED_PAGES, source_id))
        except NotFound:  # none kept yet, or a hub upgraded without `hub index create`
            return KeptPages()
        doc = found["_source"]
        pages = {
            url: PageEntry(str(page["digest"]), tuple(page["ids"]), page.get("follow"))
            for url, page in (doc.get("pages") or {}).items()
        }
        return KeptPages(str(doc.get("context") or ""), dict(doc.get("position") or {}), pages)

    def save(self, source_id: str, kept: KeptPages) -> None:
        if not self._ready:
            ensure_registry_index(self.engine, FEED_PAGES, update_mapping=False)
            self._ready = True
        doc = {
            "source_id": source_id,
            "context": kept.context,
            "position": kept.position,
            "pages": {
                url: {"digest": page.digest, "ids": list(page.ids), "follow": page.follow}
                for url, page in kept.pages.items()
            },
            "stored_at": datetime.now(UTC).isoformat(),
        }
        self.engine.request("PUT", self.engine.doc_path(FEED_PAGES, source_id), doc)
