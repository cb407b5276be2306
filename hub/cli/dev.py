"""`hub dev`: developer tooling; `hub dev fleet` serves a simulated fleet of municipal feeds."""

from __future__ import annotations

import time

import typer
from rich.table import Table

from hub.cli.common import console, engine
from hub.dev.fleet.generate import KINDS, Faults, generate_fleet
from hub.dev.fleet.server import FleetSimulator
from hub.sources.store import SourceInput, SourceRegistry

app = typer.Typer(help="Developer tooling (simulated feeds).", no_args_is_help=True)


@app.command()
def fleet(
    sources: int = typer.Option(26, help="Sources, each on its own port of 127.0.0.1."),
    records: int = typer.Option(2000, help="Offers in all, spread unevenly over the sources."),
    seed: int = typer.Option(1, help="The same seed serves the same fleet."),
    kinds: str = typer.Option(",".join(KINDS), help="Kinds in turn (or push)."),
    page_size: int = typer.Option(100, help="Records per page (WordPress: at most 100)."),
    latency: float = typer.Option(0.0, help="Seconds before every answer of every source."),
    register: bool = typer.Option(False, help="Register the sources in this hub's registry."),
) -> None:
    """Serve generated feeds until Ctrl-C (ETags, paging; faults via hub.dev.fleet.Faults)."""
    chosen = tuple(k.strip() for k in kinds.split(",") if k.strip())
    generated = generate_fleet(sources, records, seed=seed, kinds=chosen, page_size=page_size)
    for source in generated:
        source.faults = Faults(latency=latency)
    with FleetSimulator(generated) as sim:
        table = Table("source", "kind", "records", "url")
        for served in sim.servers.values():
            s = served.source
            table.add_row(s.source_id, s.kind, str(len(s.records)), served.url)
        console.print(table)
        if register:
            registry = SourceRegistry(engine())
            known = {s.id for s in registry.list()}
            for data in sim.registrations():
                if data["id"] not in known:
                    registry.create(SourceInput.model_validate(data))
            console.print(f"{len(sim.servers)} sources registered (new ones only).")
        console.print("Serving; Ctrl-C stops.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
