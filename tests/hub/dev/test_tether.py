"""Tethered commands: they end with the process that started them, however it ends."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from hub.dev.tether import tethered
from tests.support.proctree import Proc, descendants, running

STARTER = textwrap.dedent(
    """
    import subprocess, sys, time
    from hub.dev.tether import tethered
    child = subprocess.Popen(tethered(["sleep", "300"]), start_new_session=True)
    print(child.pid, flush=True)
    time.sleep(300)
    """
)


def wait_gone(proc: Proc, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while running(proc) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not running(proc)


def test_a_tethered_command_ends_when_its_starter_is_killed_outright() -> None:
    starter = subprocess.Popen([sys.executable, "-c", STARTER], stdout=subprocess.PIPE, text=True)
    assert starter.stdout is not None
    pid = int(starter.stdout.readline())
    child = next(p for p in descendants(starter.pid) if p.pid == pid)
    try:
        starter.kill()  # SIGKILL: no clean-up of its own runs
        starter.wait(10)
        assert wait_gone(child, 10), "the tethered child outlived its starter"
    finally:
        if running(child):
            subprocess.run(["kill", "-9", str(pid)], check=False)


def test_the_pid_its_starter_holds_is_the_command_itself() -> None:
    child = subprocess.Popen(tethered(["sleep", "30"]))
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cmdline = Path(f"/proc/{child.pid}/cmdline").read_bytes()
            if cmdline.startswith(b"sleep"):
                break
            time.sleep(0.05)
        assert cmdline.split(b"\0")[:2] == [b"sleep", b"30"]
    finally:
        child.kill()
        child.wait(10)


def test_a_command_whose_starter_is_already_gone_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    # pid 1 is not our parent: to the tether it looks as if the starter died before it ran
    argv = [sys.executable, "-m", "hub.dev.tether", "1", "touch", str(marker)]
    assert subprocess.run(argv, timeout=30, check=False).returncode == 1
    assert not marker.exists()
