"""`hub sources`: register, list and inspect sources, and their sync runs."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.table import Table

from hub.cli.common import console, engine, settings
from hub.search.indices import ensure_indices
from hub.sources.enrolment import register_source, register_sources
from hub.sources.runs import RunStore
from hub.sources.store import Source, SourceInput, SourceRegistry
from hub.sources.vault import box_for, masked_config, reseal_config

app = typer.Typer(help="Registered municipal feeds.", no_args_is_help=True)


@app.command()
def add(
    source_id: str = typer.Argument(..., help="Short stable id, e.g. 'essen'."),
    kind: str = typer.Option(..., "--kind", help="Connector kind (see `hub connector kinds`)."),
    url: str = typer.Option(..., "--url", help="Feed URL."),
    ags: list[str] = typer.Option(..., "--ags", help="AGS served (repeat for several)."),
    name: str = typer.Option("", "--name", help="Human-readable name."),
    interval: int = typer.Option(60, "--interval", help="Poll interval in minutes."),
    reconcile_hours: int | None = typer.Option(
        None, "--reconcile-hours", help="Hours between full reconciliations (default: daily)."
    ),
    config: str = typer.Option("{}", "--config", help="Connector config as JSON."),
    contact_email: list[str] = typer.Option(
        [], "--contact-email", help="Recipient of reports and reminders (repeat for several)."
    ),
) -> None:
    """Register a source; prints its API key once."""
    data = SourceInput(
        id=source_id,
        name=name,
        ags=ags,
        kind=kind,
        url=url,
        config=json.loads(config),
        interval_minutes=interval,
        reconcile_hours=reconcile_hours,
        contact_emails=contact_email,
    )
    eng = engine()
    ensure_indices(eng)
    registered = register_source(settings(), SourceRegistry(eng), data)
    console.print(f"registered [bold]{source_id}[/] ({kind}) → {url}")
    console.print(f"API key (shown once, store it safely): [bold]{registered.api_key}[/]")


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="JSON lines, one source per line (fields as `add`)."),
    keys: Path = typer.Option(
        ..., "--keys", help="New file for the API keys (id<TAB>key per line, mode 0600)."
    ),
) -> None:
    """Register many sources at once in bulk writes; the keys go to a file, never the screen."""
    if keys.exists():
        raise typer.BadParameter(f"{keys} exists; the keys file must be new", param_hint="--keys")
    refused: list[tuple[str, str]] = []

    def inputs() -> Iterator[SourceInput]:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    yield SourceInput.model_validate_json(line)
                except ValidationError as exc:
                    refused.append((f"line {number}", "; ".join(problems(exc))))

    eng = engine()
    ensure_indices(eng)
    done = register_sources(settings(), SourceRegistry(eng), inputs())
    with os.fdopen(os.open(keys, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.writelines(f"{source_id}\t{key}\n" for source_id, key in done.registered)
    for where, reason in [*refused, *done.refused]:
        console.print(f"[yellow]{where}[/] refused: {reason}")
    console.print(f"registered {len(done.registered)}, refused {len(refused) + len(done.refused)}")
    console.print(f"API keys (store them safely): {keys}")
    if refused or done.refused:
        raise typer.Exit(1)


def problems(exc: ValidationError) -> list[str]:
    """A validation error's problems, one short line each (field path: message)."""
    return [f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors()]


@app.command("list")
def list_() -> None:
    """All sources with state, offer count and last run."""
    table = Table("id", "kind", "state", "offers", "failures", "last run", "reason")
    for s in SourceRegistry(engine()).list():
        last = s.last_run_at.strftime("%Y-%m-%d %H:%M") if s.last_run_at else "—"
        table.add_row(
            s.id,
            s.kind,
            s.state.value,
            str(s.offer_count),
            str(s.consecutive_failures),
            last,
            s.state_reason,
        )
    console.print(table)


@app.command()
def show(source_id: str = typer.Argument(..., help="Source id.")) -> None:
    """One source in full (connector secrets masked, keys and webhook secrets left out)."""
    source = SourceRegistry(engine()).get(source_id)
    data = source.model_dump(mode="json", exclude={"api_key_hashes", "webhook_secrets"})
    data["config"] = masked_config(source.kind, source.config)
    console.print_json(json.dumps(data, ensure_ascii=False))


@app.command("encrypt-secrets")
def encrypt_secrets() -> None:
    """Seal every connector secret still stored in clear, and re-seal all with the newest key
    of HUB_SECRETS_KEY (run after adding a key in front, before removing the old one)."""
    eng = engine()
    registry = SourceRegistry(eng)
    box = box_for(settings())
    for found in registry.list():

        def change(source: Source) -> None:
            source.config = reseal_config(source.kind, source.config, box)

        registry.update(found.id, change)
        console.print(f"{found.id}: secrets sealed")


@app.command()
def runs(
    source_id: str = typer.Argument(..., help="Source id."),
    limit: int = typer.Option(10, help="How many recent runs."),
    rejections: bool = typer.Option(False, "--rejections", help="List rejected records."),
) -> None:
    """Recent sync runs with counts, errors and (optionally) rejections."""
    eng = engine()
    SourceRegistry(eng).get(source_id)
    table = Table(
        "started",
        "trigger",
        "mode",
        "status",
        "seen",
        "new",
        "upd",
        "same",
        "del",
        "rej",
        "pending",
        "s",
        "errors",
    )
    found = RunStore(eng).for_source(source_id, limit)
    for run in found:
        c = run.counts
        table.add_row(
            run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            run.trigger,
            run.mode,
            run.status.value,
            str(c.seen),
            str(c.created),
            str(c.updated),
            str(c.unchanged),
            str(c.deleted),
            str(c.rejected),
            str(c.pending_deletion),
            f"{run.duration_seconds or 0:.1f}",
            "; ".join(e.get("message_de") or e.get("message", "") for e in run.errors),
        )
    console.print(table)
    if rejections and found:
        for r in found[0].rejections:
            console.print(f"[yellow]{r.local_id}[/] {r.code}: {r.message_de}")
