"""Processes that outlive the command that started them, as the local services are (unless
`hub up` tethers them to itself), plus the port and log helpers around them.

Unlike `hub.dev.processes` (children supervised by the process that holds their `Popen`), these are
found again later by pid, so liveness must see through zombies and stopping goes by signal.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from hub.dev.tether import tethered

# Popen objects of the services this process started, so they are reaped (no zombies) and
# their exit code can be told when one dies during start-up.
_children: dict[int, subprocess.Popen[bytes]] = {}


def spawn_detached(
    argv: Sequence[str], cwd: Path, log_file: Path, *, outlive_caller: bool = True
) -> int:
    """Start `argv` in its own session (our terminal's Ctrl-C does not reach it), with stdout
    and stderr appended to `log_file`; return its pid. It outlives us unless `outlive_caller`
    is False: then it is tethered and gets SIGTERM when we die, however we die."""
    cwd.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        stamp = datetime.now().isoformat(timespec="seconds")
        log.write(f"\n=== {stamp} hub services: {shlex.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            list(argv) if outlive_caller else tethered(argv),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _children[proc.pid] = proc
    return proc.pid


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine's loopback interface."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def port_in_use(port: int) -> bool:
    """Whether something holds `port` on 127.0.0.1 (listening or merely bound)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def process_alive(pid: int) -> bool:
    """Whether `pid` runs and is not a zombie waiting to be reaped."""
    if pid in _children:
        return _children[pid].poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def process_cmdline(pid: int) -> str:
    """The command line of `pid`, arguments joined by spaces ('' if unreadable)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def terminate(pid: int, grace_seconds: float) -> bool:
    """SIGTERM the process (group) of `pid`, SIGKILL it if it outlives the grace period;
    True when SIGTERM sufficed."""
    _signal(pid, signal.SIGTERM)
    if _wait_gone(pid, grace_seconds):
        return True
    _signal(pid, signal.SIGKILL)
    _wait_gone(pid, 10.0)
    return False


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        # We start services as session leaders; signalling the group also reaches helpers.
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    _children.pop(pid, None)
    return True


def exit_code_note(pid: int) -> str:
    """' (exit code N)' when this process started `pid` and knows how it ended."""
    proc = _children.get(pid)
    return f" (exit code {proc.returncode})" if proc and proc.returncode is not None else ""


def tail(path: Path, lines: int) -> str:
    """The last `lines` lines of a text file, or a note that it does not exist."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 16_384))
            text = handle.read().decode(errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])
