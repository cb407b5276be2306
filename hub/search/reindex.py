"""Zero-downtime reindex: build a new index from `mappings/`, copy, verify, swap, drop the old.

Search keeps answering from the old index until the alias swap, which is atomic; the new index
is deleted if anything fails before the swap, and the alias never points at an index whose
document count does not match.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

from hub.core.errors import ReindexError
from hub.search.analysis import offer_index_body
from hub.search.duplicate_groups import settle_all
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, alias_targets, create_offer_index, swap_alias

log = structlog.get_logger(__name__)
Progress = Callable[[int, int], None]  # (documents copied, documents to copy)
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class ReindexResult:
    old: str
    new: str
    documents: int


def live_definition_hash(engine: SearchEngine) -> str | None:
    """The definition hash stored in the live offer index (None for indices before hashes)."""
    targets = alias_targets(engine)
    if not targets:
        return None
    mapping = engine.request("GET", f"/{targets[-1]}/_mapping")[targets[-1]]["mappings"]
    meta: dict[str, Any] = mapping.get("_meta") or {}
    value = meta.get("definition_hash")
    return str(value) if value else None


def is_stale(engine: SearchEngine) -> bool:
    """Whether the live index was built from other mappings/analysis than `mappings/` now."""
    current = offer_index_body(engine.settings.index_replicas)["mappings"]["_meta"]
    return live_definition_hash(engine) != str(current["definition_hash"])


def reindex(engine: SearchEngine, progress: Progress | None = None) -> ReindexResult:
    """Copy the live offer index into a fresh one built from `mappings/` and swap the alias;
    `progress` hears the copy's counters from the engine's task API while it runs."""
    targets = alias_targets(engine)
    if not targets:
        raise ReindexError(f"alias {engine.name(OFFERS)} points at no index")
    old = targets[-1]
    new = create_offer_index(engine, point_alias=False)
    try:
        engine.request("PUT", f"/{new}/_settings", {"index": {"refresh_interval": "-1"}})
        body = {"source": {"index": old}, "dest": {"index": new, "version_type": "external"}}
        started = engine.request(
            "POST", "/_reindex", body, params={"wait_for_completion": "false", "refresh": "true"}
        )
        result = _wait_for_task(engine, str(started["task"]), progress or (lambda done, of: None))
        if result.get("failures"):
            raise ReindexError(f"reindex failures: {result['failures'][:3]}")
        engine.request("PUT", f"/{new}/_settings", {"index": {"refresh_interval": "1s"}})
        engine.request("POST", f"/{new}/_refresh")
        settle_all(engine, new)  # groups as the current duplicate detection forms them
        before = int(engine.request("GET", f"/{old}/_count")["count"])
        after = int(engine.request("GET", f"/{new}/_count")["count"])
        if before != after:
            raise ReindexError(f"count mismatch: {old} has {before}, {new} has {after}")
        swap_alias(engine, new)
    except Exception:
        engine.request("DELETE", f"/{new}")
        raise
    engine.request("DELETE", f"/{old}")
    log.info("reindex.done", old=old, new=new, documents=after)
    return ReindexResult(old=old, new=new, documents=after)


def _wait_for_task(engine: SearchEngine, task: str, progress: Progress) -> dict[str, Any]:
    """Poll the engine's task API until the reindex task ends; its response."""
    while True:
        found = engine.request("GET", f"/_tasks/{task}")
        status = found.get("task", {}).get("status", {})
        done = int(status.get("created", 0)) + int(status.get("updated", 0))
        progress(done, int(status.get("total", 0)))
        if found.get("completed"):
            if found.get("error"):
                raise ReindexError(f"reindex task failed: {found['error']}")
            response: dict[str, Any] = found.get("response", {})
            return response
        time.sleep(POLL_SECONDS)
