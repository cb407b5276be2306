"""Sync semantics on the real engine: what is written, skipped, deleted — and what never is."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from hub.core.errors import PermanentFetchError, TransientFetchError
from hub.core.settings import Settings
from hub.ingest.runner import SyncOptions, SyncRunner
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.sources.operations import refuse_deletion
from hub.sources.runs import RunStatus
from hub.sources.store import SourceInput, SourceRegistry, SourceState
from tests.support.feeds import FeedServer, Request, Route


def offer(
    local_id: str,
    title: str = "Babytreff",
    updated: str = "2026-03-01T10:00:00+01:00",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "local_id": local_id,
        "title": title,
        "url": f"https://www.unna.de/{local_id}",
        "kind": "treffpunkt",
        "topics": ["begegnung"],
        "updated_at": updated,
        "locations": [{"city": "Unna", "postcode": "59423", "ags": "05978036"}],
        **extra,
    }


def feed(*records: dict[str, Any]) -> Route:
    return Route(json.dumps({"offers": list(records)}))


@pytest.fixture
def source(engine: SearchEngine, feed_server: FeedServer) -> str:
    source_id = f"sync-{uuid.uuid4().hex[:8]}"
    SourceRegistry(engine).create(
        SourceInput(
            id=source_id, ags=["05978036"], kind="push", url=feed_server.url(f"/{source_id}.json")
        )
    )
    return source_id


@pytest.fixture
def runner(settings: Settings, engine: SearchEngine) -> SyncRunner:
    return SyncRunner(settings, engine)


@pytest.fixture
def serve(feed_server: FeedServer, source: str) -> Callable[[Route], None]:
    return lambda route: feed_server.route(f"/{source}.json", route) and None


def indexed(engine: SearchEngine, source: str) -> dict[str, dict[str, Any]]:
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    body = {"size": 1000, "query": {"term": {"source_id": source}}, "version": True}
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    return {h["_source"]["local_id"]: {**h["_source"], "_version": h["_version"]} for h in hits}


def test_unchanged_records_are_not_rewritten(engine, runner, source, serve) -> None:
    serve(feed(offer("a"), offer("b")))
    first = runner.run(source)
    before = indexed(engine, source)
    second = runner.run(source)
    assert (first.counts.created, second.counts.unchanged, second.counts.created) == (2, 2, 0)
    assert indexed(engine, source) == before  # same versions: nothing was written


def test_changed_record_is_updated_with_its_source_version(engine, runner, source, serve) -> None:
    serve(feed(offer("a"), offer("b")))
    runner.run(source)
    serve(feed(offer("a", title="Babytreff neu", updated="2026-04-01T10:00:00+02:00"), offer("b")))
    run = runner.run(source)
    assert (run.counts.updated, run.counts.unchanged) == (1, 1)
    doc = indexed(engine, source)["a"]
    assert doc["title"] == "Babytreff neu"
    assert doc["_version"] == 1775030400000  # 2026-04-01T08:00Z in ms: the external version


def test_empty_feed_deletes_nothing_and_flags_the_source(engine, runner, source, serve) -> None:
    serve(feed(offer("a"), offer("b")))
    runner.run(source)
    serve(feed())
    run = runner.run(source, SyncOptions(full=True))
    assert run.status == RunStatus.SUCCEEDED
    assert "empty_feed" in run.flags
    assert run.counts.deleted == 0
    assert set(indexed(engine, source)) == {"a", "b"}
    assert SourceRegistry(engine).get(source).state_reason == "Feed ist leer"


def test_small_drop_is_deleted_at_once(engine, runner, source, serve) -> None:
    records = [offer(f"r{i}") for i in range(10)]
    serve(feed(*records))
    runner.run(source)
    serve(feed(*records[:9]))
    run = runner.run(source, SyncOptions(full=True))
    assert run.counts.deleted == 1
    assert set(indexed(engine, source)) == {f"r{i}" for i in range(9)}


def test_mass_drop_waits_for_a_second_full_run(engine, runner, source, serve) -> None:
    records = [offer(f"r{i}") for i in range(10)]
    serve(feed(*records))
    runner.run(source)
    serve(feed(*records[:5]))
    first = runner.run(source, SyncOptions(full=True))
    assert (first.counts.deleted, first.counts.pending_deletion) == (0, 5)
    assert "mass_delete_pending" in first.flags
    assert len(indexed(engine, source)) == 10
    second = runner.run(source, SyncOptions(full=True))
    assert second.counts.deleted == 5
    assert len(indexed(engine, source)) == 5
    assert SourceRegistry(engine).get(source).pending_deletion == {}


def test_a_refused_mass_drop_waits_for_an_approval(engine, runner, source, serve) -> None:
    records = [offer(f"r{i}") for i in range(10)]
    serve(feed(*records))
    runner.run(source)
    serve(feed(*records[:5]))
    runner.run(source, SyncOptions(full=True))
    refuse_deletion(SourceRegistry(engine), source, "ops@mkjfgfsi.example")
    again = runner.run(source, SyncOptions(full=True))  # would confirm it, were it not refused
    assert (again.counts.deleted, again.counts.pending_deletion) == (0, 5)
    assert len(indexed(engine, source)) == 10
    assert SourceRegistry(engine).get(source).pending_deletion["refused"]
    approved = runner.run(source, SyncOptions(full=True, allow_mass_delete=True))
    assert approved.counts.deleted == 5
    assert SourceRegistry(engine).get(source).pending_deletion == {}


def test_operator_can_allow_a_mass_delete_at_once(engine, runner, source, serve) -> None:
    records = [offer(f"r{i}") for i in range(10)]
    serve(feed(*records))
    runner.run(source)
    serve(feed(*records[:2]))
    run = runner.run(source, SyncOptions(full=True, allow_mass_delete=True))
    assert run.counts.deleted == 8


def test_feed_failing_on_page_3_deletes_nothing(engine, runner, source, serve, feed_server) -> None:
    records = [offer(f"r{i}") for i in range(6)]
    serve(feed(*records))
    runner.run(source)
    base = feed_server.url(f"/{source}.json")

    def paged(request: Request) -> Route:
        page = int((request.query or "page=1").split("=")[1])
        if page == 3:
            return Route(b"upstream broke", status=502, content_type="text/plain")
        nxt = f"{base}?page={page + 1}"
        return Route(json.dumps({"offers": [offer(f"r{page}")], "next": nxt}))

    serve(paged)  # type: ignore[arg-type]
    with pytest.raises(TransientFetchError):
        runner.run(source, SyncOptions(full=True))
    assert set(indexed(engine, source)) == {f"r{i}" for i in range(6)}
    latest = runner.runs.for_source(source, 1)[0]
    assert latest.status == RunStatus.FAILED and latest.counts.deleted == 0


def test_older_version_never_overwrites_newer(engine, runner, source, serve) -> None:
    serve(feed(offer("a", title="neu", updated="2026-05-01T10:00:00+02:00")))
    runner.run(source)
    serve(feed(offer("a", title="alt", updated="2026-01-01T10:00:00+01:00")))
    run = runner.run(source)
    assert run.counts.stale == 1
    assert indexed(engine, source)["a"]["title"] == "neu"


def test_tombstone_deletes_and_an_older_update_does_not_resurrect(
    engine, runner, source, serve
) -> None:
    serve(feed(offer("a"), offer("b")))
    runner.run(source)
    serve(
        feed(
            offer("b"),
            {"local_id": "a", "deleted": True, "updated_at": "2026-03-05T10:00:00+01:00"},
        )
    )
    run = runner.run(source)
    assert run.counts.deleted == 1
    serve(feed(offer("b"), offer("a", updated="2026-03-02T10:00:00+01:00")))
    late = runner.run(source)
    assert late.counts.stale == 1
    assert set(indexed(engine, source)) == {"b"}
    serve(feed(offer("b"), offer("a", title="wieder da", updated="2026-03-09T10:00:00+01:00")))
    runner.run(source)
    assert indexed(engine, source)["a"]["title"] == "wieder da"


def test_not_modified_feed_costs_one_request_and_writes_nothing(
    engine, runner, source, serve, feed_server
) -> None:
    body = json.dumps({"offers": [offer("a")]})

    def conditional(request: Request) -> Route:
        if request.headers.get("if-none-match") == '"v1"':
            return Route(b"", status=304)
        return Route(body, headers={"ETag": '"v1"'})

    serve(conditional)  # type: ignore[arg-type]
    runner.run(source)
    hits_before = feed_server.hits(f"/{source}.json")
    run = runner.run(source)
    assert run.status == RunStatus.NOT_MODIFIED and run.not_modified
    assert run.counts.seen == 0
    assert feed_server.hits(f"/{source}.json") == hits_before + 1


def test_source_failing_three_times_is_marked_failing_and_keeps_its_offers(
    engine, runner, source, serve
) -> None:
    serve(feed(offer("a")))
    runner.run(source)
    serve(Route(b"<html>Wartung</html>", status=404, content_type="text/html"))
    for _ in range(3):
        with pytest.raises(PermanentFetchError):
            runner.run(source, SyncOptions(full=True))
    state = SourceRegistry(engine).get(source)
    assert state.state == SourceState.FAILING and state.consecutive_failures == 3
    assert "HTTP 404" in state.state_reason
    assert set(indexed(engine, source)) == {"a"}


def test_runs_left_running_by_a_lost_worker_are_swept(engine, runner, source, serve) -> None:
    from datetime import UTC, datetime, timedelta

    from hub.sources.runs import RunStatus as Status
    from hub.sources.runs import SyncRun, sweep_abandoned

    stuck = SyncRun(source_id=source, started_at=datetime.now(UTC) - timedelta(hours=3))
    fresh = SyncRun(source_id=source)
    runner.runs.save(stuck)
    runner.runs.save(fresh)
    swept = sweep_abandoned(runner.runs, older_than_seconds=3600)
    assert stuck.id in swept and fresh.id not in swept
    assert runner.runs.get(stuck.id).status == Status.FAILED
    assert runner.runs.get(stuck.id).errors[-1]["code"] == "abandoned"
    assert runner.runs.get(fresh.id).status == Status.RUNNING


def test_reconcile_by_full_fetch_deletes_what_the_feed_no_longer_has(
    engine, runner, source, serve
) -> None:
    records = [offer(f"r{i}") for i in range(10)]
    serve(feed(*records))
    runner.run(source)
    serve(feed(*records[1:]))
    run = runner.run(source, SyncOptions(trigger="schedule", reconcile=True))
    assert (run.mode, run.status, run.counts.deleted) == ("reconcile", RunStatus.SUCCEEDED, 1)
    assert set(indexed(engine, source)) == {f"r{i}" for i in range(1, 10)}
    stored = SourceRegistry(engine).get(source)
    assert stored.last_reconciled_at == run.ended_at
    assert stored.next_reconcile_at is not None and stored.next_reconcile_at > run.ended_at


def test_failed_reconcile_listing_deletes_nothing(engine, runner, source, serve) -> None:
    serve(feed(*[offer(f"r{i}") for i in range(5)]))
    runner.run(source)
    before = SourceRegistry(engine).get(source).last_reconciled_at
    serve(Route(b"upstream broke", status=502, content_type="text/plain"))
    with pytest.raises(TransientFetchError):
        runner.run(source, SyncOptions(reconcile=True))
    latest = runner.runs.for_source(source, 1)[0]
    assert (latest.mode, latest.status, latest.counts.deleted) == ("reconcile", RunStatus.FAILED, 0)
    assert set(indexed(engine, source)) == {f"r{i}" for i in range(5)}
    assert SourceRegistry(engine).get(source).last_reconciled_at == before


def test_empty_reconcile_listing_deletes_nothing_and_flags(engine, runner, source, serve) -> None:
    serve(feed(offer("a"), offer("b")))
    runner.run(source)
    serve(feed())
    run = runner.run(source, SyncOptions(reconcile=True))
    assert (run.mode, run.counts.deleted) == ("reconcile", 0)
    assert "empty_feed" in run.flags
    assert set(indexed(engine, source)) == {"a", "b"}


def test_mass_drop_found_by_reconcile_waits_for_confirmation(engine, runner, source, serve) -> None:
    records = [offer(f"r{i}") for i in range(10)]
    serve(feed(*records))
    runner.run(source)
    serve(feed(*records[:5]))
    first = runner.run(source, SyncOptions(reconcile=True))
    assert (first.counts.deleted, first.counts.pending_deletion) == (0, 5)
    assert "mass_delete_pending" in first.flags
    second = runner.run(source, SyncOptions(reconcile=True))
    assert second.counts.deleted == 5
    assert len(indexed(engine, source)) == 5


def test_a_record_judged_no_offer_leaves_the_index_under_the_deletion_rules(
    engine, runner, source, serve
) -> None:
    serve(feed(offer("a"), offer("b"), offer("c", title="Hallo Welt!")))
    first = runner.run(source)
    assert set(indexed(engine, source)) == {"a", "b"}
    assert [(r.local_id, r.code) for r in first.rejections] == [("c", "not_an_offer")]

    def mark_b(stored: Any) -> None:
        stored.config = {**stored.config, "offer_filters": {"not_offers": ["b"]}}

    SourceRegistry(engine).update(source, mark_b)
    second = runner.run(source, SyncOptions(full=True))  # a complete run applies the rules
    assert set(indexed(engine, source)) == {"a", "b"}  # half the offers: the guard holds it
    assert second.counts.pending_deletion == 1
    third = runner.run(source, SyncOptions(full=True))  # confirmed by a second complete run

    assert set(indexed(engine, source)) == {"a"}
    assert third.counts.deleted == 1
    assert {r.local_id: r.message_de for r in second.rejections}["b"] == (
        "Kein Angebot für Familien: von der Kommune als „kein Angebot“ markiert"
    )
