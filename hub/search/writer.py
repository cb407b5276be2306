"""Writes offers into the alias with external versions, skipping unchanged records.

A write carries the source's `updated_at` (ms) as `external_gte` version, so a replayed or late
older record can never overwrite newer data; records whose content hash is already indexed are
not written at all. The kept raw payloads (`hub-raw`) are written after their offers settled
and deleted in the same bulk as their offers, so no deletion path leaves one behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from hub.core.errors import EngineUnavailable, NotFound
from hub.core.schema import Offer
from hub.search.documents import search_document
from hub.search.duplicate_groups import settle
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, RAW, TOMBSTONES, alias_targets, ensure_registry_index
from hub.search.raw import RawEntry, RawStore

EXISTING_FIELDS = ("content_hash", "updated_at", "duplicate_keys")  # what a write decides on


@dataclass
class WriteResult:
    """Per-batch counts; `failed` holds (id, reason) of items the engine refused, `settled` the
    ids whose indexed offer now is the one written (created, updated or unchanged)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    deleted: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)

    def add(self, other: WriteResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.stale += other.stale
        self.deleted += other.deleted
        self.failed.extend(other.failed)
        self.settled.extend(other.settled)


def _chunks(items: Iterable[Offer], size: int) -> Iterator[list[Offer]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class OfferWriter:
    """Bulk writer bound to the live offer index (the alias's write index)."""

    def __init__(self, engine: SearchEngine, *, target_index: str | None = None) -> None:
        self.engine = engine
        targets = [target_index] if target_index else alias_targets(engine)
        if not targets:
            raise EngineUnavailable(f"alias {engine.name(OFFERS)} points at no index")
        self.index = targets[-1]
        self.raw = RawStore(engine)
        self._raw_ready = False
        self._touched: set[str] = set()  # blocking keys whose duplicate groups may have changed

    def existing(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """content_hash and updated_at of the already indexed documents among `ids`."""
        if not ids:
            return {}
        found = self.engine.request(
            "POST",
            f"/{self.index}/_mget",
            {"ids": list(ids)},
            params={"_source_includes": ",".join(EXISTING_FIELDS)},
        )
        return {d["_id"]: d["_source"] for d in found["docs"] if d.get("found")}

    def write(self, offers: Iterable[Offer], chunk_size: int = 250) -> WriteResult:
        """Write changed offers; count created/updated/unchanged/stale."""
        total = WriteResult()
        for batch in _chunks(offers, chunk_size):
            total.add(self._write_batch(batch, chunk_size))
        return total

    def _write_batch(self, batch: list[Offer], chunk_size: int) -> WriteResult:
        result = WriteResult()
        unique: dict[str, Offer] = {}
        for offer in batch:  # the newest version of a record wins inside one batch
            if offer.id not in unique or offer.updated_at >= unique[offer.id].updated_at:
                unique[offer.id] = offer
        existing, deleted = self._indexed_and_deleted(list(unique))
        actions: list[dict[str, Any]] = []
        for offer in unique.values():
            known = existing.get(offer.id)
            if deleted.get(offer.id, -1) >= offer.version():
                result.stale += 1  # deleted at or after this version: stays deleted
                continue
            if known and known.get("content_hash") == offer.content_hash:
                result.unchanged += 1
                result.settled.append(offer.id)
                continue
            if known and _is_newer(known.get("updated_at"), offer.updated_at):
                result.stale += 1
                continue
            action = self._index_action(offer)
            self._touched.update(action["_source"]["duplicate_keys"])
            self._touched.update((known or {}).get("duplicate_keys") or [])  # the old place
            actions.append(action)
        created = {a["_id"] for a in actions if a["_id"] not in existing}
        for ok, item in self.engine.streaming_bulk(actions, chunk_size=chunk_size):
            info = item.get("index", {})
            doc_id = str(info.get("_id"))
            if ok:
                if doc_id in created:
                    result.created += 1
                else:
                    result.updated += 1
                result.settled.append(doc_id)
            elif info.get("status") == 409:
                result.stale += 1
            else:
                result.failed.append((doc_id, str(info.get("error"))))
        return result

    def _indexed_and_deleted(
        self, ids: Sequence[str]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
        """`existing` and `tombstones` of `ids` in one `_mget` over both indices (one round
        trip per batch instead of two)."""
        tombstones = self.engine.name(TOMBSTONES)
        docs: list[dict[str, Any]] = []
        for doc_id in ids:
            docs.append({"_index": self.index, "_id": doc_id, "_source": list(EXISTING_FIELDS)})
            docs.append({"_index": tombstones, "_id": doc_id})
        found = self.engine.request("POST", "/_mget", {"docs": docs})["docs"] if ids else []
        if failed := next((d for d in found if "error" in d), None):  # as a one-index _mget
            raise NotFound(f"engine: not found: {failed.get('_index')}: {failed['error']}")
        existing = {d["_id"]: d["_source"] for d in found[::2] if d.get("found")}
        deleted = {d["_id"]: int(d["_source"]["version"]) for d in found[1::2] if d.get("found")}
        return existing, deleted

    def _index_action(self, offer: Offer) -> dict[str, Any]:
        return {
            "_op_type": "index",
            "_index": self.index,
            "_id": offer.id,
            "version": offer.version(),
            "version_type": "external_gte",
            "_source": search_document(offer),
        }

    def tombstones(self, ids: Sequence[str]) -> dict[str, int]:
        """Versions at which records among `ids` were explicitly deleted."""
        if not ids:
            return {}
        found = self.engine.request(
            "POST", f"/{self.engine.name(TOMBSTONES)}/_mget", {"ids": list(ids)}
        )
        return {d["_id"]: int(d["_source"]["version"]) for d in found["docs"] if d.get("found")}

    def delete_versioned(self, doc_id: str, source_id: str, deleted_at: datetime) -> WriteResult:
        """An explicit delete (webhook, tombstone record) at a version: a later write of an
        older version cannot bring the record back, a newer one can."""
        version = int(deleted_at.timestamp() * 1000)
        current = self.tombstones([doc_id]).get(doc_id, -1)
        if version > current:
            self.engine.request(
                "PUT",
                self.engine.doc_path(TOMBSTONES, doc_id),
                {
                    "id": doc_id,
                    "source_id": source_id,
                    "version": version,
                    "deleted_at": deleted_at.isoformat(),
                },
                params={"refresh": "true"},
            )
        result = WriteResult()
        existing = self.existing([doc_id])
        known = existing.get(doc_id)
        if known and _is_newer(known.get("updated_at"), deleted_at):
            result.stale += 1
            return result
        result.add(self.delete([doc_id]))
        return result

    def delete(self, ids: Iterable[str], chunk_size: int = 500) -> WriteResult:
        """Delete documents by id, their kept payloads with them (missing ones count as already
        deleted; only offers are counted). Call `refresh` afterwards: it settles the duplicate
        groups the deleted records were in."""
        result = WriteResult()
        ids = list(ids)
        for start in range(0, len(ids), chunk_size):
            for known in self.existing(ids[start : start + chunk_size]).values():
                self._touched.update(known.get("duplicate_keys") or [])
        for ok, item in self.engine.streaming_bulk(self._delete_actions(ids), chunk_size):
            info = item.get("delete", {})
            if ok or info.get("status") == 404:
                offer = info.get("_index") != self.raw.index
                result.deleted += 1 if ok and offer else 0
            else:
                result.failed.append((str(info.get("_id")), str(info.get("error"))))
        return result

    def _delete_actions(self, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
        for doc_id in ids:
            yield {"_op_type": "delete", "_index": self.index, "_id": doc_id}
            yield from self.raw.delete_actions([doc_id])

    def raw_states(self, ids: Sequence[str]) -> dict[str, tuple[str, str, str]]:
        """The kept payload states of `ids` whose offers are indexed (one `_mget`)."""
        return self.raw.states(ids, self.index)

    def keep_raw(self, entries: Sequence[RawEntry], chunk_size: int = 250) -> list[str]:
        """Store the payloads of settled offers; returns the ids the engine refused (a missing
        payload only costs a normalisation at the next sync)."""
        if not entries:
            return []
        if not self._raw_ready:  # a hub upgraded without `hub index create` lacks the index
            ensure_registry_index(self.engine, RAW, update_mapping=False)
            self._raw_ready = True
        refused = []
        for ok, item in self.engine.streaming_bulk(self.raw.keep_actions(entries), chunk_size):
            if not ok:
                refused.append(str(item.get("index", {}).get("_id")))
        return refused

    def count_of_source(self, source_id: str) -> int:
        """How many offers of a source are indexed (a count, not a scan)."""
        body = {"query": {"term": {"source_id": source_id}}}
        return int(self.engine.request("POST", f"/{self.index}/_count", body)["count"])

    def ids_of_source(self, source_id: str) -> set[str]:
        """Every document id of a source currently in the index (paged with search_after)."""
        ids: set[str] = set()
        body: dict[str, Any] = {
            "size": 1000,
            "_source": False,
            "query": {"term": {"source_id": source_id}},
            "sort": [{"id": "asc"}],
        }
        while True:
            hits = self.engine.request("POST", f"/{self.index}/_search", body)["hits"]["hits"]
            ids.update(hit["_id"] for hit in hits)
            if len(hits) < body["size"]:
                return ids
            body["search_after"] = hits[-1]["sort"]

    def refresh(self) -> None:
        """Make the writes visible, then settle the duplicate groups they touched."""
        self.engine.request("POST", f"/{self.index}/_refresh")
        touched, self._touched = self._touched, set()
        if touched:
            settle(self.engine, self.index, touched)


def _is_newer(indexed: str | None, incoming: datetime) -> bool:
    if not indexed:
        return False
    try:
        return datetime.fromisoformat(indexed) > incoming
    except ValueError:
        return False
