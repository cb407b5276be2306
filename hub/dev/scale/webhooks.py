"""`hub bench webhooks`: signed Standard Webhooks events (upserts of generated offers in the
common schema) posted at a constant rate to the real API, applied by real Celery workers;
acknowledgement latency (due → 202) and webhook → searchable latency (due → the offer is found
by a search on the live alias, so the refresh counts), optionally while a statewide sync runs
on the same workers. The workers run as in production: the worker(s) on both queues plus a
dedicated events worker, so events never wait behind syncs. Then a burst (as fast as 64
connections send) for verified webhooks/s.

Baseline in the same run: the same documents as the hub indexed them, written one request each
straight to a fresh index of the same definition at the same rate (write → searchable through
the engine's own refresh), and bulk-loaded in one go (documents/s).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Coroutine
from contextlib import ExitStack
from typing import Any

import aiohttp
import httpx

from hub.core.settings import Settings
from hub.core.signing import sign_headers
from hub.dev.demo.fleet import push_record
from hub.dev.fleet.generate import KINDS, SimSource, generate_fleet
from hub.dev.scale.cpu import process_rss_mb
from hub.dev.scale.openloop import Sample, open_loop, percentiles
from hub.dev.scale.search import engine_client
from hub.dev.scale.served_api import api_workers, served_api
from hub.dev.scale.stack import bench_settings, own_indices, served_fleet, workers
from hub.queue import enqueue_sync
from hub.search.analysis import offer_index_body
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.sources.secrets import rotate_webhook_secret
from hub.sources.store import SourceInput, SourceRegistry

Note = Callable[[str], None]
POLL_SECONDS = 0.1
BURST_CONNECTIONS = 64
WARM_UP_EVENTS = 64  # sent before measuring, from sources of their own


class Event:
    """One signed delivery: its source, offer id and body."""

    def __init__(self, source: SimSource, record: dict[str, Any]) -> None:
        self.source_id = source.source_id
        self.offer_id = f"{source.source_id}:{record['local_id']}"
        self.body = json.dumps({"type": "offer.upserted", "data": push_record(record)}).encode()


def push_sources(engine: SearchEngine, count: int, events: int, seed: int) -> tuple[
    list[Event], dict[str, str]
]:  # fmt: skip
    """`count` registered push sources holding `events` generated offers in all; the events
    (interleaved over the sources) and each source's webhook secret."""
    fleet = generate_fleet(count, events, seed=seed, kinds=("push",))
    registry = SourceRegistry(engine)
    secrets = {}
    for source in fleet:
        source.source_id = f"{source.source_id}-{uuid.uuid4().hex[:4]}"
        registry.create(SourceInput.model_validate(source.registration("https://cms.example.org")))
        secrets[source.source_id] = rotate_webhook_secret(registry, source.source_id).secret
    queues = [[Event(s, r) for s in [source] for r in source.records] for source in fleet]
    interleaved = [e for row in _zip_longest(queues) for e in row]
    return interleaved, secrets


def _zip_longest(queues: list[list[Event]]) -> list[list[Event]]:
    longest = max((len(q) for q in queues), default=0)
    return [[q[i] for q in queues if i < len(q)] for i in range(longest)]


async def searchable_times(
    engine: httpx.AsyncClient, index: str, ids: list[str], done: asyncio.Event, timeout: float
) -> dict[str, float]:
    """perf_counter when each id was first found by a search on `index` (polled every
    100 ms, up to 1,000 ids a query), until all are found or `timeout` after `done` is set."""
    found: dict[str, float] = {}
    pending = list(ids)
    deadline: float | None = None
    while pending:
        if done.is_set() and deadline is None:
            deadline = time.perf_counter() + timeout
        if deadline is not None and time.perf_counter() > deadline:
            break
        for start in range(0, len(pending), 1000):
            chunk = pending[start : start + 1000]
            body = {"size": len(chunk), "_source": False, "query": {"ids": {"values": chunk}}}
            answer = await engine.post(f"/{index}/_search", json=body)
            if answer.status_code == 200:
                now = time.perf_counter()
                for hit in answer.json()["hits"]["hits"]:
                    found.setdefault(hit["_id"], now)
        pending = [i for i in pending if i not in found]
        await asyncio.sleep(POLL_SECONDS)
    return found


