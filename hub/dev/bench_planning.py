"""Benchmark of the state-wide planning matrix on a large synthetic offer index.

N synthetic offers (municipality weighted by population, a point within ~3 km of its centre,
one to three topics, an age range or pregnancy, 10 % online, updated within two years) are
bulk-loaded into an index prefix of their own. Then each query runs a few times and the median
is compared with a baseline from the same run: a plain `match_all` count with one terms
aggregation on topics. The shard request cache is switched off, so every repeat is computed.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.core.places import gazetteer
from hub.core.settings import Settings
from hub.core.vocab import vocabulary
from hub.planning.aggregations import counts_body, per_municipality_body
from hub.planning.areas import resolve_area
from hub.planning.reach import population_points
from hub.planning.report import build_matrix, covered_points, search_offers
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import OFFERS, alias_targets, drop_prefixed, ensure_indices

REPEATS = 3
CHUNK = 2000


@dataclass(frozen=True)
class PlanningTiming:
    label: str
    seconds: float


def synthetic_offers(count: int, seed: int = 15) -> Iterator[dict[str, Any]]:
    """Engine documents shaped like indexed offers (only the fields planning reads)."""
    rng = random.Random(seed)
    gaz = gazetteer()
    towns = list(gaz.municipalities.values())
    weights = [max(t.population, 1) for t in towns]
    topics = vocabulary("topics").codes
    now = datetime.now(UTC)
    for i in range(count):
        town = rng.choices(towns, weights)[0]
        online = rng.random() < 0.1
        pregnancy = rng.random() < 0.08
        low = rng.choice([0, 0, 6, 12, 24, 36])
        doc: dict[str, Any] = {
            "id": f"bench:{i}",
            "source_id": "bench",
            "local_id": str(i),
            "title": f"Angebot {i}",
            "topics": rng.sample(topics, rng.randint(1, 3)),
            "pregnancy": pregnancy,
            "age_min_months": None if pregnancy else low,
            "age_max_months": None if pregnancy else low + rng.choice([12, 24, 36, 72]),
            "online": online,
            "area_ags": [town.ags],
            "district_ags": [town.district_ags],
            "updated_at": (now - timedelta(days=rng.randint(0, 730))).isoformat(),
        }
        if not online:
            doc["location_ags"] = [town.ags]
            doc["geo"] = [
                {
                    "lat": town.lat + rng.uniform(-0.03, 0.03),
                    "lon": town.lon + rng.uniform(-0.04, 0.04),
                }
            ]
        yield doc


def load(engine: SearchEngine, count: int) -> float:
    """Bulk-load `count` synthetic offers; seconds taken (refresh off during the load)."""
    index = alias_targets(engine)[0]
    engine.request("PUT", f"/{index}/_settings", {"index": {"refresh_interval": "-1"}})
    start = time.perf_counter()
    actions = ({"_index": index, "_id": d["id"], "_source": d} for d in synthetic_offers(count))
    failed = sum(1 for ok, _ in engine.streaming_bulk(actions, chunk_size=CHUNK) if not ok)
    # the shard request cache would answer every repeat of a size-0 search from memory
    after = {"index": {"refresh_interval": "1s", "requests.cache.enable": False}}
    engine.request("PUT", f"/{index}/_settings", after)
    engine.request("POST", f"/{index}/_refresh")
    engine.request("POST", f"/{index}/_forcemerge", params={"max_num_segments": 1})
    if failed:
        raise RuntimeError(f"{failed} synthetic offers not indexed")
    return time.perf_counter() - start


def _median(run: Callable[[], object]) -> float:
    run()  # warm caches once, as a live hub would be
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_planning(settings: Settings, count: int) -> tuple[float, int, list[PlanningTiming]]:
    """(load seconds, documents, timings: baseline first) for the state-wide matrix."""
    local = settings.model_copy(update={"index_prefix": f"bench-plan-{uuid.uuid4().hex[:6]}-"})
    engine = get_engine(local)
    ensure_indices(engine)
    try:
        loaded = load(engine, count)
        docs = int(engine.request("GET", f"/{engine.name(OFFERS)}/_count")["count"])
        state = resolve_area("nrw")
        points = population_points(state.members, gazetteer())
        stale = (datetime.now(UTC) - timedelta(days=365)).isoformat()
        baseline = {
            "size": 0,
            "query": {"match_all": {}},
            "aggs": {"topics": {"terms": {"field": "topics", "size": 100}}},
        }
        cases: list[tuple[str, Callable[[], object]]] = [
            ("match_all + terms on topics (baseline)", lambda: search_offers(engine, baseline)),
            (
                "counts per cell, stale and online apart",
                lambda: search_offers(engine, counts_body(state.members, stale)),
            ),
            (
                "counts per municipality and cell",
                lambda: search_offers(engine, per_municipality_body()),
            ),
            (
                "reach: 396 points × cells (8 requests, 4 at a time)",
                lambda: covered_points(engine, points, 10.0),
            ),
            (
                "state-wide matrix (counts + reach + arithmetic)",
                lambda: build_matrix(engine, state),
            ),
        ]
        timings = [PlanningTiming(label, _median(run)) for label, run in cases]
    finally:
        drop_prefixed(engine)
    return loaded, docs, timings
