"""`hub keys`: rotate a source's API key or webhook secret (each new value printed once)."""

from __future__ import annotations

import typer

from hub.cli.common import console, engine
from hub.sources.secrets import DEFAULT_OVERLAP_HOURS, rotate_api_key, rotate_webhook_secret
from hub.sources.store import SourceRegistry

app = typer.Typer(help="API keys and webhook secrets of sources.", no_args_is_help=True)


@app.command("rotate-api-key")
def rotate_api_key_command(
    source_id: str = typer.Argument(..., help="Source id."),
) -> None:
    """Replace the source's API key; the old key stops working at once."""
    key = rotate_api_key(SourceRegistry(engine()), source_id)
    console.print(f"New API key for {source_id} (shown once): {key}", soft_wrap=True)


@app.command("rotate-webhook-secret")
def rotate_webhook_secret_command(
    source_id: str = typer.Argument(..., help="Source id."),
    overlap_hours: float = typer.Option(
        DEFAULT_OVERLAP_HOURS, "--overlap-hours", min=0, help="How long the old secret stays valid."
    ),
) -> None:
    """Create a new webhook signing secret; the previous one stays valid for the overlap."""
    created = rotate_webhook_secret(SourceRegistry(engine()), source_id, overlap_hours)
    console.print(
        f"New webhook secret for {source_id} (shown once): {created.secret}", soft_wrap=True
    )
    if created.previous_valid_until:
        console.print(f"Previous secret valid until {created.previous_valid_until.isoformat()}")
