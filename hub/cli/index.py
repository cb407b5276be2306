"""`hub index`: create the versioned offer index, show its status, rebuild or re-normalise."""

from __future__ import annotations

import os

import redis
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub.cli.common import console, engine, settings
from hub.ingest.locks import writers_paused
from hub.ingest.renormalise import Renormaliser, RenormaliseResult
from hub.search.indices import create_offer_index, ensure_indices, offer_status
from hub.search.reindex import is_stale
from hub.search.reindex import reindex as reindex_offers

app = typer.Typer(help="Offer index and registry indices.", no_args_is_help=True)


@app.command()
def create(
    swap: bool = typer.Option(
        False, "--swap", help="Point the alias at the new index (empty until reindexed)."
    ),
) -> None:
    """Create registry indices if missing (add new fields to old ones), and the offer index
    behind the alias `offers`."""
    eng = engine()
    before = offer_status(eng).indices
    ensure_indices(eng)
    if before and swap:
        name = create_offer_index(eng, point_alias=True)
        console.print(f"new offer index [bold]{name}[/] is live (alias swapped)")
    status()


@app.command()
def status() -> None:
    """Alias, physical indices, document count and health."""
    eng = engine()
    info = eng.info()
    st = offer_status(eng)
    table = Table(title=f"{info.flavour} {info.version} ({info.cluster_name})")
    for column in ("alias", "indices", "documents", "health"):
        table.add_column(column)
    table.add_row(st.alias, ", ".join(st.indices) or "—", str(st.doc_count), st.health)
    console.print(table)


@app.command()
def reindex(
    only_if_stale: bool = typer.Option(
        False, "--if-stale", help="Only when mappings/ changed since the live index was built."
    ),
    renormalise: bool = typer.Option(
        False,
        "--renormalise",
        help="Map and normalise the kept raw payloads again and update the offers in place; "
        "no source is fetched.",
    ),
    source: str | None = typer.Option(
        None, "--source", help="With --renormalise: only this source's payloads."
    ),
    force: bool = typer.Option(
        False, "--force", help="With --renormalise: also payloads already normalised as now."
    ),
    jobs: int = typer.Option(
        os.cpu_count() or 1,
        "--jobs",
        min=1,
        help="With --renormalise: processes sharing the sources (default: one per core).",
    ),
) -> None:
    """Rebuild the offer index from mappings/ without downtime (copy, verify count, swap), or
    with --renormalise re-run extraction and normalisation over the kept raw payloads."""
    if renormalise:
        _renormalise(source, force, jobs)
        return
    eng = engine()
    if only_if_stale and not is_stale(eng):
        console.print("offer index is up to date with mappings/")
        return
    with writers_paused(redis.Redis.from_url(settings().redis_url), settings()):
        result = reindex_offers(eng)
    console.print(f"reindexed {result.documents} offers: {result.old} → [bold]{result.new}[/]")


def _renormalise(source_id: str | None, force: bool, jobs: int) -> None:
    renormaliser = Renormaliser(settings(), engine())
    columns = (TextColumn("re-normalising"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("payloads", total=renormaliser.total(source_id))
        result = renormaliser.run(
            source_id, force=force, advance=lambda n: progress.advance(task, n), jobs=jobs
        )
    _report(result)


def _report(result: RenormaliseResult) -> None:
    c = result.counts
    console.print(
        f"re-normalised {result.normalised} of {c.seen} kept payloads of {result.sources} "
        f"sources: updated {c.updated}, unchanged {c.unchanged}, created {c.created}, "
        f"rejected {c.rejected}, stale {c.stale}, dropped {result.dropped}, "
        f"foreign {result.foreign}"
        + (f" ({len(result.processes)} processes)" if len(result.processes) > 1 else "")
    )
    for error in result.errors[:10]:
        console.print(f"[red]{error.get('code')}[/] {error.get('id', '')} {error.get('message')}")
    if result.errors:
        raise typer.Exit(1)
