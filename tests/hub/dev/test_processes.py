"""The supervisor's stop signals: SIGTERM and SIGHUP interrupt as Ctrl-C does, once; its
children share one Prometheus multiprocess folder."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from hub.core.metrics import MULTIPROC_ENV
from hub.core.settings import Settings
from hub.dev.processes import StopSignals, Supervisor, api_processes


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_stop_signal_interrupts_like_ctrl_c_and_names_itself(sig: signal.Signals) -> None:
    with StopSignals() as stop, pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), sig)
        time.sleep(5)  # the handler raises before this ends
    assert stop.received is sig


def test_once_shielded_a_second_signal_cannot_cut_the_clean_up_short() -> None:
    with StopSignals() as stop:
        stop.shield()
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGHUP)
        cleaned_up = True
    assert cleaned_up
    assert stop.received is signal.SIGTERM


def test_the_previous_handlers_come_back_afterwards() -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}
    with StopSignals():
        assert signal.getsignal(signal.SIGTERM) != before[signal.SIGTERM]
    assert {sig: signal.getsignal(sig) for sig in before} == before


def test_children_share_one_metrics_folder_emptied_before_the_first_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    folder = tmp_path / "logs" / "prometheus"
    folder.mkdir(parents=True)
    (folder / "counter_4242.db").write_bytes(b"samples of a process of the last start")
    supervisor = Supervisor(Settings(), tmp_path / "logs")
    show = [sys.executable, "-c", f"import os; print(os.environ[{MULTIPROC_ENV!r}])"]
    try:
        first = supervisor.start("first", show)
        (folder / "counter_4243.db").write_bytes(b"samples of the first child")
        second = supervisor.start("second", show)
        for child in (first, second):
            child.process.wait(30)
    finally:
        supervisor.stop_all()
    assert first.log_path.read_text().strip() == str(folder)
    assert second.log_path.read_text().strip() == str(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["counter_4243.db"]


def test_the_api_serves_with_one_worker_process_per_core_unless_told(
    settings: Settings, tmp_path: Path
) -> None:
    """`hub api` and `make up` start uvicorn with `api_workers` processes, by default one per
    core; each answers (several requests, all 200) and all of them are children of one server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    local = settings.model_copy(update={"api_port": port, "api_workers": 0})
    assert api_processes(local) == max(os.cpu_count() or 1, 1)
    local = local.model_copy(update={"api_workers": 2})
    supervisor = Supervisor(local, tmp_path / "logs")
    try:
        child = supervisor.api()
        server = psutil.Process(child.process.pid)
        workers = [
            p for p in server.children(recursive=True) if "spawn_main" in " ".join(p.cmdline())
        ]
        answers = [
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code for _ in range(6)
        ]
    finally:
        supervisor.stop_all()
    assert len(workers) == 2
    assert answers == [200] * 6
