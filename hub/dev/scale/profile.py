"""`hub bench profile`: where one source's cold sync spends its CPU, as cProfile's cumulative
table (kept in docs/profiles/ next to the figures it explains).

One generated source of `kind` is synced inline (no worker: the profiler sees the whole run in
this process) with the politeness limit lifted, into indices of its own. With `cprofile=False`
the sync runs unprofiled, for a sampling profiler attached from outside (py-spy's flame graphs,
docs/profiles/*.svg), which cProfile's own per-call cost would distort.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time

from hub.core.settings import Settings
from hub.dev.fleet.generate import generate_fleet
from hub.dev.scale.stack import bench_settings, own_indices, served_fleet
from hub.ingest.runner import SyncOptions, SyncRunner


def profile_sync(
    settings: Settings, kind: str, records: int, lines: int = 40, cprofile: bool = True
) -> str:
    """The profile of a cold full sync of one `kind` source holding `records` offers (only
    its timing line without `cprofile`)."""
    local = bench_settings(settings, fetch_rate_per_host=1000.0)
    fleet = generate_fleet(1, records, seed=5, kinds=(kind,), page_size=500)
    with own_indices(local) as engine, served_fleet(engine, fleet) as sim:
        source_id = next(iter(sim.servers))
        runner = SyncRunner(local, engine)
        profiler = cProfile.Profile()
        cpu, wall = time.process_time(), time.perf_counter()
        if cprofile:
            profiler.enable()
        run = runner.run(source_id, SyncOptions(full=True))
        profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    out = io.StringIO()
    out.write(f"cold full sync, one {kind} source, {run.counts.created} offers written: "
              f"{cpu:.2f} s CPU, {wall:.2f} s wall"
              f"{' (profiler overhead included)' if cprofile else ''}\n")  # fmt: skip
    if not cprofile:
        return out.getvalue()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(lines)
    return out.getvalue()
