"""Child processes of the hub (API, Celery worker, beat), started with the same settings.

Used by `hub up` and by the end-to-end tests, which need a real worker process they can kill.
Children are tethered (`hub.dev.tether`): they get SIGTERM when their supervisor's process
dies, even by SIGKILL, so none outlives it as an orphan. `StopSignals` lets the supervising
command stop them on SIGTERM and SIGHUP as on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import httpx

from hub.core.metrics import MULTIPROC_ENV
from hub.core.settings import Settings
from hub.dev.tether import tethered

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that makes a child process read the same settings."""
    env = dict(os.environ)
    for name, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        if isinstance(value, (list, dict)):
            import json

            env[f"HUB_{name.upper()}"] = json.dumps(value)
        else:
            env[f"HUB_{name.upper()}"] = str(value)
    for secret in ("admin_token", "search_password", "secrets_key", "smtp_password"):
        raw = getattr(settings, secret)
        if raw is not None:
            env[f"HUB_{secret.upper()}"] = raw.get_secret_value()
    env.update(extra)
    return env


@dataclass
class Child:
    """One started process with its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        if not self.alive():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def kill(self) -> None:
        """SIGKILL the whole process group (fault tests: a worker dying mid-task)."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Supervisor:
    """Starts children and stops all of them, last started first."""

    settings: Settings
    log_dir: Path
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, args: list[str], **env: str) -> Child:
        """Start `args` in its own session (Ctrl-C in our terminal is ours to pass on),
        tethered to this process; call it from the thread that outlives the child."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = {MULTIPROC_ENV: str(self._metrics_dir()), **env}
        log_path = self.log_dir / f"{name}.log"
        log = log_path.open("ab")
        process = subprocess.Popen(
            tethered(args),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=settings_env(self.settings, **env),
            start_new_session=True,
        )
        child = Child(name, process, log_path)
        self.children.append(child)
        return child

    def worker(self, name: str = "worker", concurrency: int = 2) -> Child:
        """A worker on both queues: the events queue and the hub's queue."""
        return self.start(name, worker_command(self.settings, concurrency, name))

    def events_worker(self, name: str = "events", concurrency: int = 1) -> Child:
        """A worker on the events queue alone: pushed events keep moving while every slot
        of the other workers is busy with a long sync."""
        queues = [self.settings.events_queue]
        return self.start(name, worker_command(self.settings, concurrency, name, queues))

    def beat(self) -> Child:
        return self.start("beat", beat_command(self.log_dir / "celerybeat-schedule"))

    def api(self) -> Child:
        args = [*api_command(self.settings), "--log-level", "warning"]
        child = self.start("api", args)
        wait_http(f"http://{self.settings.api_host}:{self.settings.api_port}/healthz", child)
        return child

    def _metrics_dir(self) -> Path:
        """The Prometheus multiprocess folder all children share (`hub.core.metrics`): the
        operator's PROMETHEUS_MULTIPROC_DIR as set, else `<log_dir>/prometheus`, emptied
        before the first child starts (old samples of dead processes would count again)."""
        chosen = os.environ.get(MULTIPROC_ENV)
        if chosen:
            return Path(chosen)
        folder = self.log_dir / "prometheus"
        if not self.children and folder.is_dir():
            for stale in folder.glob("*.db"):
                stale.unlink()
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def stop_all(self) -> None:
        for child in reversed(self.children):
            child.stop()
        self.children.clear()


class StopSignals:
    """Within `with StopSignals() as stop:`, SIGTERM and SIGHUP raise KeyboardInterrupt as
    SIGINT does, so a service manager's stop, `timeout` or a closed terminal take the same
    clean-up path as Ctrl-C. Only the first signal interrupts; after `shield()` none does, so
    a second signal cannot cut the clean-up short and orphan what it has yet to stop.
    """

    def __init__(self) -> None:
        self.received: signal.Signals | None = None
        self._shielded = False
        self._previous: dict[signal.Signals, Any] = {}

    def __enter__(self) -> StopSignals:
        for sig in STOP_SIGNALS:
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def shield(self) -> None:
        """From now on signals are noted but interrupt nothing (the clean-up has begun)."""
        self._shielded = True

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.received is None
        self.received = self.received or signal.Signals(signum)
        if first and not self._shielded:
            raise KeyboardInterrupt(self.received.name)


def api_command(settings: Settings) -> list[str]:
    """The uvicorn command line serving the API and web pages, with `api_workers` processes."""
    return [
        sys.executable, "-m", "uvicorn", "hub.api.app:create_app", "--factory",
        "--host", settings.api_host, "--port", str(settings.api_port),
        "--workers", str(api_processes(settings)),
    ]  # fmt: skip


def api_processes(settings: Settings) -> int:
    """The configured API worker count, or one per core."""
    return settings.api_workers or max(os.cpu_count() or 1, 1)


def worker_command(
    settings: Settings, concurrency: int, name: str = "worker", queues: list[str] | None = None
) -> list[str]:
    """The Celery worker command line: by default both the events queue and the hub's queue,
    late acks from the app's config."""
    chosen = queues or [settings.events_queue, settings.queue_name]
    return [
        sys.executable, "-m", "celery", "-A", "workers.app", "worker",
        "-Q", ",".join(chosen), "-n", f"{name}@%h", "--concurrency", str(concurrency),
        "--loglevel", "INFO", "--without-gossip", "--without-mingle",
    ]  # fmt: skip


def beat_command(schedule: Path) -> list[str]:
    """The Celery beat command line with its schedule file in the state folder."""
    return [
        sys.executable, "-m", "celery", "-A", "workers.app", "beat",
        "--schedule", str(schedule), "--loglevel", "INFO",
    ]  # fmt: skip


def wait_http(url: str, child: Child | None = None, timeout: float = 60.0) -> None:
    """Wait until `url` answers 200; fail with the child's log if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and not child.alive():
            raise RuntimeError(f"{child.name} exited:\n{child.log_tail()}")
        try:
            if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
