"""`hub bench cluster`: a fleet sync through a real worker into a local 3-node cluster (one
replica), one node SIGKILLed mid-sync, then: every served record indexed exactly once, search
answering throughout, the cluster back to green.

The hub talks to node-1 (its one engine URL), so node-1 stays up; the offer index's primary is
moved off node-1 first, and the node that holds it is killed, so the kill forces a replica's
promotion under the sync's writes. Runs the kill failed are synced again once, as the beat
schedule would; the result says how many.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hub.core.schema import offer_id
from hub.core.settings import Settings
from hub.dev.fleet.generate import SimSource, generate_fleet
from hub.dev.scale.cluster import LocalCluster
from hub.dev.scale.cluster_poller import SearchPoller, phases
from hub.dev.scale.stack import bench_settings, offer_count, own_indices, served_fleet, workers
from hub.queue import enqueue_sync
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, RAW, SYNC_RUNS, alias_targets

Report = Callable[[str], None]
STORE_STATS_SECONDS = 11  # index.store.stats_refresh_interval (10 s) and a margin


def expected_ids(fleet: list[SimSource]) -> set[str]:
    """The document id of every record the fleet serves."""
    return {offer_id(s.source_id, r["local_id"]) for s in fleet for r in s.records}


def id_check(expected: set[str], indexed: list[str]) -> dict[str, Any]:
    """Lost, unexpected and duplicated ids of what was indexed against what was served."""
    seen = set(indexed)
    return {
        "served": len(expected),
        "indexed": len(indexed),
        "lost": len(expected - seen),
        "unexpected": len(seen - expected),
        "duplicated": len(indexed) - len(seen),
        "lost_examples": sorted(expected - seen)[:5],
    }


def copies_agree(shards: list[dict[str, Any]]) -> bool:
    """Every started copy of each shard holds the same number of documents."""
    counts: dict[tuple[str, str], set[str]] = {}
    for row in shards:
        if row.get("state") == "STARTED":
            counts.setdefault((row["index"], row["shard"]), set()).add(str(row["docs"]))
    return all(len(found) == 1 for found in counts.values())


def run_cluster_scenario(
    settings: Settings,
    *,
    sources: int = 20,
    records: int = 5000,
    page_size: int = 50,
    kill_at: float = 0.3,
    concurrency: int = 2,
    heap: str = "512m",
    seed: int = 1,
    report: Report = lambda line: None,
) -> dict[str, Any]:
    """The scenario's figures and checks as a JSON-able dict."""
    cluster = LocalCluster(settings, nodes=3, heap=heap)
    started = time.monotonic()
    try:
        cluster.start()
        report(f"3 nodes green after {time.monotonic() - started:.1f} s")
        local = bench_settings(settings, search_url=cluster.url, index_replicas=1)
        fleet = generate_fleet(sources, records, seed=seed, kinds=("json_feed", "rss"),
                               page_size=page_size)  # fmt: skip
        return _scenario(cluster, local, fleet, kill_at, concurrency, report) | {
            "sources": sources,
            "records": records,
            "page_size": page_size,
            "heap_per_node": heap,
            "worker_concurrency": concurrency,
        }
    finally:
        cluster.stop()


