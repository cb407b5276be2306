"""`hub up`: services, API, workers and beat in one command; with --demo, a fleet of feeds."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
import typer
from rich.table import Table

from hub.cli.common import console
from hub.core.settings import Settings, get_settings
from hub.dev import services
from hub.dev.demo.fleet import FleetServer, demo_feeds
from hub.dev.processes import StopSignals, Supervisor
from hub.ingest.locks import writers_paused
from hub.search.engine import get_engine
from hub.search.indices import ensure_indices
from hub.search.reindex import is_stale, reindex
from hub.search.writer import OfferWriter
from hub.sources.enrolment import request_sync
from hub.sources.runs import RunStatus, RunStore
from hub.sources.store import Source, SourceInput, SourceRegistry


def up(
    demo: bool = typer.Option(False, "--demo", help="Serve and register the demo fleet."),
    demo_port: int = typer.Option(8100, help="Port of the demo feed server."),
    wait: bool = typer.Option(
        True, help="Keep running until Ctrl-C (--no-wait: exit after set-up)."
    ),
) -> None:
    """Start everything; Ctrl-C, SIGTERM or SIGHUP stop all that this command started."""
    settings = _settings(demo)
    ours: list[services.LocalService] = []
    supervisor = Supervisor(settings, settings.state_dir / "logs")
    fleet: FleetServer | None = None
    with StopSignals() as stop:
        try:
            _start_services(settings, ours)
            _prepare_index(settings)
            fleet = FleetServer(demo_port).start() if demo else None
            supervisor.api()
            supervisor.worker()
            supervisor.events_worker()
            supervisor.beat()
            if fleet is not None:
                _register_and_sync(settings, fleet.base_url)
            _print_up(settings, supervisor)
            while wait:
                _check_children(supervisor)
        except KeyboardInterrupt:
            console.print(f"\nstopping ({stop.received.name if stop.received else 'SIGINT'}) …")
        finally:
            # interrupted, failed, or a --no-wait smoke run: stop all that this command started
            stop.shield()
            supervisor.stop_all()
            if fleet is not None:
                fleet.stop()
            for service in reversed(ours):
                service.stop()
            console.print("stopped everything this command started")


def _settings(demo: bool) -> Settings:
    settings = get_settings()
    if demo and "127.0.0.1" not in settings.fetch_allow_hosts:
        # the demo feeds live on loopback, which the safe fetcher refuses by default
        settings = settings.model_copy(
            update={"fetch_allow_hosts": [*settings.fetch_allow_hosts, "127.0.0.1"]}
        )
    return settings


def _start_services(settings: Settings, ours: list[services.LocalService]) -> None:
    """Start (or reuse) Redis and OpenSearch, noting each one started here as soon as it runs,
    so that an interruption while the next one starts still stops it. The ones started here
    are tethered: should this process be killed outright, they end with it."""
    for service in services.local_services(settings):
        result = service.start(outlive_caller=False)
        if result.action is services.StartAction.STARTED:
            ours.append(service)
        console.print(
            f"[green]✓[/] {result.status.name}: {result.action.value} on {result.status.url}"
        )


def _prepare_index(settings: Settings) -> None:
    engine = get_engine(settings)
    ensure_indices(engine)
    if is_stale(engine):  # mappings/ changed since the live index was built
        with writers_paused(redis.Redis.from_url(settings.redis_url), settings):
            rebuilt = reindex(engine)
        console.print(f"[green]✓[/] reindexed {rebuilt.documents} offers into {rebuilt.new}")


def _print_up(settings: Settings, supervisor: Supervisor) -> None:
    console.print(f"\n[bold green]Familienhub NRW is up:[/] {settings.public_base_url}")
    console.print(f"  search API: {settings.public_base_url}/api/v1/offers?q=hebamme")
    console.print(f"  API docs:   {settings.public_base_url}/docs")
    console.print(f"  metrics:    {settings.public_base_url}/metrics  (check: hub doctor)")
    console.print(f"  logs:       {supervisor.log_dir}")


def _check_children(supervisor: Supervisor) -> None:
    time.sleep(1)
    for child in supervisor.children:
        if not child.alive():
            raise RuntimeError(f"{child.name} stopped:\n{child.log_tail()}")


def _register_and_sync(settings: Settings, base_url: str) -> None:
    engine = get_engine(settings)
    registry = SourceRegistry(engine)
    known = {s.id: s for s in registry.list()}
    for feed in demo_feeds():
        data = SourceInput(**feed.registration(base_url))
        if feed.source_id not in known:
            registry.create(data)
        elif known[feed.source_id].kind != data.kind:
            _republish(registry, data)
        else:
            registry.update(feed.source_id, _set_url(data.url))
        request_sync(settings, feed.source_id, trigger="demo", full=True)
    _wait_for_runs(settings, [f.source_id for f in demo_feeds()])


def _republish(registry: SourceRegistry, data: SourceInput) -> None:
    """A demo feed now published another way (e.g. as prose since the fleet changed): its
    old offers go, and the source starts afresh as the new kind (no cursor of the old one)."""
    writer = OfferWriter(registry.engine)
    writer.delete(writer.ids_of_source(data.id))
    writer.refresh()  # and the duplicate groups they were in are settled

    def change(source: Source) -> None:
        source.kind, source.config, source.url, source.cursor = data.kind, data.config, data.url, {}

    registry.update(data.id, change)


def _set_url(url: str) -> Callable[[Source], None]:
    def change(source: Source) -> None:
        source.url = url

    return change


def _wait_for_runs(settings: Settings, source_ids: list[str], timeout: float = 300) -> None:
    engine = get_engine(settings)
    registry, runs = SourceRegistry(engine), RunStore(engine)
    since = time.time()
    deadline = since + timeout
    with console.status("syncing the demo fleet …"):
        while time.time() < deadline:
            done = {
                s.id
                for s in registry.list()
                if s.last_run_at and s.last_run_at.timestamp() >= since - 5
            }
            if set(source_ids) <= done:
                break
            time.sleep(1)
    table = Table("source", "status", "seen", "indexed", "rejected")
    for source_id in source_ids:
        latest = runs.for_source(source_id, 1)
        if not latest:
            table.add_row(source_id, "[red]no run[/]", "", "", "")
            continue
        run = latest[0]
        style = "green" if run.status in (RunStatus.SUCCEEDED, RunStatus.NOT_MODIFIED) else "red"
        c = run.counts
        table.add_row(
            source_id,
            f"[{style}]{run.status.value}[/]",
            str(c.seen),
            str(c.created + c.updated + c.unchanged),
            str(c.rejected),
        )
    console.print(table)
