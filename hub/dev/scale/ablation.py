"""`hub bench index`: raw bulk of the same normalised offers into each index variant, the
current mapping first (the baseline), each variant loaded `repeat` times in turn so that a
busy machine's noise spreads over all of them; the median of each is reported.

The offers come from a dump (`hub bench statewide --keep-dump PATH`), or from a cold sync
of a simulated fleet through real workers when no dump is given.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from hub.core.settings import Settings
from hub.dev.fleet.generate import KINDS, generate_fleet
from hub.dev.scale.bulkload import VARIANTS, bulk_load, dump_offers
from hub.dev.scale.cpu import cpu_seconds
from hub.dev.scale.stack import (
    Progress,
    bench_settings,
    own_indices,
    served_fleet,
    service_pids,
    sync_round,
    workers,
)


def bench_index(
    settings: Settings,
    *,
    dump: Path | None = None,
    sources: int = 40,
    records: int = 10_000,
    repeat: int = 2,
    progress: Progress = lambda done, indexed: None,
) -> dict[str, Any]:
    local = bench_settings(settings, fetch_rate_per_host=1000.0)
    pids = service_pids(local)
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder, own_indices(local) as engine:
        if dump is None:
            dump = Path(folder) / "offers.jsonl"
            fleet = generate_fleet(sources, records, kinds=KINDS, page_size=500)
            with served_fleet(engine, fleet) as sim, workers(local, 1, 4):
                sync_round(local, engine, list(sim.servers), full=True, progress=progress)
            dump_offers(engine, dump)
        seconds: dict[str, list[float]] = {v.name: [] for v in VARIANTS}
        engine_cpu: dict[str, list[float]] = {v.name: [] for v in VARIANTS}
        documents = 0
        for _ in range(repeat):
            for variant in VARIANTS:
                before = cpu_seconds(pids.engine)
                took, documents = bulk_load(engine, dump, variant)
                engine_cpu[variant.name].append(cpu_seconds(pids.engine) - before)
                seconds[variant.name].append(took)
    base = statistics.median(seconds[VARIANTS[0].name])
    rows = []
    for variant in VARIANTS:
        median = statistics.median(seconds[variant.name])
        rows.append({
            "variant": variant.name,
            "seconds": round(median, 2),
            "records_per_second": round(documents / median, 1),
            "speed_vs_baseline": round(base / median, 2),
            "engine_cpu_ms_per_record": round(
                1000 * statistics.median(engine_cpu[variant.name]) / max(documents, 1), 3),
            "all_seconds": [round(s, 2) for s in seconds[variant.name]],
        })  # fmt: skip
    return {"scenario": "index", "documents": documents, "repeat": repeat, "rows": rows}
