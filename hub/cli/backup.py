"""`hub backup create|list|restore`: snapshots of the hub's indices through the engine's snapshot
API, into the filesystem repository at HUB_BACKUP_LOCATION (see docs/operations.md)."""

from __future__ import annotations

import redis
import typer
from rich.table import Table

from hub.cli.common import console, engine, settings
from hub.ingest.locks import writers_paused
from hub.ops.backup import Backups

app = typer.Typer(help="Back up and restore offers, sources and runs (engine snapshots).")


@app.command()
def create(
    name: str | None = typer.Option(None, help="Snapshot name (default: hub-<UTC time>)."),
) -> None:
    """Snapshot the offer index and the registry indices now."""
    snapshot = Backups(engine()).create(name)
    console.print(
        f"[green]✓[/] Sicherung [bold]{snapshot.name}[/] geschrieben: {', '.join(snapshot.indices)}"
    )


@app.command("list")
def list_snapshots() -> None:
    """The snapshots in the repository, oldest first."""
    backups = Backups(engine())
    table = Table("snapshot", "state", "started", "indices", title=backups.location)
    for snapshot in backups.snapshots():
        table.add_row(snapshot.name, snapshot.state, snapshot.started, "\n".join(snapshot.indices))
    console.print(table)


@app.command()
def restore(
    name: str = typer.Argument(..., help="Snapshot to bring back (see `hub backup list`)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    safety_snapshot: bool = typer.Option(
        True, help="Snapshot the current state first, so the restore itself can be undone."
    ),
) -> None:
    """Replace the hub's indices with those of a snapshot; syncs wait meanwhile."""
    if not yes:
        typer.confirm(
            f"Offers, sources and runs are replaced by snapshot {name}. Continue?", abort=True
        )
    current = settings()
    client = redis.Redis.from_url(current.redis_url)
    with writers_paused(client, current):
        restored = Backups(engine()).restore(name, safety_snapshot=safety_snapshot)
    console.print(f"[green]✓[/] Sicherung [bold]{restored.snapshot}[/] zurückgespielt:")
    for index, count in restored.documents.items():
        console.print(f"  {index}: {count} Dokumente")
    if restored.safety_snapshot:
        console.print(f"  Stand davor: Sicherung [bold]{restored.safety_snapshot}[/]")
