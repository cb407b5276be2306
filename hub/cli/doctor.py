"""`hub doctor`: check a deployment (engine, Redis, alias, mapping, beat, workers, clock, disk)
and say what to do; German by default, `--lang en` for English, `--json` for machines."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from hub.cli.common import console, err_console, settings
from hub.ops.doctor import CHECKS, Doctor, Lang, summary

STYLE = {"ok": "green", "warn": "yellow", "fail": "red", "skip": "dim"}
HEADINGS = {
    "de": ("Prüfung", "Status", "Befund", "Was tun"),
    "en": ("check", "status", "finding", "what to do"),
}


def doctor(
    lang: str = typer.Option("de", "--lang", help="Language of findings and advice: de or en."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
    timeout: float = typer.Option(3.0, help="Seconds to wait for Redis and worker replies."),
    check: list[str] = typer.Option(
        [], "--check", help=f"Run only this check (repeatable): {', '.join(CHECKS)}."
    ),
) -> None:
    """Check the deployment; exits 1 when a check fails."""
    unknown = sorted(set(check) - set(CHECKS))
    if lang not in ("de", "en") or unknown:
        err_console.print(
            f"[red]error:[/] --lang de|en; --check {'|'.join(CHECKS)} (given: {lang}, "
            f"{', '.join(unknown) or '-'})"
        )
        raise SystemExit(2)
    chosen: Lang = "de" if lang == "de" else "en"
    findings = Doctor(settings(), timeout=timeout).run(check)
    result = summary(findings, chosen)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        table = Table(*HEADINGS[chosen], show_lines=True)
        for row in result["checks"]:
            style = STYLE[row["status"]]
            table.add_row(
                row["check"], f"[{style}]{row['status']}[/]", row["detail"], row["advice"]
            )
        console.print(table)
    if not result["ok"]:
        raise SystemExit(1)  # `hub` runs click without standalone mode: Exit would be lost
