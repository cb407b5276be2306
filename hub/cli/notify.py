"""`hub notify`: the freshness digest of stale offers, by hand (the beat sends it weekly)."""

from __future__ import annotations

import typer

from hub.cli.common import console, engine, settings
from hub.notify.digest import send_digests

app = typer.Typer(help="Mails to municipalities: freshness digests.", no_args_is_help=True)


@app.command()
def digest(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="List who would get which stale offers; send and record nothing."
    ),
) -> None:
    """Send this week's digests of stale offers (one per organisation, once per week)."""
    outcomes = send_digests(settings(), engine(), dry_run=dry_run)
    for outcome in outcomes:
        digest = outcome.digest
        sources = ", ".join(section.source.id for section in digest.sections)
        console.print(
            f"{outcome.status}: {', '.join(digest.recipients)} – {digest.offer_count} stale "
            f"offer(s) of {sources}",
            soft_wrap=True,
        )
    if not outcomes:
        console.print("no stale offers with a recipient")
