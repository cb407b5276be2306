"""`hub connector`: list kinds, guess a feed's kind, and dry-run a feed before registering it."""

from __future__ import annotations

import json
from pathlib import Path

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from connectors.sdk.detect import detect as detect_kind
from connectors.sdk.registry import connector_class, registered_kinds
from hub.cli.common import console, engine, settings
from hub.core.errors import ConfigError, HubError
from hub.core.fetcher import SafeFetcher
from hub.ingest.dryrun import dry_run
from hub.sources.store import SourceRegistry

app = typer.Typer(help="Connector kinds, detection and dry runs.", no_args_is_help=True)


@app.command()
def kinds() -> None:
    """Every registered connector kind with its capabilities."""
    table = Table("kind", "class", "incremental", "webhook", "id listing")
    for kind in registered_kinds():
        try:
            cls = connector_class(kind)
        except ConfigError as exc:
            table.add_row(kind, f"[red]{exc.message}[/]", "", "", "")
            continue
        flags = (cls.supports_incremental, cls.supports_webhook, cls.supports_id_listing)
        table.add_row(
            kind, f"{cls.__module__}.{cls.__name__}", *("yes" if flag else "—" for flag in flags)
        )
    console.print(table)


@app.command()
def detect(url: str = typer.Argument(..., help="Feed or site URL.")) -> None:
    """Fetch URL through the safe fetcher and guess the connector kind."""
    fetcher = SafeFetcher(settings())
    try:
        response = fetcher.get(url)
    finally:
        fetcher.close()
    guesses = detect_kind(response)
    if not guesses:
        console.print(
            "[yellow]No connector fits this answer[/] "
            f"(content type {response.content_type or 'unknown'})."
        )
        raise typer.Exit(1)
    for guess in guesses:
        extra = f" config {json.dumps(guess.config)}" if guess.config else ""
        console.print(f"[bold]{guess.kind}[/]: {guess.reason}{extra}")


@app.command()
def check(
    url: str = typer.Argument(..., help="Feed URL."),
    kind: str | None = typer.Option(None, "--kind", help="Connector kind (default: detect)."),
    mapping: Path | None = typer.Option(None, "--mapping", help="YAML mapping file."),
    config: str = typer.Option("{}", "--config", help="Extra connector config as JSON."),
    limit: int = typer.Option(200, help="At most this many records."),
    show: int = typer.Option(10, help="Print this many normalised offers."),
    ags: list[str] = typer.Option(
        [], "--ags", help="AGS the source serves (repeat; default: a registered source's)."
    ),
) -> None:
    """Dry run: fetch, normalise and print offers, every rejection and a summary.

    Offers are normalised for the source's area as a sync would: an offer naming no venue is
    served there, not taken for an online offer.
    """
    cfg = {**json.loads(config), "url": url}
    if mapping is not None:
        cfg["mapping"] = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    if kind is None:
        fetcher = SafeFetcher(settings())
        try:
            guesses = detect_kind(fetcher.get(url))
        finally:
            fetcher.close()
        if not guesses:
            console.print("[red]Could not detect the kind; pass --kind.[/]")
            raise typer.Exit(1)
        kind = guesses[0].kind
        cfg = {**guesses[0].config, **cfg}
        console.print(f"detected kind: [bold]{kind}[/] ({guesses[0].reason})")
    area = tuple(ags) or registered_ags(url)
    if area:
        console.print(f"area: {', '.join(area)}")
    report = dry_run(settings(), kind, cfg, ags=area, limit=limit)
    for offer in report.offers[:show]:
        console.print_json(json.dumps(offer.document(), ensure_ascii=False))
    for rejection in report.rejections:
        console.print(
            f"[yellow]abgelehnt[/] {escape(rejection.local_id or '—')} "
            f"{escape(f'[{rejection.code}]')} {escape(rejection.message_de)}"
        )
    summary = Table(
        "kind", "records", "offers", "rejected", "with topics", "with age", "with place"
    )
    offers = report.offers
    summary.add_row(
        kind,
        f"{report.seen}{'+' if report.truncated else ''}",
        str(len(offers)),
        str(len(report.rejections)),
        str(sum(1 for o in offers if o.topics)),
        str(
            sum(
                1
                for o in offers
                if o.pregnancy or o.age_min_months is not None or o.age_max_months is not None
            )
        ),
        str(sum(1 for o in offers if any(loc.ags for loc in o.locations))),
    )
    console.print(summary)


def registered_ags(url: str) -> tuple[str, ...]:
    """The AGS of a registered source with this URL; none when there is none or the engine
    cannot be asked (a dry run needs no engine)."""
    try:
        sources = SourceRegistry(engine()).list()
    except HubError:
        return ()
    return next((tuple(s.ags) for s in sources if s.url == url), ())
