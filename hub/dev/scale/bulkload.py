"""Raw bulk: the indexed offers dumped once, then loaded with nothing but the engine client
into a fresh index of a chosen definition — the engine's own limit, the pipeline's baseline.

Index variants for the ablation: the current mapping; the mapping before the unread
subfields were removed (2026-12-06: `categories.exact`, `locations.city.keyword`, which no
query, sort or aggregation reads); a leaner one whose unsearched text is stored, not indexed;
and bulk-load settings (no refresh, no replica while loading, as `hub index reindex` builds).
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.search.analysis import offer_index_body
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS

# subfields no query, sort, collapse or aggregation reads, removed from the mapping 2026-12-06
UNREAD_SUBFIELDS: dict[tuple[str, str], dict[str, Any]] = {
    ("categories", "exact"): {"type": "text", "analyzer": "german_exact"},
    ("locations.city", "keyword"): {"type": "keyword"},
}
# analysed text that no query searches (shown and exported from _source only)
UNSEARCHED_TEXT = ("cost_note", "recurrence_text", "locations.name", "locations.street",
                   "provider.name")  # fmt: skip


def dump_offers(engine: SearchEngine, path: Path, page: int = 1000) -> int:
    """Every offer behind the alias, one `{"_id", "_source"}` line each; returns the count."""
    count, after = 0, None
    with path.open("w", encoding="utf-8") as out:
        while True:
            body: dict[str, Any] = {"size": page, "sort": [{"id": "asc"}]}
            if after is not None:
                body["search_after"] = after
            hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
            for hit in hits:
                out.write(json.dumps({"_id": hit["_id"], "_source": hit["_source"]}) + "\n")
            count += len(hits)
            if len(hits) < page:
                return count
            after = hits[-1]["sort"]


def _field(properties: dict[str, Any], dotted: str) -> dict[str, Any]:
    node: dict[str, Any] = {"properties": properties}
    for part in dotted.split("."):
        node = node["properties"][part]
    return node


def restored(body: dict[str, Any]) -> dict[str, Any]:
    """The definition with the removed unread subfields back (the mapping before)."""
    body = copy.deepcopy(body)
    properties = body["mappings"]["properties"]
    for (dotted, sub), definition in UNREAD_SUBFIELDS.items():
        _field(properties, dotted).setdefault("fields", {})[sub] = dict(definition)
    return body


def leaner(body: dict[str, Any]) -> dict[str, Any]:
    """The text nobody searches stored but not indexed."""
    body = copy.deepcopy(body)
    properties = body["mappings"]["properties"]
    for dotted in UNSEARCHED_TEXT:
        node = _field(properties, dotted)
        node["index"] = False
        node.pop("analyzer", None)
        node.pop("fields", None)
    return body


@dataclass(frozen=True)
class Variant:
    name: str
    shape: Callable[[dict[str, Any]], dict[str, Any]]
    bulk_settings: bool


VARIANTS = (
    Variant("current mapping (baseline)", lambda b: b, False),
    Variant("current mapping + bulk-load settings", lambda b: b, True),
    Variant("before: unread subfields restored", restored, False),
    Variant("leaner: unsearched text not indexed", leaner, False),
    Variant("leaner + bulk-load settings", leaner, True),
)


def _actions(path: Path, index: str) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            yield {"_op_type": "index", "_index": index, "_id": doc["_id"],
                   "_source": doc["_source"]}  # fmt: skip


def bulk_load(
    engine: SearchEngine, path: Path, variant: Variant, chunk: int = 500
) -> tuple[float, int]:
    """Seconds until every dumped offer is searchable in a fresh index of `variant`; the index
    is dropped afterwards. Returns (seconds, documents)."""
    body = variant.shape(offer_index_body(engine.settings.index_replicas))
    if variant.bulk_settings:
        body["settings"] = {**body["settings"], "refresh_interval": "-1", "number_of_replicas": 0}
    index = engine.name(f"{OFFERS}-bulk-{uuid.uuid4().hex[:6]}")
    engine.request("PUT", f"/{index}", body)
    try:
        start = time.perf_counter()
        done = sum(1 for ok, _ in engine.streaming_bulk(_actions(path, index), chunk) if ok)
        if variant.bulk_settings:
            restore = {"refresh_interval": "1s",
                       "number_of_replicas": engine.settings.index_replicas}  # fmt: skip
            engine.request("PUT", f"/{index}/_settings", {"index": restore})
        engine.request("POST", f"/{index}/_refresh")
        return time.perf_counter() - start, done
    finally:
        engine.request("DELETE", f"/{index}")
