"""The cluster scenario's parts: node settings that form one cluster on loopback, the id and
replica checks, the search poller's figures, and a real 3-node cluster (one JVM per node) that
keeps answering and accepting writes after one node is SIGKILLed. The whole scenario (fleet
sync, kill, restart) takes minutes and is `hub bench cluster`, not a test."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from hub.core.settings import Settings
from hub.dev.fleet.generate import generate_fleet
from hub.dev.scale.cluster import (
    CLUSTER_NAME,
    LAUNCHER,
    LocalCluster,
    node_command,
    node_config,
    node_specs,
)
from hub.dev.scale.cluster_poller import Probe, percentile, phases, summarise
from hub.dev.scale.cluster_scenario import copies_agree, expected_ids, id_check


def test_every_node_has_its_own_ports_and_folder_and_names_all_others_as_seeds(
    tmp_path: Path,
) -> None:
    specs = node_specs(tmp_path, 3)
    assert len({s.http_port for s in specs}) == len({s.transport_port for s in specs}) == 3
    assert len({s.base for s in specs}) == 3
    assert all(s.http_port <= 9299 for s in specs)  # the runner gives up above
    for spec in specs:
        config = yaml.safe_load(node_config(spec, specs))
        assert config["cluster.name"] == CLUSTER_NAME != "familienhub"
        assert config["discovery.type"] != "single-node"
        assert config["discovery.seed_hosts"] == [f"127.0.0.1:{s.transport_port}" for s in specs]
        assert config["cluster.initial_cluster_manager_nodes"] == ["node-1", "node-2", "node-3"]
        assert (config["node.name"], config["http.port"]) == (spec.name, spec.http_port)
        assert config["network.host"] == "127.0.0.1"


def test_a_node_runs_the_launcher_with_one_runner_node_and_its_settings_file(
    tmp_path: Path,
) -> None:
    spec = node_specs(tmp_path, 3)[1]
    argv = node_command(Path("/jdk/bin/java"), tmp_path / "lib", spec, "384m")
    assert str(LAUNCHER) in argv and LAUNCHER.is_file()
    assert argv[argv.index("-numOfNode") + 1] == "1"
    assert argv[argv.index("-baseHttpPort") + 1] == str(spec.http_port - 1)
    assert f"-Dhub.node.settings={spec.base / 'node-settings.yml'}" in argv
    assert "-Xmx384m" in argv


def test_the_id_check_tells_lost_unexpected_and_duplicated_records_apart() -> None:
    fleet = generate_fleet(2, 6, seed=3, kinds=("json_feed",), page_size=5)
    expected = expected_ids(fleet)
    assert len(expected) == 6
    ids = sorted(expected)
    assert id_check(expected, ids) | {"lost_examples": []} == {
        "served": 6, "indexed": 6, "lost": 0, "unexpected": 0, "duplicated": 0,
        "lost_examples": [],
    }  # fmt: skip
    broken = id_check(expected, [*ids[1:], ids[2], "elsewhere:1"])
    assert (broken["lost"], broken["unexpected"], broken["duplicated"]) == (1, 1, 1)
    assert broken["lost_examples"] == [ids[0]]


def test_replica_copies_must_hold_the_same_documents() -> None:
    rows = [
        {"index": "a", "shard": "0", "state": "STARTED", "docs": "10"},
        {"index": "a", "shard": "0", "state": "STARTED", "docs": "10"},
        {"index": "b", "shard": "0", "state": "STARTED", "docs": "4"},
        {"index": "b", "shard": "0", "state": "UNASSIGNED", "docs": None},
    ]
    assert copies_agree(rows)
    rows[1]["docs"] = "9"
    assert not copies_agree(rows)


def test_poller_figures_are_split_at_the_outage() -> None:
    probes = [Probe(1.0, 0.010, None), Probe(2.0, 0.030, None), Probe(3.0, 5.0, "ReadTimeout"),
              Probe(4.0, 0.200, None), Probe(6.0, 0.020, None)]  # fmt: skip
    split = phases(probes, {"node down": 2.5, "node back": 5.0})
    assert split["before"] == {"searches": 2, "errors": 0, "error_kinds": [],
                                    "p50_ms": 10.0, "p95_ms": 30.0, "max_ms": 30.0}  # fmt: skip
    assert split["node down"]["errors"] == 1 and split["node down"]["p50_ms"] == 200.0
    assert split["node back"]["searches"] == 1
    assert summarise([])["p50_ms"] is None
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == 4.0


@pytest.fixture
def cluster(settings: Settings, tmp_path: Path) -> Iterator[LocalCluster]:
    local = LocalCluster(settings, heap="256m", root=tmp_path / "cluster",
                         http_port=9281, transport_port=9381)  # fmt: skip
    try:
        local.start(timeout=120)
        yield local
    finally:
        local.stop()


def _call(url: str, method: str, path: str, body: Any = None) -> Any:
    response = httpx.request(method, url + path, json=body, timeout=60, trust_env=False)
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_a_three_node_cluster_keeps_every_document_and_takes_writes_after_a_kill(
    cluster: LocalCluster,
) -> None:
    url = cluster.url
    assert _call(url, "GET", "/_cluster/health")["number_of_nodes"] == 3
    _call(url, "PUT", "/kill-test", {"settings": {"number_of_shards": 1, "number_of_replicas": 1}})
    lines = "".join(f'{{"index":{{"_id":"{n}"}}}}\n{{"n":{n}}}\n' for n in range(200))
    response = httpx.post(url + "/kill-test/_bulk?refresh=true&wait_for_active_shards=all",
                          content=lines, headers={"Content-Type": "application/x-ndjson"},
                          timeout=60, trust_env=False)  # fmt: skip
    assert response.status_code == 200 and not response.json()["errors"]
    cluster.wait_status({"green"}, 60, nodes=3)
    shards = _call(url, "GET", "/_cat/shards/kill-test?format=json")
    holders = {row["prirep"]: row["node"] for row in shards}
    assert len(set(holders.values())) == 2  # primary and replica on different nodes
    victim = holders["p"] if holders["p"] != "node-1" else holders["r"]

    cluster.kill(victim)

    cluster.wait_status({"yellow", "green"}, 90, nodes=2)
    assert _call(url, "GET", "/kill-test/_count")["count"] == 200
    _call(url, "PUT", "/kill-test/_doc/after-kill?refresh=true", {"n": 200})
    deadline = time.monotonic() + 30
    while _call(url, "GET", "/kill-test/_count")["count"] != 201:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    names = {row["name"] for row in _call(url, "GET", "/_cat/nodes?format=json&h=name")}
    assert names == {"node-1", "node-2", "node-3"} - {victim}
