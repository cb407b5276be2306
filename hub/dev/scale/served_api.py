"""The real API for a benchmark: uvicorn with as many worker processes as the machine has
cores (what a production host runs), on a free port, with the benchmark's settings."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hub.core.settings import Settings
from hub.dev.processes import Supervisor, api_command, wait_http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api_workers() -> int:
    """One uvicorn worker per core: searches are CPU-bound in Python between engine calls."""
    return max(os.cpu_count() or 1, 1)


@contextmanager
def served_api(settings: Settings, processes: int) -> Iterator[tuple[str, int]]:
    """The API with `processes` uvicorn workers; yields (base URL, pid of the server)."""
    port = free_port()
    local = settings.model_copy(
        update={
            "api_port": port,
            "public_base_url": f"http://127.0.0.1:{port}",
            "api_workers": processes,
        }
    )
    sup = Supervisor(local, Path(tempfile.mkdtemp(prefix="hub-bench-api-")))
    args = [*api_command(local), "--log-level", "warning"]
    try:
        child = sup.start("api", args)
        wait_http(f"{local.public_base_url}/healthz", child)
        yield local.public_base_url, child.process.pid
    finally:
        sup.stop_all()
