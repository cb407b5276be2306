"""A search poller for the cluster scenario: one query every `interval` seconds through the
coordinating node, each answer's latency and error kept with its time, so the figures can be
split into before, during and after a node's outage."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

QUERY: dict[str, Any] = {
    "query": {"multi_match": {"query": "Familie Beratung", "fields": ["title", "description"]}},
    "size": 10,
}


@dataclass(frozen=True)
class Probe:
    at: float  # time.monotonic() when sent
    seconds: float
    error: str | None  # None: HTTP 200 with every shard answering


@dataclass
class SearchPoller:
    """Polls `url`/`index`/_search in a thread between `start()` and `stop()`."""

    url: str
    index: str
    interval: float = 0.1
    probes: list[Probe] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="search-poller", daemon=True)

    def start(self) -> SearchPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10.0, trust_env=False) as client:
            while not self._stop.is_set():
                sent = time.monotonic()
                error = probe_error(client, f"/{self.index}/_search")
                self.probes.append(Probe(sent, time.monotonic() - sent, error))
                self._stop.wait(self.interval)


def probe_error(client: httpx.Client, path: str) -> str | None:
    """Why one search did not answer fully, or None."""
    try:
        response = client.post(path, json=QUERY)
    except httpx.HTTPError as exc:
        return type(exc).__name__
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    shards = response.json().get("_shards", {})
    if shards.get("failed", 0):
        return f"{shards['failed']} of {shards.get('total')} shards failed"
    return None


def summarise(probes: list[Probe]) -> dict[str, Any]:
    """Count, errors and latency percentiles (ms) of answered probes."""
    answered = sorted(p.seconds * 1000 for p in probes if p.error is None)
    errors = [p.error for p in probes if p.error is not None]
    return {
        "searches": len(probes),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "p50_ms": round(percentile(answered, 50), 1) if answered else None,
        "p95_ms": round(percentile(answered, 95), 1) if answered else None,
        "max_ms": round(answered[-1], 1) if answered else None,
    }


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (empty lists have none)."""
    if not ordered:
        raise ValueError("no values")
    rank = max(math.ceil(pct / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def phases(probes: list[Probe], cuts: dict[str, float]) -> dict[str, dict[str, Any]]:
    """Summaries between consecutive cut times, e.g. {"node down": t_kill, "node back": t_up}:
    the phase before the first cut is "before"."""
    names = ["before", *cuts]
    bounds = [float("-inf"), *cuts.values(), float("inf")]
    return {
        name: summarise([p for p in probes if bounds[i] <= p.at < bounds[i + 1]])
        for i, name in enumerate(names)
    }
