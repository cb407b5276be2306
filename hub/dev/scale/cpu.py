"""CPU seconds spent by groups of processes (worker pool, engine, broker), for per-document
splits. A process's children are included as they are found when sampled; the engine and
Redis may be shared with others on the machine, which a reader of the figures must be told."""

from __future__ import annotations

from collections.abc import Iterable

import psutil


def cpu_seconds(pids: Iterable[int], *, descendants: bool = True) -> float:
    """User + system CPU of the processes and (unless told not to) their living descendants."""
    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            family = [root, *root.children(recursive=True)] if descendants else [root]
        except psutil.Error:
            continue
        for process in family:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
    return total


def rss_bytes(pids: Iterable[int]) -> int:
    """Resident memory of the processes and their descendants."""
    total = 0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            family = [root, *root.children(recursive=True)]
            total += sum(p.memory_info().rss for p in family)
        except psutil.Error:
            continue
    return total


def listening_on(port: int, names: tuple[str, ...]) -> list[int]:
    """Pids of processes whose command line names one of `names` and that listen on `port`
    (falls back to the name match alone where connections cannot be read)."""
    named = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        cmdline = " ".join(process.info.get("cmdline") or [])
        if any(name in cmdline for name in names):
            named.append(process)
    listening = []
    for process in named:
        try:
            ports = {c.laddr.port for c in process.net_connections() if c.status == "LISTEN"}
        except psutil.Error:
            continue
        if port in ports:
            listening.append(process.pid)
    return listening or [p.pid for p in named]


def process_rss_mb(pid: int) -> list[float]:
    """Resident memory of a process and each of its descendants, in MB (a server's master
    first, then its workers)."""
    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
        return [round(p.memory_info().rss / 2**20, 1) for p in family]
    except psutil.Error:
        return []
