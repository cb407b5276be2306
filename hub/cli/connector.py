"""`hub connector`: list kinds, guess a feed's kind, and dry-run a feed before registering it."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from connectors.sdk.detect import detect as detect_kind
from connectors.sdk.registry import connector_class, registered_kinds
from hub.cli.common import console, engine, err_console, settings
from hub.core.errors import ConfigError, HubError
from hub.core.fetcher import SafeFetcher
from hub.ingest.dryrun import DryRunReport, dry_run
from hub.ingest.proposal import FilterProposal, propose_filters
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
    as_json: bool = typer.Option(
        False,
        "--json",
        help="One JSON object per line: every offer, every rejection, then a summary.",
    ),
    ags: list[str] = typer.Option(
        [], "--ags", help="AGS the source serves (repeat; default: a registered source's)."
    ),
) -> None:
    """Dry run: fetch, normalise and print offers, every rejection, proposed category filters
    and a summary.

    Offers are normalised for the source's area as a sync would: an offer naming no venue is
    served there, not taken for an online offer.
    """
    cfg = {**json.loads(config), "url": url}
    if mapping is not None:
        cfg["mapping"] = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    detected = ""
    if kind is None:
        kind, cfg, detected = _detect(url, cfg)
        if not as_json:
            console.print(f"detected kind: [bold]{kind}[/] ({detected})")
    area = tuple(ags) or registered_ags(url)
    if area and not as_json:
        console.print(f"area: {', '.join(area)}")
    report = dry_run(settings(), kind, cfg, ags=area, limit=limit)
    proposal = propose_filters(report.offers, report.rejections)
    if as_json:
        _print_json_lines(report, proposal, detected)
    else:
        _print_report(report, proposal, show)


def registered_ags(url: str) -> tuple[str, ...]:
    """The AGS of a registered source with this URL; none when there is none or the engine
    cannot be asked (a dry run needs no engine)."""
    try:
        sources = SourceRegistry(engine()).list()
    except HubError:
        return ()
    return next((tuple(s.ags) for s in sources if s.url == url), ())


def _detect(url: str, cfg: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    """The detected kind, the config with its detected options, and why it was chosen."""
    fetcher = SafeFetcher(settings())
    try:
        guesses = detect_kind(fetcher.get(url))
    finally:
        fetcher.close()
    if not guesses:
        err_console.print("[red]Could not detect the kind; pass --kind.[/]")
        raise typer.Exit(1)
    return guesses[0].kind, {**guesses[0].config, **cfg}, guesses[0].reason


def _print_report(report: DryRunReport, proposal: FilterProposal, show: int) -> None:
    for offer in report.offers[:show]:
        console.print_json(json.dumps(offer.document(), ensure_ascii=False))
    for rejection in report.rejections:
        console.print(
            f"[yellow]abgelehnt[/] {escape(rejection.local_id or '—')} "
            f"{escape(f'[{rejection.code}]')} {escape(rejection.message_de)}"
        )
    console.print("[bold]Vorschlag für Kategorie-Filter[/] (offer_filters der Quelle):")
    for line in proposal.explanation_de:
        console.print(f"  {escape(line)}")
    if proposal.filters.include_categories or proposal.filters.exclude_categories:
        console.print(escape(json.dumps(_proposed(proposal), ensure_ascii=False)), soft_wrap=True)
    summary = Table(
        "kind", "records", "offers", "rejected", "with topics", "with age", "with place"
    )
    counts = _counts(report)
    summary.add_row(
        report.kind,
        f"{report.seen}{'+' if report.truncated else ''}",
        *(str(counts[k]) for k in ("offers", "rejected", "with_topics", "with_age", "with_place")),
    )
    console.print(summary)
    if read := _read_from_text(report):
        console.print(f"aus dem Text erkannt: {escape(read)}")


# What the municipality reads for each field that extraction filled (the schema's names).
READ_LABELS_DE = {
    "age_min_months": "Alter",
    "pregnancy": "Schwangerschaft",
    "cost": "Kosten",
    "languages": "Sprachen",
    "registration_required": "Anmeldung",
    "online": "online",
    "kind": "Angebotsform",
    "audiences": "Zielgruppen",
    "locations": "Ort",
    "dates": "Termine",
    "provider.phone": "Telefon",
    "provider.email": "E-Mail",
}


def _read_from_text(report: DryRunReport) -> str:
    """ "Alter 12 · Kosten 10 · …": how many offers got each field from their text."""
    counts = Counter(name for offer in report.offers for name in offer.extracted)
    return " · ".join(
        f"{label} {counts[name]}" for name, label in READ_LABELS_DE.items() if counts[name]
    )


def _print_json_lines(report: DryRunReport, proposal: FilterProposal, detected: str) -> None:
    """Plain stdout, one object a line (no console wrapping), for scripts."""
    for offer in report.offers:
        _line({"record": "offer", **offer.document()})
    for rejection in report.rejections:
        _line({"record": "rejection", **rejection.model_dump(mode="json")})
    by_code = Counter(r.code for r in report.rejections)
    _line(
        {
            "record": "summary",
            "kind": report.kind,
            "detected": detected or None,
            "seen": report.seen,
            "truncated": report.truncated,
            **_counts(report),
            "rejected_by_code": dict(sorted(by_code.items())),
            "proposed": _proposed(proposal),
            "explanation_de": proposal.explanation_de,
        }
    )


def _line(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _proposed(proposal: FilterProposal) -> dict[str, Any]:
    """The proposal as the source config's `offer_filters` (empty lists left out)."""
    return {"offer_filters": proposal.filters.model_dump(exclude_defaults=True)}


def _counts(report: DryRunReport) -> dict[str, int]:
    offers = report.offers
    return {
        "offers": len(offers),
        "rejected": len(report.rejections),
        "with_topics": sum(1 for o in offers if o.topics),
        "with_age": sum(
            1
            for o in offers
            if o.pregnancy or o.age_min_months is not None or o.age_max_months is not None
        ),
        "with_place": sum(1 for o in offers if any(loc.ags for loc in o.locations)),
    }
