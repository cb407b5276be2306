"""`hub bench search`: the hub's search API at constant arrival rates (open loop) over a mix of
request kinds on a bulk-loaded offer index, against the very engine calls the hub makes for
those requests sent straight to the engine at the same rates in the same run (the baseline):
p50/p95/p99 per kind, and the hub's overhead over the engine's own time.

The API runs as uvicorn with one worker per core; the load generator (this process, asyncio
and httpx) shares the machine with it and the engine, as a reverse proxy would. On a shared
machine latencies move with the neighbours' load, so each hub phase also reports the API
processes' own CPU per request (`api_cpu_ms_per_request`, user + system of the server and its
workers): the hub's cost that no neighbour changes much. With `ingest_sources`, a generated
fleet syncs into the same index through real workers while every phase runs (ingest and
search on one machine, as in production); each round says how many offers were indexed during
it and whether the sync was still running at its end.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import httpx

from hub.core.settings import Settings
from hub.dev.fleet.generate import KINDS, generate_fleet
from hub.dev.scale.corpus import build_index
from hub.dev.scale.cpu import cpu_seconds, process_rss_mb
from hub.dev.scale.openloop import by_kind, open_loop
from hub.dev.scale.searchmix import MixedRequest, request_mix
from hub.dev.scale.served_api import api_workers, served_api
from hub.dev.scale.stack import (
    bench_settings,
    finished_runs,
    offer_count,
    own_indices,
    served_fleet,
)
from hub.dev.scale.stack import workers as worker_processes
from hub.queue import enqueue_sync
from hub.search.engine import SearchEngine

Note = Callable[[str], None]
LIMITS = httpx.Limits(max_connections=400, max_keepalive_connections=100)
NDJSON = {"content-type": "application/x-ndjson"}


def engine_client(settings: Settings) -> httpx.AsyncClient:
    password = settings.search_password.get_secret_value() if settings.search_password else ""
    auth = (settings.search_username, password) if settings.search_username else None
    return httpx.AsyncClient(base_url=settings.search_url, auth=auth, timeout=30,
                             limits=LIMITS, trust_env=False)  # fmt: skip


async def _run(
    mix: Sequence[MixedRequest], client: httpx.AsyncClient, direct: bool, rate: float,
    seconds: float,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """One phase: the mix at `rate` for `seconds`, to the API or (`direct`) to the engine."""

    async def send(number: int) -> str:
        item = mix[number % len(mix)]
        if not direct:
            answer = await client.get(item.path, params=item.params)
            return "ok" if answer.status_code == 200 else str(answer.status_code)
        for call in item.calls:  # one after the other, as the hub sends them
            if isinstance(call.body, str):  # `_msearch`: the hub's NDJSON as it was sent
                reply = await client.request(call.method, call.path, content=call.body,
                                             headers=NDJSON)  # fmt: skip
            else:
                reply = await client.request(call.method, call.path, json=call.body)
            if reply.status_code >= 400:
                return str(reply.status_code)
        return "ok"

    kinds = [item.kind for item in mix]
    return by_kind(await open_loop(kinds, send, rate, seconds))


async def _phase(
    settings: Settings, base_url: str, mix: Sequence[MixedRequest], direct: bool,
    rate: float, seconds: float,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    if direct:
        async with engine_client(settings) as client:
            return await _run(mix, client, True, rate, seconds)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=LIMITS,
                                 trust_env=False) as client:  # fmt: skip
        return await _run(mix, client, False, rate, seconds)


async def _warm(base_url: str, mix: Sequence[MixedRequest], processes: int) -> None:
    """Each kind a few times `processes`-fold at once, so every worker has loaded what it
    loads on its first search before anything is timed."""
    first = {item.kind: item for item in mix}.values()
    async with httpx.AsyncClient(base_url=base_url, timeout=120, trust_env=False) as client:
        for _ in range(3):
            for item in first:
                sends = [client.get(item.path, params=item.params) for _ in range(processes)]
                await asyncio.gather(*sends)


def overhead(hub: dict[str, dict[str, Any]], engine: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per kind: how much longer the hub takes than the engine alone, in % (p50 and p95)."""
    out = {}
    for kind, figures in hub.items():
        base = engine.get(kind, {})
        out[kind] = {
            q: round(100 * (figures[q] - base[q]) / base[q], 1) if base.get(q) else None
            for q in ("p50", "p95")
        }
    return out


def bench_search(
    settings: Settings,
    *,
    size: int = 50_000,
    rates: Sequence[float] = (50.0, 100.0),
    seconds: float = 15.0,
    workers: int | None = None,
    distinct: int = 2000,
    mix_size: int = 490,
    seed: int = 7,
    ingest_sources: int = 0,
    ingest_records: int = 0,
    note: Note = lambda text: None,
) -> dict[str, Any]:
    """The figures per rate, hub and engine baseline, as a JSON-able dict."""
    processes = workers or api_workers()
    local = bench_settings(settings, fetch_rate_per_host=1000.0)
    with own_indices(local) as engine, ExitStack() as stack:
        note(f"loading {size:,} offers")
        corpus = build_index(local, engine, size, distinct=min(distinct, size))
        note("recording the hub's engine calls of the mix")
        mix = request_mix(engine, mix_size, seed)
        syncing: list[str] = []
        if ingest_sources:
            fleet = generate_fleet(ingest_sources, ingest_records, seed=seed, kinds=KINDS)
            syncing = list(stack.enter_context(served_fleet(engine, fleet)).servers)
            stack.enter_context(worker_processes(local, 1, 4))
        base_url, pid = stack.enter_context(served_api(local, processes))
        note("warming up every API worker")
        asyncio.run(_warm(base_url, mix, processes))
        load_before = os.getloadavg()[0]
        since = datetime.now(UTC).isoformat()
        for source_id in syncing:  # the sync runs beside every phase that follows
            enqueue_sync(local, source_id, trigger="bench", full=True)
        rounds = []
        for rate in rates:
            indexed = offer_count(engine)
            note(f"{rate:g} requests/s: engine alone")
            alone = asyncio.run(_phase(local, base_url, mix, True, rate, seconds))
            note(f"{rate:g} requests/s: through the hub")
            cpu_before = cpu_seconds([pid])
            hub = asyncio.run(_phase(local, base_url, mix, False, rate, seconds))
            api_cpu = cpu_seconds([pid]) - cpu_before
            served = max(int(hub.get("all", {}).get("requests", 0)), 1)
            cpu_ms = round(1000 * api_cpu / served, 2)
            rounds.append({"rate": rate, "seconds": seconds, "hub": hub, "engine": alone,
                           "overhead_percent": overhead(hub, alone),
                           "api_cpu_ms_per_request": cpu_ms,
                           "ingest": _ingest(engine, since, syncing, indexed)})  # fmt: skip
        memory = process_rss_mb(pid)
    return {
        "scenario": "search",
        "index": corpus,
        "api_workers": processes,
        "api_rss_mb": memory,
        "engine_calls_per_request": round(sum(len(m.calls) for m in mix) / len(mix), 2),
        "search_timeout": local.search_timeout,
        "cpus": os.cpu_count(),
        "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "ingest": {"sources": ingest_sources, "records": ingest_records},
        "rounds": rounds,
    }


def _ingest(engine: SearchEngine, since: str, syncing: list[str], before: int) -> dict[str, Any]:
    """Offers indexed during a round (both phases) and whether the sync still ran at its end."""
    if not syncing:
        return {}
    done = finished_runs(engine, since)
    return {"offers_indexed": offer_count(engine) - before, "runs_finished": done,
            "still_running": done < len(syncing)}  # fmt: skip
