"""A large offer index for the latency benchmarks, quickly: a few thousand generated offers go
through the real pipeline once (inline sync of simulated json_feed sources: mapping,
normalisation, extraction, the hub's own documents), then each indexed document is copied
under new ids with its venues moved by up to ~2 km, bulk-loaded until the index holds `size`
offers. The texts repeat (every distinct offer about size/distinct times), the places, ids and
points do not; the index has the hub's mapping, settings and document shape.
"""

from __future__ import annotations

import copy
import json
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hub.core.settings import Settings
from hub.dev.fleet.generate import generate_fleet
from hub.dev.scale.bulkload import dump_offers
from hub.dev.scale.stack import served_fleet
from hub.ingest.runner import SyncOptions, SyncRunner
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, alias_targets


def seed_documents(
    settings: Settings, engine: SearchEngine, distinct: int, seed: int
) -> list[dict[str, Any]]:
    """`distinct` generated offers synced inline from 20 simulated sources; the indexed
    documents as `{"_id", "_source"}`."""
    fleet = generate_fleet(min(20, distinct), distinct, seed=seed, kinds=("json_feed",),
                           page_size=500)  # fmt: skip
    with served_fleet(engine, fleet) as sim:
        runner = SyncRunner(settings, engine)
        for source_id in sim.servers:
            runner.run(source_id, SyncOptions(full=True, trigger="bench"))
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder:
        dump = Path(folder) / "offers.jsonl"
        dump_offers(engine, dump)
        lines = dump.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def copies(
    docs: list[dict[str, Any]], size: int, seed: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, document) of the copies beyond the originals until `size` in all."""
    rng = random.Random(seed)
    for number in range(max(size - len(docs), 0)):
        base = docs[number % len(docs)]
        round_ = number // len(docs) + 1
        source = copy.deepcopy(base["_source"])
        source["id"] = f"{base['_id']}~{round_}"
        source["local_id"] = f"{source.get('local_id', '')}~{round_}"
        dlat, dlon = rng.uniform(-0.02, 0.02), rng.uniform(-0.03, 0.03)
        for point in source.get("geo") or []:
            point["lat"] = round(point["lat"] + dlat, 5)
            point["lon"] = round(point["lon"] + dlon, 5)
        for location in source.get("locations") or []:
            if location.get("lat") is not None and location.get("lon") is not None:
                location["lat"] = round(location["lat"] + dlat, 5)
                location["lon"] = round(location["lon"] + dlon, 5)
        yield source["id"], source


def build_index(
    settings: Settings, engine: SearchEngine, size: int, distinct: int = 2000, seed: int = 3
) -> dict[str, Any]:
    """The live offer index filled to `size` offers (seeded through the pipeline, then
    copied), refreshed and merged; how long each part took."""
    start = time.perf_counter()
    docs = seed_documents(settings, engine, min(distinct, size), seed)
    seeded = time.perf_counter() - start
    index = alias_targets(engine)[0]
    engine.request("PUT", f"/{index}/_settings", {"index": {"refresh_interval": "-1"}})
    actions = ({"_index": index, "_id": doc_id, "_source": source}
               for doc_id, source in copies(docs, size, seed))  # fmt: skip
    failed = sum(1 for ok, _ in engine.streaming_bulk(actions, chunk_size=1000) if not ok)
    engine.request("PUT", f"/{index}/_settings", {"index": {"refresh_interval": "1s"}})
    engine.request("POST", f"/{index}/_refresh")
    engine.request("POST", f"/{index}/_forcemerge", params={"max_num_segments": 1})
    total = int(engine.request("POST", f"/{engine.name(OFFERS)}/_count")["count"])
    if failed:
        raise RuntimeError(f"{failed} copied offers not indexed")
    return {"offers": total, "distinct": len(docs), "seed_seconds": round(seeded, 2),
            "load_seconds": round(time.perf_counter() - start, 2)}  # fmt: skip
