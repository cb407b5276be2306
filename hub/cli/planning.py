"""`hub planning`: the report of an area, this month's snapshot, and search demand."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
import typer
from rich.table import Table

from hub.cli.common import console, engine, settings
from hub.core.places import gazetteer
from hub.planning.areas import resolve_area
from hub.planning.demand import K_MIN, demand, flush
from hub.planning.export import group_label, report_csv, report_xlsx, topic_label
from hub.planning.report import DEFAULT_KM, build_report
from hub.planning.snapshots import take_snapshot

app = typer.Typer(help="Planning reports (Bestandsaufnahme), snapshots, search demand.")


@app.command()
def report(
    area: str = typer.Argument(..., help="AGS, district key or name, 'nrw', or AGS,AGS,…"),
    km: float = typer.Option(DEFAULT_KM, min=0.1, max=100, help="Reach distance in km."),
    csv_out: Path | None = typer.Option(None, "--csv", help="Write the matrix as CSV here."),
    xlsx_out: Path | None = typer.Option(None, "--xlsx", help="Write the workbook here."),
) -> None:
    """Print the coverage matrix of an area (reach and offers per cell) and its largest gaps."""
    found = build_report(engine(), resolve_area(area), km=km)
    m = found.matrix
    people = _german(m.population)
    console.print(f"[bold]{m.area_label}[/] ({m.area_code}), {people} Einwohner, {km:g} km")
    console.print(m.points_basis)
    if found.notice:
        console.print(f"[yellow]{found.notice}[/]")
    table = Table("Thema", *[group_label(g) for g in m.age_groups])
    for topic in m.topics:
        cells = [m.cells[(topic, g)] for g in m.age_groups]
        table.add_row(topic_label(topic), *[f"{c.reach:.0%} ({c.offers})" for c in cells])
    console.print(table)
    for gap in found.gaps[:10]:
        console.print(
            f"Lücke: {gap.name} ({_german(gap.population)} Einw.) – {topic_label(gap.topic)}, "
            f"{group_label(gap.age_group)}"
        )
    if csv_out:
        csv_out.write_text(report_csv(found), encoding="utf-8")
    if xlsx_out:
        names = {ags: mun.name for ags, mun in gazetteer().municipalities.items()}
        xlsx_out.write_bytes(report_xlsx(found, names))


def _german(number: int) -> str:
    return f"{number:,}".replace(",", ".")


@app.command()
def snapshot(force: bool = typer.Option(False, help="Rewrite this month's snapshot.")) -> None:
    """Write this month's snapshot of the matrix (skipped when it exists)."""
    month, written = take_snapshot(engine(), force=force)
    if written:
        console.print(f"snapshot {month}: {written} municipalities written")
    else:
        console.print(f"snapshot {month} exists already (use --force to rewrite)")


@app.command("demand")
def show_demand(
    days: int = typer.Option(30, min=1, max=366, help="Days back from today."),
    zero: bool = typer.Option(False, "--zero", help="Only the searches that found nothing."),
    k: int = typer.Option(K_MIN, min=K_MIN, help="Show a text from this many searches on."),
) -> None:
    """Search demand by topic, age group and place, and the texts that found nothing or little."""
    cfg = settings()
    eng = engine()
    client = redis.Redis.from_url(cfg.redis_url, socket_timeout=10)
    try:
        flush(eng, client, prefix=cfg.index_prefix)
    finally:
        client.close()
    until = datetime.now(UTC).date()
    found = demand(eng, until - timedelta(days=days - 1), until, k)
    dims = ["zero"] if zero else ["topic", "age", "place", "zero", "few"]
    console.print(f"{found.total} Suchen von {found.since} bis {found.until}")
    for dim in dims:
        table = Table(dim, "Suchen")
        for key, count in found.by.get(dim, Counter()).most_common(50):
            table.add_row(key, str(count))
        console.print(table)
        if dim in found.hidden:
            console.print(f"{found.hidden[dim]} weitere Texte mit weniger als {found.k} Suchen")
