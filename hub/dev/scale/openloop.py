"""Load at a constant arrival rate (open loop): request i is due at start + i / rate whatever
the answers before it did, and its latency is counted from when it was due, not from when it
was sent, so a server that falls behind shows its queue in the figures (no coordinated
omission). Percentiles per request kind."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

Send = Callable[[int], Awaitable[str]]  # request number → "ok" or why not (status, error)


@dataclass(frozen=True)
class Sample:
    number: int
    kind: str
    due: float  # perf_counter when the request was due
    seconds: float  # due → answered
    outcome: str  # "ok", an HTTP status or an exception's name

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


async def open_loop(kinds: Sequence[str], send: Send, rate: float, seconds: float) -> list[Sample]:
    """`rate × seconds` requests, request i of kind `kinds[i % len(kinds)]` fired at its due
    time; waits for every answer."""
    count = max(int(rate * seconds), 1)
    start = time.perf_counter() + 0.05
    samples: list[Sample] = []

    async def one(number: int, due: float) -> None:
        try:
            outcome = await send(number)
        except Exception as exc:  # a refused or timed-out request is an error, not a crash
            outcome = type(exc).__name__
        kind = kinds[number % len(kinds)]
        samples.append(Sample(number, kind, due, time.perf_counter() - due, outcome))

    tasks = []
    for number in range(count):
        due = start + number / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(number, due)))
    await asyncio.gather(*tasks)
    return samples


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 and max in milliseconds (exclusive method; one value is all of them)."""
    ms = sorted(v * 1000 for v in values)
    if not ms:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {"p50": round(cuts[49], 1), "p95": round(cuts[94], 1), "p99": round(cuts[98], 1),
            "max": round(ms[-1], 1)}  # fmt: skip


def by_kind(samples: Sequence[Sample]) -> dict[str, dict[str, Any]]:
    """Per kind (and `all`): requests, errors and latency percentiles of the answered ones."""
    groups: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        groups[sample.kind].append(sample)
        groups["all"].append(sample)
    return {
        kind: {
            "requests": len(group),
            "errors": sum(1 for s in group if not s.ok),
            "error_kinds": dict(Counter(s.outcome for s in group if not s.ok)),
            **percentiles([s.seconds for s in group if s.ok]),
        }
        for kind, group in sorted(groups.items())
    }
