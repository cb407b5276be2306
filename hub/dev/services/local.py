"""The machinery shared by the local dev/test services: start, stop and status around pid
files, plus the apt and set-up commands they may need.

A `LocalService` knows how to probe its port and how to build its command line; this module
turns that into idempotent `start()`, `stop()` and `status()`. Processes run detached in their
own session and outlive the CLI; a pid file under `<state_dir>/<name>/` marks what *we*
started, so `stop()` never touches a service somebody else runs on the same port.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import shlex
import shutil
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, NamedTuple
from urllib.parse import urlsplit

from hub.core.errors import LocalServiceError as LocalServiceError
from hub.core.settings import Settings
from hub.dev.services.detached import (
    exit_code_note,
    is_loopback,
    port_in_use,
    process_alive,
    process_cmdline,
    spawn_detached,
    tail,
    terminate,
)


class ServiceState(StrEnum):
    """What answers on a service's port, and who is responsible for it."""

    OURS = "running (ours)"  # started by `hub services up`, pid file present
    EXTERNAL = "running (external)"  # answers, but somebody else started it
    STARTING = "starting"  # our process lives but does not answer yet
    FOREIGN = "port taken"  # something else holds the port
    DOWN = "down"


class StartAction(StrEnum):
    """What `start()` did."""

    STARTED = "started"
    ALREADY_RUNNING = "already running (started by us)"
    REUSED_EXTERNAL = "reused (external, not started by us)"


class StopAction(StrEnum):
    """What `stop()` did."""

    STOPPED = "stopped"
    KILLED = "killed (did not stop on SIGTERM)"
    LEFT_EXTERNAL = "left running (external, not started by us)"
    NOT_RUNNING = "not running"


class Answer(NamedTuple):
    """Who answered on a port: product name and version, e.g. ("opensearch", "3.8.0")."""

    product: str
    version: str


@dataclass(frozen=True)
class ServiceStatus:
    """One service as seen right now."""

    name: str
    url: str
    state: ServiceState
    pid: int | None = None
    answer: Answer | None = None
    log_file: Path | None = None


@dataclass(frozen=True)
class StartResult:
    """The outcome of `start()`: the service's status after it and how long it took."""

    status: ServiceStatus
    action: StartAction
    seconds: float


@dataclass(frozen=True)
class StopResult:
    """The outcome of `stop()`."""

    name: str
    action: StopAction
    pid: int | None = None


LOG_TAIL_LINES = 15
DEFAULT_TIMEOUT = 120.0  # seconds for a service to become healthy after its launch


