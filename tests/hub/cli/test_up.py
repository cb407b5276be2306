"""`hub up --demo` as a real process: however it is stopped, nothing it started outlives it.

Each case runs `hub up --demo` in its own session with its own API and fleet ports, its own
state folder and a Redis of its own on a free port (so `hub up` starts that Redis and must stop
it); OpenSearch is the session's shared node, which `hub up` reuses and must leave running.
While it runs, the test collects every process below it from /proc; after the signal, all of
them must be gone within a bounded time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis

from hub.core.settings import Settings
from hub.dev.processes import settings_env
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import drop_prefixed
from tests.support.proctree import Proc, descendants, running
from tests.support.stack import free_port, wait_for

pytestmark = [pytest.mark.services, pytest.mark.e2e]

# what `hub up` starts, by a part of each command line
KINDS = {
    "redis": "redis-server",
    "api": "uvicorn hub.api.app:create_app",
    "worker": "celery -A workers.app worker",
    "beat": "celery -A workers.app beat",
}


@dataclass
class HubUp:
    """A running `hub up --demo` and every process seen below it so far."""

    process: subprocess.Popen[bytes]
    settings: Settings
    output: Path
    seen: set[Proc] = field(default_factory=set)

    def look(self) -> set[Proc]:
        self.seen |= descendants(self.process.pid)
        return self.seen

    def started(self, kind: str) -> bool:
        return any(KINDS[kind] in proc.cmdline for proc in self.look())

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def api_answers(self) -> bool:
        url = f"http://127.0.0.1:{self.settings.api_port}/healthz"
        try:
            return httpx.get(url, timeout=2, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False


@pytest.fixture
def hub_up(engine: SearchEngine, settings: Settings, tmp_path: Path) -> Iterator[HubUp]:
    api_port = free_port()
    own = settings.model_copy(
        update={
            "index_prefix": f"{settings.index_prefix}up-{uuid.uuid4().hex[:6]}-",
            "api_port": api_port,
            "public_base_url": f"http://127.0.0.1:{api_port}",
            "state_dir": tmp_path / "state",
            "redis_url": f"redis://127.0.0.1:{free_port()}/0",
        }
    )
    env = settings_env(own, HUB_FETCH_ALLOW_HOSTS="[]", HUB_LOG_JSON="false")
    hub = os.path.join(os.path.dirname(sys.executable), "hub")
    output = tmp_path / "hub-up.out"
    with output.open("wb") as out:
        process = subprocess.Popen(
            [hub, "up", "--demo", "--demo-port", str(free_port())],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running_hub = HubUp(process, own, output)
    try:
        yield running_hub
    finally:
        _kill_leftovers(running_hub)
        drop_prefixed(get_engine(own))


def _kill_leftovers(hub: HubUp) -> None:
    """After a failed case, leave no process behind for the next tests."""
    if hub.process.poll() is None:
        os.killpg(hub.process.pid, signal.SIGKILL)
        hub.process.wait(10)
    for proc in hub.seen:
        if running(proc):
            os.kill(proc.pid, signal.SIGKILL)


def wait_until_all_started(hub: HubUp) -> None:
    """The API answers and the worker, beat and our own Redis run below `hub up`."""
    wait_for(
        lambda: hub.process.poll() is not None or (hub.api_answers() and hub.look()),
        timeout=120,
        what="the API of `hub up`",
    )
    assert hub.process.poll() is None, hub.text()[-3000:]
    for kind in KINDS:
        wait_for(lambda kind=kind: hub.started(kind), timeout=30, what=f"{kind} started")


def assert_all_gone(hub: HubUp, within: float) -> None:
    deadline = time.monotonic() + within
    while (left := [p for p in hub.seen if running(p)]) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not left, f"still running: {[p.cmdline for p in left]}\n{hub.text()[-3000:]}"


def assert_shared_services_answer(settings: Settings, engine: SearchEngine) -> None:
    assert redis.Redis.from_url(settings.redis_url).ping() is True
    assert engine.request("GET", "/_cluster/health")["status"] in {"yellow", "green"}


def assert_own_redis_stopped(hub: HubUp) -> None:
    client = redis.Redis.from_url(hub.settings.redis_url, socket_connect_timeout=1)
    with pytest.raises(redis.ConnectionError):
        client.ping()


def stop_and_check(hub: HubUp, sig: signal.Signals) -> None:
    """Signal `hub up` alone (not its group: that is what `timeout` and a parent do) and
    check it stops everything it started and exits cleanly."""
    hub.look()
    os.kill(hub.process.pid, sig)
    assert hub.process.wait(90) == 0, hub.text()[-3000:]
    assert f"stopping ({sig.name})" in hub.text()
    assert "stopped everything this command started" in hub.text()
    assert_all_gone(hub, within=10)
    assert_own_redis_stopped(hub)


def test_sigterm_once_up_stops_everything_it_started(
    hub_up: HubUp, settings: Settings, engine: SearchEngine
) -> None:
    wait_until_all_started(hub_up)
    wait_for(lambda: "Familienhub NRW is up" in hub_up.text(), timeout=240, what="demo synced")
    stop_and_check(hub_up, signal.SIGTERM)
    assert_shared_services_answer(settings, engine)


def test_sighup_while_the_demo_syncs_stops_everything_it_started(
    hub_up: HubUp, settings: Settings, engine: SearchEngine
) -> None:
    wait_until_all_started(hub_up)
    assert "Familienhub NRW is up" not in hub_up.text()  # still registering and syncing
    stop_and_check(hub_up, signal.SIGHUP)
    assert_shared_services_answer(settings, engine)


def test_children_end_when_hub_up_is_killed_outright(
    hub_up: HubUp, settings: Settings, engine: SearchEngine
) -> None:
    wait_until_all_started(hub_up)
    os.kill(hub_up.process.pid, signal.SIGKILL)
    assert hub_up.process.wait(10) == -signal.SIGKILL
    # tethered children get SIGTERM; a busy Celery worker may finish its task first
    assert_all_gone(hub_up, within=60)
    assert_own_redis_stopped(hub_up)
    assert_shared_services_answer(settings, engine)