def _scenario(
    cluster: LocalCluster,
    local: Settings,
    fleet: list[SimSource],
    kill_at: float,
    concurrency: int,
    report: Report,
) -> dict[str, Any]:
    result: dict[str, Any] = {"scenario": "cluster", "nodes": len(cluster.specs)}
    with own_indices(local) as engine, served_fleet(engine, fleet) as sim:
        victim = _primary_off_first_node(cluster, engine)
        result["killed_node"] = victim
        result["killed_node_primaries"] = _primaries_on(engine, victim)
        result["killed_node_was_cluster_manager"] = _manager(cluster) == victim
        poller = SearchPoller(cluster.url, engine.name(OFFERS)).start()
        with workers(local, 1, concurrency):
            since = datetime.now(UTC).isoformat()
            begin = time.monotonic()
            for source_id in sim.servers:
                enqueue_sync(local, source_id, trigger="bench", full=True)
            threshold = int(len(expected_ids(fleet)) * kill_at)
            while offer_count(engine) < threshold:
                time.sleep(0.2)
            killed_at = time.monotonic()
            result["killed_after_offers"] = offer_count(engine)
            cluster.kill(victim)
            report(f"{victim} killed after {killed_at - begin:.1f} s "
                   f"({result['killed_after_offers']:,} offers indexed)")  # fmt: skip
            cluster.wait_status({"yellow", "green"}, 120, nodes=len(cluster.specs) - 1)
            result["seconds_to_yellow_or_green_after_kill"] = round(time.monotonic() - killed_at, 1)
            result["status_after_kill"] = _health_status(cluster)
            statuses = _wait_runs(engine, since, list(sim.servers), timeout=600)
            result["first_round"] = _tally(statuses, time.monotonic() - begin)
            report(f"first round: {result['first_round']}")
            failed = [s for s, status in statuses.items() if status != "succeeded"]
            if failed:
                again = datetime.now(UTC).isoformat()
                for source_id in failed:
                    enqueue_sync(local, source_id, trigger="bench", full=True)
                result["second_round"] = _tally(_wait_runs(engine, again, failed, 600), None)
                report(f"failed sources synced again: {result['second_round']}")
            result["sync_seconds"] = round(time.monotonic() - begin, 1)
        result["status_before_restart"] = _health_status(cluster)
        restarted = time.monotonic()
        cluster.start_node(cluster.spec(victim))
        result["seconds_to_green_after_restart"] = round(
            cluster.wait_status({"green"}, 300, nodes=len(cluster.specs)), 1
        )
        back = time.monotonic()
        time.sleep(2)
        poller.stop()
        result["search"] = phases(poller.probes, {"node down": killed_at, "node back": back})
        result["search"]["node down"]["seconds"] = round(restarted - killed_at, 1)
        engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
        result["ids"] = id_check(expected_ids(fleet), _indexed_ids(engine))
        shards = engine.request("GET", "/_cat/shards?format=json")
        result["replica_copies_agree"] = copies_agree(
            [row for row in shards if row["index"].startswith(local.index_prefix)]
        )
        result["index_size"] = _index_size(engine)
        result["heap"] = _heap(cluster)
    return result


def _wait_runs(
    engine: SearchEngine, since: str, source_ids: list[str], timeout: float
) -> dict[str, str]:
    """The last status of each source's runs started after `since`, once none is running (or
    the timeout passed: then "running" or "missing" stand for what did not end)."""
    deadline = time.monotonic() + timeout
    while True:
        found = _run_statuses(engine, since)
        done = all(found.get(s, "running") != "running" for s in source_ids)
        if done or time.monotonic() > deadline:
            return {s: found.get(s, "missing") for s in source_ids}
        time.sleep(0.5)


def _run_statuses(engine: SearchEngine, since: str) -> dict[str, str]:
    index = engine.name(SYNC_RUNS)
    try:
        engine.request("POST", f"/{index}/_refresh")
        body = {"size": 1000, "sort": [{"started_at": "asc"}],
                "query": {"range": {"started_at": {"gte": since}}}}  # fmt: skip
        hits = engine.request("POST", f"/{index}/_search", body)["hits"]["hits"]
    except Exception:  # the engine answers errors while a shard fails over; ask again
        return {}
    return {hit["_source"]["source_id"]: hit["_source"]["status"] for hit in hits}


def _tally(statuses: dict[str, str], seconds: float | None) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    if seconds is not None:
        counts["seconds"] = round(seconds, 1)
    return counts