async def _measured(
    send: Callable[[int], Coroutine[Any, Any, str]], ids: list[str], rate: float,
    engine: httpx.AsyncClient, index: str, wait: float,
) -> dict[str, Any]:  # fmt: skip
    """`send` at `rate` for every id, polling meanwhile until each is searchable."""
    done = asyncio.Event()

    async def load() -> list[Sample]:
        try:
            return await open_loop(["event"] * len(ids), send, rate, len(ids) / rate)
        finally:
            done.set()

    samples, found = await asyncio.gather(load(), searchable_times(engine, index, ids, done, wait))
    acked = [s for s in samples if s.ok]
    delays = [found[ids[s.number]] - s.due for s in acked if ids[s.number] in found]
    return {
        "events": len(ids),
        "acknowledged": len(acked),
        "errors": dict(_count(s.outcome for s in samples if not s.ok)),
        "ack_ms": percentiles([s.seconds for s in acked]),
        "searchable": len(delays),
        "searchable_ms": percentiles(delays),
    }


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return out


async def hub_run(
    settings: Settings, base_url: str, events: list[Event], secrets: dict[str, str],
    rate: float, wait: float,
) -> dict[str, Any]:  # fmt: skip
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30, trust_env=False) as api,
        engine_client(settings) as engine,
    ):

        async def send(number: int) -> str:
            event = events[number]
            headers = sign_headers(secrets[event.source_id], f"msg_{uuid.uuid4().hex}",
                                   int(time.time()), event.body)  # fmt: skip
            headers["content-type"] = "application/json"
            answer = await api.post(f"/api/v1/sources/{event.source_id}/events",
                                    content=event.body, headers=headers)  # fmt: skip
            return "ok" if answer.status_code == 202 else str(answer.status_code)

        alias = settings.index_name(OFFERS)
        ids = [e.offer_id for e in events]
        return await _measured(send, ids, rate, engine, alias, wait)


async def burst(base_url: str, events: list[Event], secrets: dict[str, str]) -> dict[str, Any]:
    """Every event sent as fast as `BURST_CONNECTIONS` connections carry them. The sender is
    aiohttp with the deliveries signed beforehand: on the benchmark's own host, httpx spent
    about 5 ms of CPU per request, twice what the API spends, and measured itself instead."""
    now = int(time.time())
    signed = [(e, {**sign_headers(secrets[e.source_id], f"msg_{uuid.uuid4().hex}", now, e.body),
                   "content-type": "application/json"}) for e in events]  # fmt: skip
    queue = list(reversed(signed))
    seconds: list[float] = []
    outcomes: dict[str, int] = {}
    connector = aiohttp.TCPConnector(limit=BURST_CONNECTIONS)
    async with aiohttp.ClientSession(base_url, connector=connector) as api:

        async def sender() -> None:
            while queue:
                event, headers = queue.pop()
                began = time.perf_counter()
                async with api.post(f"/api/v1/sources/{event.source_id}/events",
                                    data=event.body, headers=headers) as answer:  # fmt: skip
                    await answer.read()
                seconds.append(time.perf_counter() - began)
                key = "ok" if answer.status == 202 else str(answer.status)
                outcomes[key] = outcomes.get(key, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(BURST_CONNECTIONS)))
        wall = time.perf_counter() - start
    verified = outcomes.get("ok", 0)
    return {"events": len(events), "verified": verified, "seconds": round(wall, 2),
            "verified_per_second": round(verified / wall, 1), "outcomes": outcomes,
            "ack_ms": percentiles(seconds)}  # fmt: skip


async def engine_run(
    settings: Settings, index: str, docs: dict[str, dict[str, Any]], ids: list[str], rate: float,
    wait: float,
) -> dict[str, Any]:  # fmt: skip
    """The baseline: each document written by one index request straight to the engine."""
    async with engine_client(settings) as engine:

        async def send(number: int) -> str:
            doc_id = ids[number]
            answer = await engine.put(f"/{index}/_doc/{doc_id}", json=docs[doc_id])
            return "ok" if answer.status_code in (200, 201) else str(answer.status_code)

        return await _measured(send, ids, rate, engine, index, wait)


