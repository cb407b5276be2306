"""10 000+ sources registered at once: the registry listing, the beat that queues due sources
and the desk's error rates see every one of them (no search window ends a listing early).

The sources go straight into a registry index of the module's own (bulk, seconds), and the
beat queues onto a queue of its own, so the session's shared registry and queue stay as they
were."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis

from hub.core.settings import Settings
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import SOURCES, SYNC_RUNS, drop_prefixed, ensure_indices
from hub.sources.overview import error_rates
from hub.sources.store import Source, SourceRegistry, SourceState
from workers.sync import schedule_due

TOTAL = 10_050  # beyond the engine's default 10 000-hit search window
PAUSED = 50  # every 201st source (0, 201, …, 9849)
NOW = datetime.now(UTC)


def source_doc(number: int) -> dict[str, Any]:
    state = SourceState.PAUSED if number % 201 == 0 else SourceState.ACTIVE
    planned = NOW + timedelta(hours=1) if number % 100 == 1 else None  # not due
    source = Source(
        id=f"s{number:05d}",
        ags=["05113000"],
        kind="json_feed",
        url=f"https://quelle-{number}.example/feed.json",
        state=state,
        next_run_at=planned,
        organisation_id="org-gross" if number % 2 else "org-klein",
    )
    return source.model_dump(mode="json")


@pytest.fixture(scope="module")
def crowded(services: None, settings: Settings) -> Iterator[SourceRegistry]:
    """A registry of its own holding TOTAL sources, and a queue of its own."""
    tag = uuid.uuid4().hex[:6]
    own = settings.model_copy(
        update={"index_prefix": f"{settings.index_prefix}crowd{tag}-", "queue_name": f"q-{tag}"}
    )
    engine = get_engine(own)
    ensure_indices(engine)
    index = engine.name(SOURCES)
    actions = (
        {"_index": index, "_id": f"s{n:05d}", "_source": source_doc(n)} for n in range(TOTAL)
    )
    assert all(ok for ok, _ in engine.streaming_bulk(actions, chunk_size=2000))
    engine.request("POST", f"/{index}/_refresh")
    client = redis.Redis.from_url(own.redis_url)
    try:
        yield SourceRegistry(engine)
    finally:
        client.delete(own.queue_name)
        drop_prefixed(engine)


def test_listing_returns_every_source_beyond_the_search_window(
    crowded: SourceRegistry,
) -> None:
    listed = crowded.list()
    assert len(listed) == TOTAL
    assert [s.id for s in listed] == sorted(f"s{n:05d}" for n in range(TOTAL))
    assert len(crowded.list(organisation_id="org-gross")) == TOTAL // 2
    assert len(crowded.list(state=SourceState.PAUSED)) == PAUSED
    assert crowded.count_serving(["05113000", "05978036"]) == TOTAL  # planning's count
    assert crowded.count_serving(["05978036"]) == 0


def test_one_beat_queues_every_due_source_once_spread_over_time(
    crowded: SourceRegistry,
) -> None:
    due = {f"s{n:05d}" for n in range(TOTAL) if n % 201 and n % 100 != 1}

    queued = schedule_due(crowded.engine.settings, crowded, datetime.now(UTC))
    messages = _take(crowded)
    again = schedule_due(crowded.engine.settings, crowded, datetime.now(UTC))

    assert queued == len(due)
    assert sorted(m["source_id"] for m in messages) == sorted(due)
    assert {m["trigger"] for m in messages} == {"schedule"}
    etas = {m["eta"] for m in messages}
    assert len(etas) > len(due) // 2  # spread out by a random countdown, not one instant
    assert again == 0 and _take(crowded) == []  # every due source was planned ahead
    assert all(s.next_run_at for s in crowded.list() if s.id in due)


def test_error_rates_page_through_every_source(crowded: SourceRegistry) -> None:
    engine: SearchEngine = crowded.engine
    index = engine.name(SYNC_RUNS)
    runs = (
        {
            "_index": index,
            "_id": f"run-{n}",
            "_source": {
                "id": f"run-{n}",
                "source_id": f"s{n % 2500:05d}",
                "status": "failed" if n % 2500 == 7 else "succeeded",
                "started_at": (NOW - timedelta(minutes=n)).isoformat(),
            },
        }
        for n in range(5000)
    )
    assert all(ok for ok, _ in engine.streaming_bulk(runs, chunk_size=2000))
    engine.request("POST", f"/{index}/_refresh")

    rates = error_rates(engine, page=700)

    assert len(rates) == 2500
    assert {(r.failed, r.runs) for r in rates.values()} == {(0, 2), (2, 2)}
    assert rates["s00007"].failed == 2


def _take(registry: SourceRegistry) -> list[dict[str, Any]]:
    """The queued tasks' source ids, triggers and ETAs (removed from the queue)."""
    settings = registry.engine.settings
    client = redis.Redis.from_url(settings.redis_url)
    raw = client.lrange(settings.queue_name, 0, -1)
    client.delete(settings.queue_name)
    taken = []
    for message in raw:
        decoded = json.loads(message)
        kwargs = json.loads(base64.b64decode(decoded["body"]))[1]
        taken.append({**kwargs, "eta": decoded["headers"].get("eta")})
    return taken
