"""The kept raw payloads (`hub-raw`): the last payload of every indexed record, by offer id.

A document holds what re-running a record needs without its source: the payload as the
connector delivered it (stored, not indexed), the connector kind and the fingerprint of its
config, and the content address `raw_hash`. Together with the normaliser version they form the
record's state: a resync whose record has the same state as the indexed offer skips
normalisation. The store lives in the engine, so it survives a Redis loss like the registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.search.engine import SearchEngine
from hub.search.indices import RAW

STATE_FIELDS = ("raw_hash", "normaliser", "config_fingerprint")


@dataclass(frozen=True)
class RawEntry:
    """One kept payload with what is needed to map and normalise it again."""

    id: str
    source_id: str
    local_id: str
    kind: str
    config_fingerprint: str
    normaliser: str
    raw_hash: str
    payload: Mapping[str, Any]
    updated_at: str | None = None
    source_url: str | None = None
    stored_at: str | None = None

    def document(self) -> dict[str, Any]:
        """The stored document; the payload is shared, not copied (`asdict` deep-copied every
        payload of a sync only to serialise it once)."""
        return {name: getattr(self, name) for name in RawEntry.__dataclass_fields__}


def entry_of(document: Mapping[str, Any]) -> RawEntry:
    """A stored document back as an entry (fields a newer mapping added default to None)."""
    names = RawEntry.__dataclass_fields__
    return RawEntry(**{key: value for key, value in document.items() if key in names})


class RawStore:
    """Bulk access to `hub-raw`; writes go through the offer writer, next to the offers."""

    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        self.index = engine.name(RAW)

    def states(self, ids: Sequence[str], offer_index: str) -> dict[str, tuple[str, str, str]]:
        """The kept state of each id whose offer is in `offer_index` too, in one `_mget`: a
        payload whose offer is gone (an emptied index) must be normalised again."""
        if not ids:
            return {}
        docs: list[dict[str, Any]] = []
        for doc_id in ids:
            docs.append({"_index": self.index, "_id": doc_id, "_source": list(STATE_FIELDS)})
            docs.append({"_index": offer_index, "_id": doc_id, "_source": False})
        found = self.engine.request("POST", "/_mget", {"docs": docs})["docs"]
        states = {}
        for raw, offer in zip(found[::2], found[1::2], strict=True):
            if raw.get("found") and offer.get("found"):
                kept = raw["_source"]
                states[raw["_id"]] = (
                    str(kept.get("raw_hash")),
                    str(kept.get("normaliser")),
                    str(kept.get("config_fingerprint")),
                )
        return states

    def keep_actions(self, entries: Iterable[RawEntry]) -> Iterator[dict[str, Any]]:
        """Bulk actions storing `entries` (the last payload of a record replaces the earlier)."""
        for entry in entries:
            yield {
                "_op_type": "index",
                "_index": self.index,
                "_id": entry.id,
                "_source": entry.document(),
            }

    def delete_actions(self, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
        return ({"_op_type": "delete", "_index": self.index, "_id": i} for i in ids)

    def count(self, source_id: str | None = None) -> int:
        """How many payloads are kept (of one source, if given)."""
        body = {"query": _query(source_id)}
        return int(self.engine.request("POST", f"/{self.index}/_count", body)["count"])

    def scan(self, source_id: str | None = None, page: int = 500) -> Iterator[RawEntry]:
        """Every kept entry (of one source), in id order, paged with `search_after`."""
        body: dict[str, Any] = {"size": page, "query": _query(source_id), "sort": [{"id": "asc"}]}
        while True:
            hits = self.engine.request("POST", f"/{self.index}/_search", body)["hits"]["hits"]
            yield from (entry_of(hit["_source"]) for hit in hits)
            if len(hits) < page:
                return
            body["search_after"] = hits[-1]["sort"]

    def refresh(self) -> None:
        self.engine.request("POST", f"/{self.index}/_refresh")


def _query(source_id: str | None) -> dict[str, Any]:
    return {"term": {"source_id": source_id}} if source_id else {"match_all": {}}
