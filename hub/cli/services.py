"""`hub services up|down|status`: the local Redis and OpenSearch for dev, tests and CI."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import partial
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hub.dev.services import (
    DEFAULT_TIMEOUT,
    LocalService,
    LocalServiceError,
    ServiceState,
    ServiceStatus,
    StopAction,
    local_services,
)

app = typer.Typer(
    help="Start, stop and inspect the local Redis and OpenSearch that dev, tests and CI use.",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")


class ServiceName(StrEnum):
    """The services `hub services` manages."""

    redis = "redis"
    opensearch = "opensearch"


Names = Annotated[
    list[ServiceName] | None,
    typer.Argument(help="Only these services (default: all).", show_default=False),
]
STATE_STYLE = {
    ServiceState.OURS: "green",
    ServiceState.EXTERNAL: "cyan",
    ServiceState.STARTING: "yellow",
    ServiceState.FOREIGN: "red",
    ServiceState.DOWN: "red",
}


@app.command()
def up(
    names: Names = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for each service to become healthy.")
    ] = DEFAULT_TIMEOUT,
) -> None:
    """Start Redis and OpenSearch unless they already answer; wait until both are healthy.

    The first start fetches OpenSearch from Maven Central (needs `mvn` and a JDK 21+).

    Later starts take seconds. Data, logs and pid files live under HUB_STATE_DIR.
    """
    for service in _selected(names):
        with console.status(f"Starting {service.label} at {service.url} …"):
            result = _or_exit(partial(service.start, timeout))
        st = result.status
        details = " · ".join(filter(None, [_pid(st), _version(st)]))
        took = f" in {result.seconds:.1f} s" if result.seconds else ""
        line = Text.assemble(
            ("✔ ", "green"),
            (f"{service.label:<11}", "bold"),
            f"{st.url}  {result.action}{took}",
            (f"  ({details})" if details else "", "dim"),
        )
        console.print(line, soft_wrap=True)


@app.command()
def down(names: Names = None) -> None:
    """Stop the services `hub services up` started; leave external ones running."""
    for service in reversed(_selected(names)):
        result = _or_exit(service.stop)
        style = "yellow" if result.action is StopAction.KILLED else "green"
        pid = f" (pid {result.pid})" if result.pid else ""
        line = Text.assemble(
            ("■ ", style), (f"{service.label:<11}", "bold"), f"{result.action}{pid}"
        )
        console.print(line, soft_wrap=True)


@app.command()
def status(names: Names = None) -> None:
    """Show who answers on each service's port, and whether `hub services up` started it."""
    table = Table("service", "url", "state", "pid", "version")
    logs = []
    for service in _selected(names):
        st = _or_exit(service.status)
        state = Text(str(st.state), style=STATE_STYLE[st.state])
        table.add_row(service.label, st.url, state, str(st.pid or ""), _version(st))
        if st.log_file and st.state in {ServiceState.OURS, ServiceState.STARTING}:
            logs.append(f"{service.label} log: {st.log_file}")
    console.print(table)
    for log in logs:
        console.print(log, style="dim", soft_wrap=True)


def _selected(names: list[ServiceName] | None) -> list[LocalService]:
    services = local_services()
    return [s for s in services if not names or ServiceName(s.name) in names]


def _or_exit(call: Callable[[], T]) -> T:
    """Run `call`; an expected failure becomes a clear message and exit code 1."""
    try:
        return call()
    except LocalServiceError as exc:
        err_console.print(Text.assemble(("error: ", "bold red"), exc.message), soft_wrap=True)
        raise typer.Exit(1) from None


def _pid(st: ServiceStatus) -> str:
    return f"pid {st.pid}" if st.pid else ""


def _version(st: ServiceStatus) -> str:
    return f"{st.answer.product} {st.answer.version}" if st.answer else ""
