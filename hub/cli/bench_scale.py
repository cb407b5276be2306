"""The scale scenarios of `hub bench` (statewide, resync, index): rich progress while they run,
then their figure and its baseline from the same run as a table, or as JSON with `--json`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub.cli.common import console, settings
from hub.dev.fleet.generate import KINDS
from hub.dev.scale.ablation import bench_index
from hub.dev.scale.cluster_scenario import run_cluster_scenario
from hub.dev.scale.fairness import bench_fairness
from hub.dev.scale.profile import profile_sync
from hub.dev.scale.resync import bench_resync
from hub.dev.scale.search import bench_search
from hub.dev.scale.statewide import bench_statewide
from hub.dev.scale.webhooks import bench_webhooks

JSON = typer.Option(False, "--json", help="Print the results as JSON.")
SOURCES = typer.Option(186, help="Simulated sources (NRW: 186 youth welfare offices).")
RECORDS = typer.Option(200_000, help="Records in all, spread unevenly over the sources.")
RATE = typer.Option(None, help="Requests/s per host (default: the hub's politeness limit).")


@contextmanager
def runs_progress(total: int, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar of finished runs with the indexed offers beside it."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[indexed]:,} offers"), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console, disable=quiet, transient=True) as bar:
        task = bar.add_task("sync runs", total=total, indexed=0)

        def update(done: int, indexed: int) -> None:
            bar.update(task, completed=min(done, total), indexed=indexed)

        yield update


def statewide(
    sources: int = SOURCES,
    records: int = RECORDS,
    workers: int = typer.Option(1, help="Worker processes."),
    concurrency: int = typer.Option(4, help="Pool size of each worker."),
    page_size: int = typer.Option(500, help="Records per page (WordPress: at most 100)."),
    rate: float | None = RATE,
    seed: int = typer.Option(1),
    keep_dump: Path | None = typer.Option(None, help="Keep the offers as JSONL here."),
    as_json: bool = JSON,
) -> None:
    """S sources / R records through real workers vs raw bulk of the same documents."""
    with runs_progress(sources, as_json) as progress:
        result = bench_statewide(settings(), sources=sources, records=records, seed=seed,
                                 processes=workers, concurrency=concurrency,
                                 page_size=page_size, rate=rate, kinds=KINDS,
                                 progress=progress, keep_dump=keep_dump)  # fmt: skip
    if as_json:
        print(json.dumps(result, indent=2))
        return
    bulk = result["raw_bulk"]
    table = Table("run", "seconds", "records/s", "ratio", "CPU ms/record")
    table.add_row("raw bulk, engine client (baseline)", f"{bulk['seconds']:.2f}",
                  f"{bulk['records_per_second']:,.0f}", "1.00",
                  _split(bulk["cpu_ms_per_record"]))  # fmt: skip
    table.add_row(f"statewide sync, {sources} sources, {result['indexed']:,} offers",
                  f"{result['seconds']:.2f}", f"{result['records_per_second']:,.0f}",
                  f"{result['ratio_to_raw_bulk']:.2f}",
                  _split(result["cpu_ms_per_record"]))  # fmt: skip
    console.print(table)
    console.print(_footer(result))


def _split(cpu: dict[str, float]) -> str:
    return " · ".join(f"{name} {value:.2f}" for name, value in cpu.items())


def _footer(result: dict[str, Any]) -> str:
    return (f"{result['requests']:,} requests at ≤ {result['rate_per_host']:g}/s per host; "
            f"{result['worker_processes']} worker × {result['worker_concurrency']}; "
            f"worker memory {result['worker_rss_mb']} MB")  # fmt: skip


def resync(
    sources: int = typer.Option(60, help="Simulated sources."),
    records: int = typer.Option(20_000, help="Records in all."),
    concurrency: int = typer.Option(4, help="Pool size of the worker."),
    page_size: int = typer.Option(500, help="Records per page (WordPress: at most 100)."),
    rate: float = typer.Option(1000.0, help="Requests/s per host (lifted by default)."),
    seed: int = typer.Option(1),
    renormalise_jobs: int = typer.Option(
        2, help="Processes of the closing re-normalisation round (0: skip that round)."
    ),
    as_json: bool = JSON,
) -> None:
    """Cold sync vs unchanged resync without 304 vs conditional resync, through workers;
    then every kept payload re-normalised without a fetch."""
    with runs_progress(sources, as_json) as progress:
        result = bench_resync(settings(), sources=sources, records=records, seed=seed,
                              concurrency=concurrency, page_size=page_size, rate=rate,
                              progress=progress,
                              renormalise_jobs=renormalise_jobs)  # fmt: skip
    if as_json:
        print(json.dumps(result, indent=2))
        return
    table = Table("run", "seconds", "worker CPU s", "engine CPU s", "writes", "requests",
                  "× less: wall / worker CPU / engine CPU / engine net")  # fmt: skip
    for entry in result["rounds"]:
        cpu, ratios = entry["cpu_seconds"], entry["ratios_vs_cold"]
        table.add_row(entry["run"], f"{entry['seconds']:.2f}", f"{cpu['workers']:.2f}",
                      f"{cpu['engine']:.2f}", f"{entry['engine_writes']:,}",
                      f"{entry['requests']:,}",
                      " / ".join(f"{v}" for v in ratios.values()))  # fmt: skip
    console.print(table)


def index(
    dump: Path | None = typer.Option(None, help="Offers from `statewide --keep-dump`."),
    sources: int = typer.Option(40, help="Without a dump: simulated sources to sync first."),
    records: int = typer.Option(10_000, help="Without a dump: records to sync first."),
    repeat: int = typer.Option(2, help="Loads of each variant (the median is reported)."),
    as_json: bool = JSON,
) -> None:
    """Raw bulk into the current mapping vs leaner mappings and bulk-load settings."""
    with runs_progress(sources, as_json or dump is not None) as progress:
        result = bench_index(settings(), dump=dump, sources=sources, records=records,
                             repeat=repeat, progress=progress)  # fmt: skip
    if as_json:
        print(json.dumps(result, indent=2))
        return
    table = Table("variant", "seconds", "records/s", "speed vs baseline", "engine CPU ms/record")
    for row in result["rows"]:
        table.add_row(row["variant"], f"{row['seconds']:.2f}",
                      f"{row['records_per_second']:,.0f}", f"{row['speed_vs_baseline']:.2f}×",
                      f"{row['engine_cpu_ms_per_record']:.2f}")  # fmt: skip
    console.print(table)
    console.print(f"{result['documents']:,} documents, median of {result['repeat']} loads each")


def fairness(
    sources: int = typer.Option(20, help="Fast sources."),
    records: int = typer.Option(4000, help="Records of the fast sources in all."),
    latency: float = typer.Option(5.0, help="Seconds before every page of the slow source."),
    slow_pages: int = typer.Option(8, help="Pages of the slow source (100 records each)."),
    huge: int = typer.Option(0, help="Records of one huge source for a third round (0: none)."),
    concurrency: int = typer.Option(4, help="Pool size of the worker."),
    as_json: bool = JSON,
) -> None:
    """Time until the last fast source is synced, alone and with one slow (or huge) source."""
    with runs_progress(sources + 1, as_json) as progress:
        result = bench_fairness(settings(), sources=sources, records=records, latency=latency,
                                slow_pages=slow_pages, huge_records=huge,
                                concurrency=concurrency, progress=progress)  # fmt: skip
    if as_json:
        print(json.dumps(result, indent=2))
        return
    table = Table("round", "last fast source done (s)", "slow/huge source (s)", "round (s)")
    for label, entry in result["rounds"].items():
        other = entry.get("slow_source_seconds", entry.get("huge_source_seconds"))
        other_text = "—" if other is None else f"{other:.2f}"
        if "huge_source_offers_indexed_by_then" in entry:
            other_text += f" ({entry['huge_source_offers_indexed_by_then']:,} indexed by then)"
        table.add_row(label, f"{entry['seconds_until_last_fast_source']:.2f}", other_text,
                      f"{entry['round_seconds']:.2f}")  # fmt: skip
    console.print(table)
    console.print(f"fast sources slowed by {result['fast_sources_slowed_by']:.2f}×")
    if result["fast_sources_slowed_by_huge"] is not None:
        console.print(f"… by the huge source {result['fast_sources_slowed_by_huge']:.2f}×")


def profile(
    kind: str = typer.Option("json_feed", help="json_feed, rss, wordpress or push."),
    records: int = typer.Option(1000, help="Offers of the one source."),
    lines: int = typer.Option(40, help="Rows of the cumulative table."),
    cprofile: bool = typer.Option(
        True, help="--no-cprofile: run unprofiled, for py-spy attached from outside."
    ),
) -> None:
    """cProfile of one source's cold sync, inline (keep it in docs/profiles/)."""
    print(profile_sync(settings(), kind, records, lines, cprofile))


