"""Duplicate groups in the offer index, recomputed from their current members after writes.

Every write path (syncs, pushed events, deletions, re-normalisation) goes through
`hub.search.writer.OfferWriter`, which notes the blocking keys (`duplicate_keys`) of what it
wrote or deleted and, once the writes are visible (`refresh`), calls `settle` with them. `settle`
reads every document under those keys (and the keys those share), groups them with
`hub.search.duplicates`, and rewrites only documents whose group fields change:

- `duplicate_group`: the group's id; `duplicate_canonical`: whether this record is the one search
  shows; `publishers`: every member's source, name and page, the canonical record first.
- A record alone carries none of them. Non-canonical records stay indexed (their owner, a GET by
  id and exports by source still see them); citizen searches leave them out
  (`hub.search.duplicates.VISIBLE`).

The rewrite keeps the record's external version (`external_gte` with the version read), so it
never counts as newer than the source's data; a write that landed meanwhile with a higher
version makes it fail (409) and that writer settles the group again. Recomputations take one
Redis lock per slice of keys (read, regroup, write), so two sources syncing at once do not
interleave theirs. Idempotent: settling twice writes nothing the second time. Left open: a
re-normalisation writing the *same* version of a record in the instant between a settle's read
and its write is overwritten by the content read (the engine offers no compare-and-set with
external versions); the next forced re-normalisation of that source restores it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import redis
import structlog

from hub.core.errors import NotFound
from hub.search.duplicates import duplicate_groups
from hub.search.engine import SearchEngine
from hub.search.indices import SOURCES

log = structlog.get_logger(__name__)

FIELDS = ("duplicate_group", "duplicate_canonical", "publishers")
KEYS_PER_READ = 100  # blocking keys read together (a block holds a handful of records)
MAX_DOCS = 5000  # documents read per slice of keys, far above what its blocks hold
ROUNDS = 3  # rounds of following shared keys
LOCK_SECONDS = 120
LOCK_WAIT_SECONDS = 60


def settle(engine: SearchEngine, index: str, keys: Iterable[str]) -> int:
    """Recompute the groups of the documents under `keys`; returns how many were rewritten.
    Keys go in slices, each read with the keys its documents share, so a large sync never
    reads a truncated block."""
    if not engine.settings.duplicate_grouping:
        return 0
    wanted = sorted({key for key in keys if key})
    written = 0
    for start in range(0, len(wanted), KEYS_PER_READ):
        with _lock(engine):  # read, regroup and write as one step
            hits = _closure(engine, index, set(wanted[start : start + KEYS_PER_READ]))
            written += _apply(engine, index, hits)
    return written


def settle_all(engine: SearchEngine, index: str) -> int:
    """Recompute every group of an index (after a reindex or a bulk load): the keys held by
    two or more documents, and those of documents that still carry group fields."""
    if not engine.settings.duplicate_grouping:
        return 0
    keys = {key for key, count in _keys(engine, index, {"match_all": {}}) if count > 1}
    keys.update(key for key, _ in _keys(engine, index, {"exists": {"field": "duplicate_group"}}))
    return settle(engine, index, keys)


def _keys(engine: SearchEngine, index: str, query: dict[str, Any]) -> Iterator[tuple[str, int]]:
    """(key, document count) of every blocking key among the documents matching `query`."""
    source = [{"key": {"terms": {"field": "duplicate_keys"}}}]
    composite: dict[str, Any] = {"size": 1000, "sources": source}
    while True:
        body = {"size": 0, "query": query, "aggs": {"keys": {"composite": composite}}}
        found = engine.request("POST", f"/{index}/_search", body)["aggregations"]["keys"]
        for bucket in found["buckets"]:
            yield str(bucket["key"]["key"]), int(bucket["doc_count"])
        if not found["buckets"] or "after_key" not in found:
            return
        composite["after"] = found["after_key"]


def grouped(
    docs: Sequence[Mapping[str, Any]], names: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """The group fields every document should carry, by id (empty for a record alone), from
    the documents alone: `names` are the sources' display names."""
    by_id = {str(doc["id"]): doc for doc in docs}
    out: dict[str, dict[str, Any]] = {doc_id: {} for doc_id in by_id}
    for group in duplicate_groups(list(by_id.values())):
        publishers = [_publisher(by_id[member], names) for member in group.members]
        for member in group.members:
            out[member] = {
                "duplicate_group": group.id,
                "duplicate_canonical": member == group.canonical,
                "publishers": publishers,
            }
    return out