def indexed_documents(engine: SearchEngine, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The documents as the hub indexed them, by id."""
    found = {}
    for start in range(0, len(ids), 500):
        body = {"ids": ids[start : start + 500]}
        answer = engine.request("POST", f"/{engine.name(OFFERS)}/_mget", body)
        found.update({d["_id"]: d["_source"] for d in answer["docs"] if d.get("found")})
    return found


def baseline(
    settings: Settings, engine: SearchEngine, ids: list[str], rate: float, wait: float
) -> dict[str, Any]:
    """Single writes at `rate` and one bulk load of the hub's documents, in fresh indices."""
    docs = indexed_documents(engine, ids)
    present = [i for i in ids if i in docs]
    body = offer_index_body(settings.index_replicas)
    single, bulk = (engine.name(f"{OFFERS}-base-{uuid.uuid4().hex[:6]}") for _ in range(2))
    engine.request("PUT", f"/{single}", body)
    engine.request("PUT", f"/{bulk}", body)
    try:
        writes = asyncio.run(engine_run(settings, single, docs, present, rate, wait))
        start = time.perf_counter()
        actions = ({"_index": bulk, "_id": i, "_source": docs[i]} for i in present)
        loaded = sum(1 for ok, _ in engine.streaming_bulk(actions, chunk_size=500) if ok)
        engine.request("POST", f"/{bulk}/_refresh")
        seconds = time.perf_counter() - start
    finally:
        engine.request("DELETE", f"/{single}")
        engine.request("DELETE", f"/{bulk}")
    return {"single_writes": writes,
            "bulk": {"documents": loaded, "seconds": round(seconds, 2),
                     "documents_per_second": round(loaded / seconds, 1)}}  # fmt: skip


def bench_webhooks(
    settings: Settings,
    *,
    events: int = 1000,
    rate: float = 100.0,
    burst_events: int = 1000,
    sources: int = 10,
    processes: int = 1,
    concurrency: int = 2,
    events_concurrency: int = 2,
    sync_sources: int = 0,
    sync_records: int = 0,
    wait: float = 60.0,
    seed: int = 11,
    note: Note = lambda text: None,
) -> dict[str, Any]:
    """The webhook figures and their engine baseline, as a JSON-able dict."""
    local = bench_settings(settings, fetch_rate_per_host=1000.0)
    with own_indices(local) as engine, ExitStack() as stack:
        steady, secrets = push_sources(engine, sources, events, seed)
        extra, more = push_sources(engine, sources, burst_events, seed + 1)
        secrets.update(more)
        warm, more = push_sources(engine, 2, WARM_UP_EVENTS, seed + 2)
        secrets.update(more)
        syncing: list[str] = []
        if sync_sources:
            fleet = generate_fleet(sync_sources, sync_records, seed=seed, kinds=KINDS)
            syncing = list(stack.enter_context(served_fleet(engine, fleet)).servers)
        worker_pids = stack.enter_context(
            workers(local, processes, concurrency, events=events_concurrency)
        )
        base_url, api_pid = stack.enter_context(served_api(local, api_workers()))
        # the first request of each API process imports the engine client (~0.3 s): not
        # what a running deployment's webhooks meet, so the API is warmed before measuring
        asyncio.run(burst(base_url, warm, secrets))
        for source_id in syncing:
            enqueue_sync(local, source_id, trigger="bench", full=True)
        note(f"{events:,} events at {rate:g}/s" + (" during a statewide sync" if syncing else ""))
        hub = asyncio.run(hub_run(local, base_url, steady, secrets, rate, wait))
        note(f"burst of {burst_events:,} events")
        fast = asyncio.run(burst(base_url, extra, secrets))
        memory = {"api": process_rss_mb(api_pid),
                  "workers": [m for pid in worker_pids for m in process_rss_mb(pid)]}  # fmt: skip
        note("baseline: the same documents straight to the engine")
        base = baseline(local, engine, [e.offer_id for e in steady], rate, wait)
    return {
        "scenario": "webhooks",
        "rate": rate,
        "sources": sources,
        "api_workers": api_workers(),
        "worker_processes": processes,
        "worker_concurrency": concurrency,
        "events_worker_concurrency": events_concurrency,
        "statewide_sync": {"sources": sync_sources, "records": sync_records},
        "hub": hub,
        "burst": fast,
        "baseline": base,
        "rss_mb": memory,
    }