def cluster(
    sources: int = typer.Option(20, help="Simulated sources (JSON feed and RSS in turn)."),
    records: int = typer.Option(5000, help="Records in all."),
    page_size: int = typer.Option(50, help="Records per page (more pages: a longer sync)."),
    kill_at: float = typer.Option(0.3, help="Kill a node once this share is indexed."),
    concurrency: int = typer.Option(2, help="Pool size of the one worker."),
    heap: str = typer.Option("512m", help="Heap of each node."),
    as_json: bool = JSON,
) -> None:
    """3-node cluster (own ports), one replica; a node SIGKILLed mid-sync: nothing lost?"""
    report = _quiet if as_json else console.log
    result = run_cluster_scenario(settings(), sources=sources, records=records,
                                  page_size=page_size, kill_at=kill_at, concurrency=concurrency,
                                  heap=heap, report=report)  # fmt: skip
    if as_json:
        print(json.dumps(result, indent=2))
        return
    ids = result["ids"]
    table = Table("check", "result")
    manager = " (the cluster manager)" if result["killed_node_was_cluster_manager"] else ""
    table.add_row("node killed", f"{result['killed_node']}{manager} after "
                  f"{result['killed_after_offers']:,} offers")  # fmt: skip
    table.add_row("sync runs", f"{result['first_round']}; again: {result.get('second_round')}")
    table.add_row("records served / indexed", f"{ids['served']:,} / {ids['indexed']:,}")
    table.add_row("lost · unexpected · duplicated",
                  f"{ids['lost']} · {ids['unexpected']} · {ids['duplicated']}")  # fmt: skip
    table.add_row("replica copies agree", str(result["replica_copies_agree"]))
    for phase, entry in result["search"].items():
        table.add_row(f"search, {phase}",
                      f"{entry['searches']} searches, {entry['errors']} errors, "
                      f"p50 {entry['p50_ms']} ms, p95 {entry['p95_ms']} ms")  # fmt: skip
    table.add_row("yellow/green after kill", f"{result['seconds_to_yellow_or_green_after_kill']} s")
    table.add_row("green after restart", f"{result['seconds_to_green_after_restart']} s")
    console.print(table)


