"""The process tree below a pid, read from /proc, for tests that check nothing outlives `hub up`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Proc:
    """One process as seen once; `started` (clock ticks since boot) tells a reused pid apart."""

    pid: int
    started: int
    cmdline: str


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def descendants(root: int) -> set[Proc]:
    """Every living process below `root` (children, grandchildren, …)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        stat = _stat(int(entry.name)) if entry.name.isdigit() else None
        if stat is not None and stat[0] != "Z":
            children.setdefault(int(stat[1]), []).append(int(entry.name))
    found: set[Proc] = set()
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        stat = _stat(pid)
        if stat is not None:
            found.add(Proc(pid, int(stat[19]), _cmdline(pid)))
        todo.extend(children.get(pid, []))
    return found


def running(proc: Proc) -> bool:
    """Whether that very process still runs (a zombie has ended; a reused pid is another)."""
    stat = _stat(proc.pid)
    return stat is not None and stat[0] != "Z" and int(stat[19]) == proc.started
