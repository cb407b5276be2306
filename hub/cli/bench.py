"""`hub bench`: benchmarks that print ratios against a baseline from the same run."""

from __future__ import annotations

import typer
from rich.table import Table

from hub.cli import bench_scale
from hub.cli.common import console, settings
from hub.dev.bench import bench_sync
from hub.dev.bench_planning import bench_planning

app = typer.Typer(help="Benchmarks (results go to docs/benchmarks.md).", no_args_is_help=True)


@app.command()
def sync(records: int = typer.Option(5000, help="Records in the generated feed.")) -> None:
    """Full sync vs unchanged resync vs 304 resync, through the real pipeline and engine."""
    timings = bench_sync(settings(), records)
    baseline = timings[0].seconds
    table = Table("run", "seconds", "records/s", "engine writes", "speed-up vs baseline")
    for t in timings:
        table.add_row(
            t.label,
            f"{t.seconds:.2f}",
            f"{t.per_second:,.0f}",
            str(t.writes),
            f"{baseline / t.seconds:.1f}×" if t.seconds else "—",
        )
    console.print(table)


@app.command()
def planning(offers: int = typer.Option(200_000, help="Synthetic offers to bulk-load.")) -> None:
    """The state-wide planning matrix from engine aggregations vs a plain count aggregation."""
    loaded, docs, timings = bench_planning(settings(), offers)
    console.print(f"{docs:,} offers bulk-loaded in {loaded:.1f} s")
    baseline = timings[0].seconds
    table = Table("query", "median seconds", "× baseline")
    for t in timings:
        table.add_row(
            t.label, f"{t.seconds:.3f}", f"{t.seconds / baseline:.1f}×" if baseline else "—"
        )
    console.print(table)


app.command()(bench_scale.statewide)
app.command()(bench_scale.resync)
app.command(name="index")(bench_scale.index)
app.command()(bench_scale.fairness)
app.command()(bench_scale.profile)
app.command()(bench_scale.cluster)
app.command()(bench_scale.search)
app.command()(bench_scale.webhooks)