def _quiet(line: str) -> None:
    del line


def search(
    size: int = typer.Option(50_000, help="Offers in the bulk-loaded index."),
    rate: list[float] = typer.Option([50.0, 100.0], help="Requests/s (repeat for several)."),
    seconds: float = typer.Option(15.0, help="Seconds of load per rate and target."),
    workers: int | None = typer.Option(None, help="uvicorn workers (default: one per core)."),
    ingest_sources: int = typer.Option(0, help="Sources of a fleet syncing meanwhile."),
    ingest_records: int = typer.Option(0, help="Records of that fleet."),
    as_json: bool = JSON,
) -> None:
    """The search API at constant arrival rates vs its own engine queries sent straight,
    optionally while a fleet syncs into the same index."""
    note = (lambda text: None) if as_json else (lambda text: console.log(text))
    result = bench_search(settings(), size=size, rates=rate, seconds=seconds, workers=workers,
                          ingest_sources=ingest_sources, ingest_records=ingest_records,
                          note=note)  # fmt: skip
    if as_json:
        print(json.dumps(result, indent=2))
        return
    table = Table("req/s", "kind", "hub p50 / p95 / p99 ms", "engine p50 / p95 / p99 ms",
                  "overhead p50 / p95", "errors")  # fmt: skip
    for entry in result["rounds"]:
        for kind, hub in entry["hub"].items():
            alone, extra = entry["engine"][kind], entry["overhead_percent"][kind]
            table.add_row(f"{entry['rate']:g}", kind, _pcts(hub), _pcts(alone),
                          " / ".join("—" if v is None else f"{v:+.0f} %" for v in extra.values()),
                          f"{hub['errors']} / {alone['errors']}")  # fmt: skip
    console.print(table)
    corpus = result["index"]
    console.print(f"{corpus['offers']:,} offers ({corpus['distinct']:,} distinct); "
                  f"{result['api_workers']} API workers, MB {result['api_rss_mb']}; "
                  f"{result['engine_calls_per_request']} engine calls per request")  # fmt: skip
    for entry in result["rounds"]:
        console.print(f"{entry['rate']:g} req/s: API CPU {entry['api_cpu_ms_per_request']} ms "
                      f"per request {entry['ingest'] or ''}")  # fmt: skip


