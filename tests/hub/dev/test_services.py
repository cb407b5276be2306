"""The local services, for real: the shared Redis and OpenSearch on the configured ports, plus
private instances on free ports (own state dir under tmp_path) for stop/start and conflicts.
Nothing here stops the shared services other tests use."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from hub.core.settings import Settings
from hub.dev import services
from hub.dev.services import LocalServiceError, ServiceState, StartAction, StopAction
from tests.support.stack import free_search_port

pytestmark = pytest.mark.services

RUNNING = {ServiceState.OURS, ServiceState.EXTERNAL}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def private_redis(tmp_path: Path, port: int) -> Settings:
    return Settings(redis_url=f"redis://127.0.0.1:{port}/0", state_dir=tmp_path)


def state_of(settings: Settings, name: str) -> ServiceState:
    return next(s.state for s in services.status(settings) if s.name == name)


@pytest.fixture(scope="module")
def shared() -> Iterator[Settings]:
    """The services every other test uses, started (or found running) once."""
    settings = Settings()
    services.up(settings)
    yield settings


def test_up_makes_redis_and_opensearch_answer(shared: Settings) -> None:
    assert redis.Redis.from_url(shared.redis_url).ping() is True
    root = httpx.get(shared.search_url, timeout=10).json()
    assert root["version"]["distribution"] == "opensearch"
    assert int(root["version"]["number"].split(".")[0]) >= 3
    health = httpx.get(f"{shared.search_url}/_cluster/health", timeout=10).json()
    assert health["status"] in {"yellow", "green"}


def test_up_twice_reuses_the_running_services_quickly(shared: Settings) -> None:
    before = {s.name: s.pid for s in services.status(shared)}
    began = time.monotonic()
    results = services.up(shared)
    assert time.monotonic() - began < 10
    assert all(r.action is not StartAction.STARTED for r in results)
    assert {r.status.name: r.status.pid for r in results} == before


def test_status_reports_both_services_running(shared: Settings) -> None:
    statuses = {s.name: s for s in services.status(shared)}
    assert set(statuses) == {"redis", "opensearch"}
    assert all(s.state in RUNNING for s in statuses.values())
    assert statuses["redis"].answer and statuses["redis"].answer.product == "redis"
    assert statuses["opensearch"].answer and statuses["opensearch"].answer.product == "opensearch"


@pytest.mark.parametrize("listening", [True, False], ids=["listening", "bound-only"])
@pytest.mark.parametrize("service", ["redis", "search"])
def test_a_port_taken_by_another_program_is_refused_clearly(
    tmp_path: Path, service: str, listening: bool
) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        if listening:
            holder.listen()
        port = holder.getsockname()[1]
        if service == "redis":
            settings = private_redis(tmp_path, port)
            start = services.start_redis
        else:
            settings = Settings(search_url=f"http://127.0.0.1:{port}", state_dir=tmp_path)
            start = services.start_search
        with pytest.raises(LocalServiceError, match=rf"port {port} is taken by another program"):
            start(settings, timeout=5)
        states = {s.name: s.state for s in services.status(settings)}
    assert ServiceState.FOREIGN in states.values()
    assert not list(tmp_path.rglob("*.pid"))
    assert not list(tmp_path.rglob("lib-*")), "nothing is downloaded for a taken port"


def test_private_redis_stops_and_starts_again_with_its_data(tmp_path: Path) -> None:
    settings = private_redis(tmp_path, free_port())
    try:
        first = services.start_redis(settings)
        assert first.action is StartAction.STARTED
        assert first.status.state is ServiceState.OURS
        pid_file = tmp_path / "redis" / "redis.pid"
        assert pid_file.read_text().strip() == str(first.status.pid)
        redis.Redis.from_url(settings.redis_url).set("survives", "a restart")

        stopped = services.stop_redis(settings)
        assert stopped.action is StopAction.STOPPED
        assert not pid_file.exists()
        assert state_of(settings, "redis") is ServiceState.DOWN

        assert services.start_redis(settings).action is StartAction.STARTED
        assert redis.Redis.from_url(settings.redis_url).get("survives") == b"a restart"
    finally:
        services.stop_redis(settings)


def test_external_redis_is_reused_without_pid_file_and_left_running(tmp_path: Path) -> None:
    port = free_port()
    settings = private_redis(tmp_path, port)
    binary = shutil.which("redis-server")
    assert binary, "redis-server is installed by deploy/local/bootstrap.sh"
    argv = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--dir",
        str(tmp_path),
    ]
    external = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis.from_url(settings.redis_url)
        deadline = time.monotonic() + 10
        while not _pings(client) and time.monotonic() < deadline:
            time.sleep(0.05)

        assert state_of(settings, "redis") is ServiceState.EXTERNAL
        assert services.start_redis(settings).action is StartAction.REUSED_EXTERNAL
        assert not (tmp_path / "redis" / "redis.pid").exists()
        assert services.stop_redis(settings).action is StopAction.LEFT_EXTERNAL
        assert client.ping() is True
    finally:
        external.terminate()
        external.wait(10)


def test_private_opensearch_stops_and_starts_again_with_its_data(tmp_path: Path) -> None:
    settings = Settings(
        search_url=f"http://127.0.0.1:{free_search_port()}",
        state_dir=tmp_path,
        opensearch_heap="512m",
    )
    doc_url = f"{settings.search_url}/restart-check/_doc/1"
    try:
        assert services.start_search(settings).action is StartAction.STARTED
        httpx.put(doc_url, params={"refresh": "true"}, json={"title": "Hebammensprechstunde"})

        assert services.stop_search(settings).action is StopAction.STOPPED
        assert state_of(settings, "opensearch") is ServiceState.DOWN

        began = time.monotonic()
        restarted = services.start_search(settings)
        assert restarted.action is StartAction.STARTED
        assert time.monotonic() - began < 60, "a second start reuses the downloaded jars"
        assert httpx.get(doc_url).json()["_source"] == {"title": "Hebammensprechstunde"}
    finally:
        services.stop_search(settings)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_search_port_beyond_the_runner_limit_is_refused_before_any_download(
    tmp_path: Path,
) -> None:
    settings = Settings(search_url=f"http://127.0.0.1:{free_port()}", state_dir=tmp_path)
    with pytest.raises(LocalServiceError, match="only listen on ports 2–9299"):
        services.start_search(settings, timeout=5)
    assert not list(tmp_path.rglob("lib-*"))