class LocalService(ABC):
    """One local service: subclasses say how to probe it and how to launch it."""

    name: ClassVar[str]
    label: ClassVar[str]
    cmdline_marker: ClassVar[str]  # proves the pid file's process is still this service
    url_setting: ClassVar[str]  # the environment variable that moves it elsewhere
    default_port: ClassVar[int]
    stop_grace_seconds: ClassVar[float]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        state_dir = settings.state_dir.resolve()
        self.dir = state_dir / self.name
        self.pid_file = self.dir / f"{self.name}.pid"
        self.log_file = self.dir / f"{self.name}.log"
        self.apt_log = state_dir / "apt.log"  # one file, so `apt-get update` runs once

    @property
    @abstractmethod
    def url(self) -> str:
        """The URL clients use (from the settings)."""

    @property
    def host(self) -> str:
        """The host part of `url`."""
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        """The port part of `url`, or the service's usual port."""
        return urlsplit(self.url).port or self.default_port

    @abstractmethod
    def probe(self) -> Answer | None:
        """Who answers on the port as this kind of service, or None (nothing, or not us)."""

    @abstractmethod
    def prepare(self) -> list[str]:
        """Install or download what is missing and return the command line to launch."""

    def ready(self) -> bool:
        """Whether the service can take work; by default, that it answers at all."""
        return self.probe() is not None

    @property
    def is_local(self) -> bool:
        """Whether the settings point at this machine, i.e. whether we may start it here."""
        return is_loopback(self.host)

    def status(self) -> ServiceStatus:
        """Report what answers on the port and whether we started it."""
        pid = self._our_pid()
        answer = self.probe()
        if answer is not None:
            state = ServiceState.OURS if pid else ServiceState.EXTERNAL
        elif pid:
            state = ServiceState.STARTING
        elif self.is_local and port_in_use(self.port):
            state = ServiceState.FOREIGN
        else:
            state = ServiceState.DOWN
        return ServiceStatus(self.name, self.url, state, pid, answer, self.log_file)

    def start(
        self, timeout: float = DEFAULT_TIMEOUT, *, outlive_caller: bool = True
    ) -> StartResult:
        """Start the service unless it already answers; wait until it is ready.

        With `outlive_caller=False` (`hub up`) the service gets SIGTERM when this process
        dies, even by SIGKILL; `hub services up` leaves it running for later commands.
        """
        began = time.monotonic()
        with self._lock():
            current = self.status()
            if current.state is ServiceState.OURS:
                return StartResult(current, StartAction.ALREADY_RUNNING, 0.0)
            if current.state is ServiceState.EXTERNAL:
                return StartResult(current, StartAction.REUSED_EXTERNAL, 0.0)
            if current.state is ServiceState.FOREIGN:
                raise LocalServiceError(
                    f"port {self.port} is taken by another program that does not answer as "
                    f"{self.label}; stop it or point {self.url_setting} at a free port"
                )
            if not self.is_local:
                raise LocalServiceError(
                    f"{self.label} at {self.url} does not answer, and it is not on this "
                    f"machine, so it cannot be started here ({self.url_setting})"
                )
            spawned = current.pid is None
            pid = current.pid or self._spawn(self.prepare(), outlive_caller)
            try:
                self._wait_ready(pid, timeout)
            except BaseException:  # interrupted (Ctrl-C, SIGTERM) or failed: leave nothing
                if spawned:
                    terminate(pid, self.stop_grace_seconds)
                    self.pid_file.unlink(missing_ok=True)
                raise
            return StartResult(self.status(), StartAction.STARTED, time.monotonic() - began)

    def stop(self) -> StopResult:
        """Stop the service if we started it (SIGTERM, then SIGKILL after a grace period)."""
        with self._lock():
            pid = self._our_pid()
            if pid is None:
                action = StopAction.LEFT_EXTERNAL if self.probe() else StopAction.NOT_RUNNING
                return StopResult(self.name, action)
            graceful = terminate(pid, self.stop_grace_seconds)
            self.pid_file.unlink(missing_ok=True)
            return StopResult(self.name, StopAction.STOPPED if graceful else StopAction.KILLED, pid)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines of the service's log, for error messages."""
        return tail(self.log_file, lines)

    def _our_pid(self) -> int | None:
        """The pid from our pid file if that process is alive and still this service."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if process_alive(pid) and self.cmdline_marker in process_cmdline(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)  # stale: the process died or the pid was reused
        return None

    def _spawn(self, argv: Sequence[str], outlive_caller: bool) -> int:
        pid = spawn_detached(argv, self.dir, self.log_file, outlive_caller=outlive_caller)
        self.pid_file.write_text(f"{pid}\n")
        return pid

    def _wait_ready(self, pid: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready():
            if not process_alive(pid):
                self.pid_file.unlink(missing_ok=True)
                raise LocalServiceError(
                    f"{self.label} exited during start-up{exit_code_note(pid)}; "
                    f"see {self.log_file}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                terminate(pid, self.stop_grace_seconds)
                self.pid_file.unlink(missing_ok=True)
                raise LocalServiceError(
                    f"{self.label} was not healthy after {timeout:.0f} s, so it was stopped "
                    f"again; see {self.log_file}:\n{self.log_tail()}"
                )
            time.sleep(0.2)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise start/stop of this service across processes (parallel test workers)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with (self.dir / f"{self.name}.lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def run_logged(
    argv: Sequence[str],
    log_file: Path,
    what: str,
    timeout: float,
    env: Mapping[str, str] | None = None,
) -> None:
    """Run a set-up command with its output in `log_file`; raise with its tail on failure."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", **(env or {})}
    with log_file.open("ab") as log:
        log.write(f"\n=== {shlex.join(argv)}\n".encode())
        log.flush()
        try:
            done = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                timeout=timeout,
                check=False,
            )
            code: int | None = done.returncode
        except subprocess.TimeoutExpired:
            code = None
    if code != 0:
        outcome = f"exit code {code}" if code is not None else f"no result after {timeout:.0f} s"
        raise LocalServiceError(f"{what} failed ({outcome}); see {log_file}:\n{tail(log_file, 20)}")


@functools.cache
def _apt_update(log_file: Path) -> None:
    """`apt-get update`, at most once per process."""
    run_logged(["apt-get", "update"], log_file, "apt-get update", timeout=600)


def ensure_debian_package(binary: str, package: str, log_file: Path) -> str:
    """The path of `binary`; installs Debian's `package` first when it is missing and we are
    root, else raises with what to install."""
    found = shutil.which(binary)
    if found:
        return found
    if os.geteuid() != 0:
        raise LocalServiceError(
            f"`{binary}` is not installed: run `sudo apt-get install -y {package}` "
            "(or deploy/local/bootstrap.sh as root)"
        )
    _apt_update(log_file)
    install = ["apt-get", "install", "-y", "--no-install-recommends", package]
    run_logged(install, log_file, f"apt-get install {package}", timeout=900)
    found = shutil.which(binary)
    if not found:
        raise LocalServiceError(f"`{binary}` is still missing after installing {package}")
    return found