def _pcts(figures: dict[str, float]) -> str:
    return f"{figures['p50']:.1f} / {figures['p95']:.1f} / {figures['p99']:.1f}"


def webhooks(
    events: int = typer.Option(1000, help="Signed events sent at the constant rate."),
    rate: float = typer.Option(100.0, help="Events/s."),
    burst: int = typer.Option(1000, help="Events of the burst (sent as fast as they go)."),
    sources: int = typer.Option(10, help="Push sources the events are spread over."),
    workers: int = typer.Option(1, help="Worker processes."),
    concurrency: int = typer.Option(2, help="Pool size of each worker."),
    events_concurrency: int = typer.Option(
        2, help="Pool size of the dedicated events worker (0: none, as before)."
    ),
    sync_sources: int = typer.Option(0, help="Sources of a statewide sync run meanwhile."),
    sync_records: int = typer.Option(0, help="Records of that sync."),
    as_json: bool = JSON,
) -> None:
    """Webhook acknowledgement and webhook → searchable latency vs the engine alone."""
    note = (lambda text: None) if as_json else (lambda text: console.log(text))
    result = bench_webhooks(settings(), events=events, rate=rate, burst_events=burst,
                            sources=sources, processes=workers, concurrency=concurrency,
                            events_concurrency=events_concurrency,
                            sync_sources=sync_sources, sync_records=sync_records,
                            note=note)  # fmt: skip
    if as_json:
        print(json.dumps(result, indent=2))
        return
    hub, base = result["hub"], result["baseline"]["single_writes"]
    table = Table("run", "acknowledged", "ack p50 / p95 / p99 ms", "searchable",
                  "→ searchable p50 / p95 / p99 ms")  # fmt: skip
    for label, entry in (("signed webhooks → API → workers", hub),
                         ("single writes straight to the engine (baseline)", base)):  # fmt: skip
        table.add_row(label, f"{entry['acknowledged']:,} / {entry['events']:,}",
                      _pcts(entry["ack_ms"]), f"{entry['searchable']:,}",
                      _pcts(entry["searchable_ms"]))  # fmt: skip
    console.print(table)
    fast, bulk = result["burst"], result["baseline"]["bulk"]
    console.print(f"burst: {fast['verified']:,} verified in {fast['seconds']} s = "
                  f"{fast['verified_per_second']:,.0f} webhooks/s (ack p99 "
                  f"{fast['ack_ms']['p99']} ms); bulk baseline "
                  f"{bulk['documents_per_second']:,.0f} documents/s")  # fmt: skip
