"""`hub sync`, `hub api`, `hub worker`, `hub beat`: run the hub's parts in the foreground."""

from __future__ import annotations

import os

import typer

from hub.cli.common import console, settings
from hub.dev.processes import api_command, beat_command, worker_command
from hub.ingest.runner import SyncOptions, SyncRunner
from hub.sources.enrolment import request_sync


def sync(
    source_id: str = typer.Argument(..., help="Source id."),
    full: bool = typer.Option(False, "--full", help="Ignore the cursor: fetch everything."),
    allow_mass_delete: bool = typer.Option(
        False, "--allow-mass-delete", help="Apply a deletion above the mass-delete share now."
    ),
    reconcile: bool = typer.Option(
        False,
        "--reconcile",
        help="Compare everything the source publishes with the index and delete what it no "
        "longer does (ids only where the connector can list them).",
    ),
    queue: bool = typer.Option(False, "--queue", help="Hand it to the workers instead."),
) -> None:
    """Sync one source now (inline), or queue it for the workers with --queue."""
    if queue:
        _queue(source_id, full=full, reconcile=reconcile, allow_mass_delete=allow_mass_delete)
        return
    options = SyncOptions(
        trigger="cli", full=full, reconcile=reconcile, allow_mass_delete=allow_mass_delete
    )
    run = SyncRunner(settings()).run(source_id, options)
    c = run.counts
    console.print(
        f"[bold]{source_id}[/] ({run.mode}): {run.status.value} — seen {c.seen}, new {c.created}, "
        f"updated {c.updated}, unchanged {c.unchanged}, deleted {c.deleted}, "
        f"rejected {c.rejected}, pending deletion {c.pending_deletion} "
        f"({run.duration_seconds:.1f} s)"
    )
    for flag in run.flags:
        console.print(f"[yellow]flag:[/] {flag}")


def _queue(source_id: str, *, full: bool, reconcile: bool, allow_mass_delete: bool) -> None:
    task_id = request_sync(
        settings(),
        source_id,
        trigger="cli",
        full=full,
        reconcile=reconcile,
        allow_mass_delete=allow_mass_delete,
    )
    what = "reconciliation" if reconcile else "sync"
    console.print(f"queued {what} of [bold]{source_id}[/] (task {task_id})")


def api() -> None:
    """Serve the API and web pages (uvicorn) on HUB_API_HOST:HUB_API_PORT."""
    command = api_command(settings())
    os.execv(command[0], command)


def worker(
    concurrency: int = typer.Option(2, help="Worker processes."),
    events: bool = typer.Option(
        False, "--events", help="Only the queue of pushed webhook events (the events worker)."
    ),
) -> None:
    """Run a Celery worker on the hub's queues (both, or with --events the events queue alone)."""
    config = settings()
    if events:
        command = worker_command(config, concurrency, "events", [config.events_queue])
    else:
        command = worker_command(config, concurrency)
    os.execv(command[0], command)


def beat() -> None:
    """Run Celery beat (schedules due sources every minute, sweeps abandoned runs)."""
    state = settings().state_dir
    state.mkdir(parents=True, exist_ok=True)
    command = beat_command(state / "celerybeat-schedule")
    os.execv(command[0], command)
