"""The `hub` command line: services, index, sources, sync, API/worker/beat, the demo, evaluation."""

from __future__ import annotations

import sys

import typer

from hub.cli import (
    accounts,
    backup,
    bench,
    dev,
    doctor,
    index,
    keys,
    notify,
    planning,
    run,
    sources,
    up,
)
from hub.cli import services as services_cli
from hub.cli.common import console, err_console, settings
from hub.core.errors import HubError
from hub.core.logging import configure_logging

app = typer.Typer(
    help="Familienhub NRW: statewide search of family-support offers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(services_cli.app, name="services")
app.add_typer(index.app, name="index")
app.add_typer(sources.app, name="sources")
app.add_typer(bench.app, name="bench")
app.add_typer(dev.app, name="dev")
app.add_typer(keys.app, name="keys")
app.add_typer(notify.app, name="notify")
app.add_typer(accounts.app, name="accounts")
app.add_typer(backup.app, name="backup")
app.add_typer(planning.app, name="planning")
app.command()(run.sync)
app.command()(run.api)
app.command()(run.worker)
app.command()(run.beat)
app.command()(up.up)
app.command()(doctor.doctor)


def _optional_subapps() -> None:
    """Sub-apps whose modules may be absent in a trimmed install."""
    try:
        from hub.cli import eval as eval_cli

        app.add_typer(eval_cli.app, name="eval")
    except ImportError:
        pass
    try:
        from hub.cli import connector as connector_cli

        app.add_typer(connector_cli.app, name="connector")
    except ImportError:
        pass


@app.command()
def config() -> None:
    """Print the effective settings (secrets masked)."""
    for name, value in settings().model_dump(mode="json").items():
        console.print(f"HUB_{name.upper()}={value}")


_optional_subapps()


def main() -> None:
    """Entry point: expected failures print a clear message and exit 1, never a traceback."""
    try:
        configure_logging(settings())  # log lines to stderr: stdout is for results (--json)
        app(standalone_mode=False)
    except HubError as exc:
        err_console.print(f"[red]error:[/] {exc.message}")
        if exc.message_de != exc.message:
            err_console.print(f"       {exc.message_de}")
        sys.exit(1)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:  # click usage errors come through standalone_mode=False
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
