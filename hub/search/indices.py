"""Index management: the versioned offer index behind the alias, and the registry indices
(sources, sync runs, tombstones, the kept raw payloads `hub-raw`, the feed page digests
`hub-feed-pages`, parents' correction reports `hub-reports`, the freshness digests sent
`hub-digests`, the accounts (organisations, users, enrolment links), the planning snapshots
and search-demand counters, and the audit log `hub-audit`).

An offer index is named `{prefix}offers-{timestamp}` and reached only through the alias
`{prefix}offers`; creating one never touches the alias of a live index unless asked to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub.core.errors import NotFound
from hub.search.analysis import load_json, offer_index_body
from hub.search.engine import SearchEngine

OFFERS = "offers"
SOURCES = "hub-sources"
SYNC_RUNS = "hub-sync-runs"
TOMBSTONES = "hub-tombstones"
RAW = "hub-raw"
FEED_PAGES = "hub-feed-pages"
REPORTS = "hub-reports"
DIGESTS = "hub-digests"
ORGANISATIONS = "hub-organisations"
USERS = "hub-users"
ENROLMENT_LINKS = "hub-enrolment-links"
PLANNING_SNAPSHOTS = "hub-planning-snapshots"
PLANNING_DEMAND = "hub-planning-demand"
AUDIT = "hub-audit"
REGISTRY_MAPPINGS = {
    SOURCES: "sources.json",
    SYNC_RUNS: "sync_runs.json",
    TOMBSTONES: "tombstones.json",
    RAW: "raw.json",
    FEED_PAGES: "feed_pages.json",
    REPORTS: "reports.json",
    DIGESTS: "digests.json",
    ORGANISATIONS: "organisations.json",
    USERS: "users.json",
    ENROLMENT_LINKS: "enrolment_links.json",
    PLANNING_SNAPSHOTS: "planning_snapshots.json",
    PLANNING_DEMAND: "planning_demand.json",
    AUDIT: "audit.json",
}


@dataclass(frozen=True)
class IndexStatus:
    alias: str
    indices: list[str]
    doc_count: int
    health: str


def new_offer_index_name(engine: SearchEngine) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    return engine.name(f"{OFFERS}-{stamp}")


def create_offer_index(engine: SearchEngine, *, point_alias: bool) -> str:
    """Create a new versioned offer index; point the alias at it only if asked."""
    name = new_offer_index_name(engine)
    engine.request("PUT", f"/{name}", offer_index_body(engine.settings.index_replicas))
    if point_alias:
        swap_alias(engine, name)
    return name


def alias_targets(engine: SearchEngine, alias: str = OFFERS) -> list[str]:
    """Indices the alias points at (empty if it does not exist)."""
    try:
        found = engine.request("GET", f"/_alias/{engine.name(alias)}")
    except NotFound:
        return []
    return sorted(found)


def swap_alias(engine: SearchEngine, target: str, alias: str = OFFERS) -> list[str]:
    """Atomically point the alias at `target` only; returns the indices it left."""
    old = [index for index in alias_targets(engine, alias) if index != target]
    actions: list[dict[str, Any]] = [
        {"remove": {"index": i, "alias": engine.name(alias)}} for i in old
    ]
    actions.append({"add": {"index": target, "alias": engine.name(alias), "is_write_index": True}})
    engine.request("POST", "/_aliases", {"actions": actions})
    return old


def ensure_indices(engine: SearchEngine) -> None:
    """Create the registry indices and a first offer index if they are missing (idempotent).

    An existing registry index gets the fields its mapping file added since (strict mappings
    would refuse a document carrying them); mapping changes there must stay additive.
    """
    for logical in REGISTRY_MAPPINGS:
        ensure_registry_index(engine, logical, update_mapping=True)
    if not alias_targets(engine):
        create_offer_index(engine, point_alias=True)


def ensure_registry_index(engine: SearchEngine, logical: str, *, update_mapping: bool) -> None:
    """Create one registry index from its mapping file if missing (a bulk write must never
    auto-create it with dynamic mappings); optionally add the file's new fields to it."""
    name = engine.name(logical)
    mapping_file = REGISTRY_MAPPINGS[logical]
    if engine.exists(f"/{name}"):
        if update_mapping:
            engine.request("PUT", f"/{name}/_mapping", load_json(mapping_file)["mappings"])
        return
    body = load_json(mapping_file)
    body["settings"]["number_of_replicas"] = engine.settings.index_replicas
    try:
        engine.request("PUT", f"/{name}", body)
    except Exception as exc:  # a concurrent creator won the race
        if "resource_already_exists" not in str(getattr(exc, "message", exc)):
            raise


def offer_status(engine: SearchEngine) -> IndexStatus:
    targets = alias_targets(engine)
    count = 0
    health = "missing"
    if targets:
        count = int(engine.request("GET", f"/{engine.name(OFFERS)}/_count")["count"])
        health = str(engine.request("GET", f"/_cluster/health/{','.join(targets)}")["status"])
    return IndexStatus(alias=engine.name(OFFERS), indices=targets, doc_count=count, health=health)


def drop_prefixed(engine: SearchEngine) -> None:
    """Delete every index of this prefix (tests only: refuses an empty prefix)."""
    prefix = engine.settings.index_prefix
    if not prefix:
        raise ValueError("refusing to drop indices without an index prefix")
    found = engine.request("GET", f"/_cat/indices/{prefix}*", params={"format": "json"})
    for row in found:
        engine.request("DELETE", f"/{row['index']}")
