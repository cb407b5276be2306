"""Real hub processes for end-to-end tests: the API and Celery workers as child processes."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from hub.core.settings import Settings
from hub.dev.processes import Supervisor
from hub.queue import enqueue_sync
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.sources.runs import RunStatus, RunStore, SyncRun

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_search_port(highest: int = 9290) -> int:
    """A free HTTP port for an extra OpenSearch node (the runner binds HTTP below 9300 only)."""
    for port in range(highest, 9200, -1):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise AssertionError(f"no free port in 9201-{highest} for an OpenSearch node")


def supervisor(settings: Settings, log_dir: Path, api_port: int | None = None) -> Supervisor:
    port = api_port or free_port()
    local = settings.model_copy(
        update={"api_port": port, "public_base_url": f"http://127.0.0.1:{port}"}
    )
    return Supervisor(local, log_dir)


def wait_for(check: Callable[[], T | None], timeout: float = 60, what: str = "condition") -> T:
    """Poll `check` until it returns something truthy (behaviour, not timing, is asserted)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def queued_sync(
    engine: SearchEngine, settings: Settings, source_id: str, timeout: float = 120
) -> SyncRun:
    """Queue a full sync of `source_id` for the workers and wait for its run to end."""
    earlier = len(RunStore(engine).for_source(source_id, limit=50))
    enqueue_sync(settings, source_id, trigger="test", full=True)

    def finished() -> SyncRun | None:
        runs = RunStore(engine).for_source(source_id, limit=50)
        done = [r for r in runs if r.status != RunStatus.RUNNING]
        return done[0] if len(done) > earlier else None

    return wait_for(finished, timeout=timeout, what=f"a run of {source_id}")


def offers_of_source(engine: SearchEngine, source_id: str) -> int:
    """How many offers of `source_id` the index holds, after a refresh."""
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    body = {"query": {"term": {"source_id": source_id}}}
    return int(engine.request("POST", f"/{engine.name(OFFERS)}/_count", body)["count"])
