"""`hub notify`: the freshness digest of stale offers, by hand (the beat sends it weekly)."""

from __future__ import annotations

import typer
from rich.table import Table

from hub.cli.common import console, engine, settings
from hub.notify.digest import send_digests

app = typer.Typer(help="Mails to municipalities: freshness digests.", no_args_is_help=True)


@app.command()
def digest(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="List who would get which stale offers; send and record nothing."
    ),
) -> None:
    """Send this week's digests of stale offers (one per recipient group, once per week)."""
    outcomes = send_digests(settings(), engine(), dry_run=dry_run)
    table = Table("recipients", "sources", "stale offers", "status")
    for outcome in outcomes:
        sources = ", ".join(section.source.id for section in outcome.digest.sections)
        table.add_row(
            ", ".join(outcome.digest.recipients),
            sources,
            str(outcome.digest.offer_count),
            outcome.status,
        )
    console.print(table)
    if not outcomes:
        console.print("no stale offers with a recipient")