def with_groups(docs: Sequence[dict[str, Any]], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Documents with their group fields set, for a bulk load that writes each document once
    (the relevance evaluation); the live index settles after its writes instead."""
    fields = grouped(docs, names)
    return [{k: v for k, v in d.items() if k not in FIELDS} | fields[str(d["id"])] for d in docs]


def _publisher(doc: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    source_id = str(doc.get("source_id") or "")
    return {
        "offer_id": str(doc["id"]),
        "source_id": source_id,
        "name": names.get(source_id) or source_id,
        "url": str(doc.get("url") or ""),
    }


def _apply(engine: SearchEngine, index: str, hits: list[dict[str, Any]]) -> int:
    sources = [h["_source"] for h in hits]
    names = source_names(engine, {str(doc.get("source_id")) for doc in sources})
    wanted = grouped(sources, names)
    actions = []
    for hit in hits:
        source = hit["_source"]
        fields = wanted[str(source["id"])]
        if fields == {name: source[name] for name in FIELDS if name in source}:
            continue
        body = {k: v for k, v in source.items() if k not in FIELDS} | fields
        actions.append(
            {
                "_op_type": "index",
                "_index": hit["_index"],
                "_id": hit["_id"],
                "version": hit["_version"],
                "version_type": "external_gte",
                "_source": body,
            }
        )
    written = 0
    for ok, item in engine.streaming_bulk(actions, chunk_size=200):
        info = item.get("index", {})
        if ok:
            written += 1
        elif info.get("status") != 409:  # 409: rewritten meanwhile; its writer settles again
            log.warning("duplicates.not_written", id=info.get("_id"), error=info.get("error"))
    if written:
        engine.request("POST", f"/{index}/_refresh")
    log.info("duplicates.settled", documents=len(hits), rewritten=written)
    return written


def _closure(engine: SearchEngine, index: str, keys: set[str]) -> list[dict[str, Any]]:
    """The documents under `keys`, plus those sharing further keys with them (a few rounds)."""
    found: dict[str, dict[str, Any]] = {}
    asked: set[str] = set()
    pending = set(keys)
    for _ in range(ROUNDS):
        if not pending or len(found) >= MAX_DOCS:
            break
        asked |= pending
        query = {"terms": {"duplicate_keys": sorted(pending)}}
        body = {"size": MAX_DOCS, "query": query, "version": True}
        hits = engine.request("POST", f"/{index}/_search", body)["hits"]["hits"]
        if len(hits) == MAX_DOCS:
            log.warning("duplicates.block_truncated", keys=sorted(pending)[:5])
        for hit in hits:
            found[hit["_id"]] = hit
        held = {k for h in found.values() for k in h["_source"].get("duplicate_keys") or []}
        pending = held - asked
    return [found[doc_id] for doc_id in sorted(found)]


def source_names(engine: SearchEngine, source_ids: set[str]) -> dict[str, str]:
    """Display names of sources from the registry (a source without one keeps its id)."""
    if not source_ids:
        return {}
    try:
        found = engine.request(
            "POST",
            f"/{engine.name(SOURCES)}/_mget",
            {"ids": sorted(source_ids)},
            params={"_source_includes": "name"},
        )
    except NotFound:  # no registry (an evaluation index)
        return {}
    return {
        d["_id"]: str(d["_source"].get("name") or "")
        for d in found["docs"]
        if d.get("found") and d["_source"].get("name")
    }


@contextmanager
def _lock(engine: SearchEngine) -> Iterator[None]:
    """One recomputation at a time per index prefix; without Redis it runs unlocked."""
    settings = engine.settings
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=10)
    lock = client.lock(
        f"hub:{settings.index_prefix}lock:duplicates",
        timeout=LOCK_SECONDS,
        blocking_timeout=LOCK_WAIT_SECONDS,
    )
    try:
        held = bool(lock.acquire())
    except redis.RedisError as exc:
        log.warning("duplicates.unlocked", error=str(exc))
        held = False
    try:
        yield
    finally:
        if held:
            try:
                lock.release()
            except redis.RedisError:  # expired meanwhile: nothing left to release
                log.warning("duplicates.lock_expired")
        client.close()