def _primary_off_first_node(cluster: LocalCluster, engine: SearchEngine) -> str:
    """Move the offer index's primary off node-1 if it is there; the node holding it."""
    index = alias_targets(engine)[0]
    copies = _copies(engine, index)
    primary = next(row["node"] for row in copies if row["prirep"] == "p")
    if primary != cluster.specs[0].name:
        return str(primary)
    holders = {row["node"] for row in copies}
    target = next(s.name for s in cluster.specs if s.name not in holders)
    engine.request("POST", "/_cluster/reroute", {"commands": [{"move": {
        "index": index, "shard": 0, "from_node": primary, "to_node": target}}]})  # fmt: skip
    cluster.wait_status({"green"}, 120, nodes=len(cluster.specs))
    while any(row["state"] != "STARTED" for row in _copies(engine, index)):
        time.sleep(0.2)
    return target


def _copies(engine: SearchEngine, index: str) -> list[dict[str, Any]]:
    rows = engine.request("GET", f"/_cat/shards/{index}?format=json")
    return [row for row in rows if isinstance(row, dict)]


def _primaries_on(engine: SearchEngine, node: str) -> list[str]:
    prefix = engine.settings.index_prefix
    rows = engine.request("GET", f"/_cat/shards/{prefix}*?format=json")
    return sorted(r["index"].removeprefix(prefix) for r in rows
                  if r["node"] == node and r["prirep"] == "p")  # fmt: skip


def _manager(cluster: LocalCluster) -> str | None:
    body = cluster.get(cluster.url, "/_cluster/state/cluster_manager_node,nodes")
    if not body:
        return None
    node = body.get("nodes", {}).get(body.get("cluster_manager_node"), {})
    name = node.get("name")
    return None if name is None else str(name)


def _health_status(cluster: LocalCluster) -> str | None:
    body = cluster.health()
    return None if body is None else str(body.get("status"))


def _indexed_ids(engine: SearchEngine) -> list[str]:
    """Every offer document's id, paged with search_after (ids as the engine holds them)."""
    index = engine.name(OFFERS)
    ids: list[str] = []
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {"size": 2000, "_source": False, "sort": [{"id": "asc"}],
                                "query": {"match_all": {}}}  # fmt: skip
        if after is not None:
            body["search_after"] = after
        hits = engine.request("POST", f"/{index}/_search", body)["hits"]["hits"]
        if not hits:
            return ids
        ids.extend(hit["_id"] for hit in hits)
        after = hits[-1]["sort"]


def _index_size(engine: SearchEngine) -> dict[str, Any]:
    """The offer index and the kept raw payloads on disk (primaries, as `_cat/indices` reports
    them) per 1,000 offers, as left by the sync and after merging to one segment."""
    indices = {"offers": alias_targets(engine)[0], "raw": engine.name(RAW)}
    offers = offer_count(engine)

    def measured() -> dict[str, int]:
        time.sleep(STORE_STATS_SECONDS)  # the engine caches store sizes this long
        return {
            name: int(engine.request("GET", f"/_cat/indices/{index}?format=json&bytes=b")[0][
                "pri.store.size"])
            for name, index in indices.items()
        }  # fmt: skip

    as_synced = measured()
    for index in indices.values():  # the flush lets the merged-away segments' files go
        engine.request("POST", f"/{index}/_forcemerge?max_num_segments=1")
        engine.request("POST", f"/{index}/_flush?force=true")
    merged = measured()
    result: dict[str, Any] = {"offers": offers}
    for name in indices:
        result[f"{name}_kb_per_1000_offers"] = round(as_synced[name] / max(offers, 1) / 1.024, 1)
        result[f"{name}_kb_per_1000_offers_merged"] = round(
            merged[name] / max(offers, 1) / 1.024, 1
        )
    return result


def _heap(cluster: LocalCluster) -> dict[str, Any]:
    body = cluster.get(cluster.url, "/_nodes/stats/jvm") or {}
    return {
        node["name"]: {
            "used_mb": round(node["jvm"]["mem"]["heap_used_in_bytes"] / 2**20),
            "max_mb": round(node["jvm"]["mem"]["heap_max_in_bytes"] / 2**20),
        }
        for node in body.get("nodes", {}).values()
    }
