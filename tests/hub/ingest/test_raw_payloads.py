"""Kept raw payloads on the real engine: kept and deleted with their offers, an unchanged payload
skips normalisation, and a changed normaliser re-normalises from them without any fetch."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import hub.ingest.ingest as ingest_module
import hub.ingest.pipeline as pipeline
from hub.core.settings import Settings
from hub.ingest import payloads
from hub.ingest.dryrun import dry_run
from hub.ingest.events import apply_pushed_event
from hub.ingest.renormalise import Renormaliser
from hub.ingest.runner import SyncOptions, SyncRunner
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, drop_prefixed, ensure_indices
from hub.search.raw import RawStore
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.feeds import FeedServer, Route


def offer(local_id: str, title: str = "Elterncafé") -> dict[str, Any]:
    return {
        "local_id": local_id,
        "title": title,
        "summary": "Offener Treff für Eltern mit Babys",
        "url": f"https://www.soest.de/{local_id}",
        "kind": "treffpunkt",
        "topics": ["begegnung"],
        "updated_at": "2026-10-01T10:00:00+02:00",
        "locations": [{"city": "Soest", "postcode": "59494"}],
    }


def feed(records: list[dict[str, Any]]) -> Route:
    return Route(json.dumps({"offers": records}))


def register(engine: SearchEngine, url: str) -> str:
    source_id = f"raw-{uuid.uuid4().hex[:8]}"
    SourceRegistry(engine).create(SourceInput(id=source_id, ags=["05974040"], kind="push", url=url))
    return source_id


@pytest.fixture
def normalised(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The local ids the normaliser ran for, in order (a spy around the real pipeline)."""
    calls: list[str] = []
    real = ingest_module.process_record

    def spy(connector: Any, raw: Any, geocoder: Any = None) -> Any:
        calls.append(raw.local_id)
        return real(connector, raw, geocoder)

    monkeypatch.setattr(ingest_module, "process_record", spy)
    return calls


@pytest.fixture
def new_normaliser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Switches to a 'better' normaliser: a new revision that writes a different summary."""
    real = pipeline.normalise_record

    def improved(source_id: str, local_id: str, mapped: Any, **kwargs: Any) -> Any:
        better = {**mapped, "summary": f"{mapped.get('summary')} (0 bis 12 Monate)"}
        return real(source_id, local_id, better, **kwargs)

    def switch() -> None:
        monkeypatch.setattr(payloads, "NORMALISER_REVISION", "test-improved")
        monkeypatch.setattr(pipeline, "normalise_record", improved)
        payloads.normaliser_version.cache_clear()

    yield switch
    monkeypatch.undo()
    payloads.normaliser_version.cache_clear()


def offers_of(engine: SearchEngine, source_id: str) -> dict[str, dict[str, Any]]:
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    body = {"size": 100, "query": {"term": {"source_id": source_id}}}
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    return {hit["_source"]["local_id"]: hit["_source"] for hit in hits}


def drop_offer_only(engine: SearchEngine, doc_id: str) -> None:
    """Remove an offer behind the writer's back, its payload stays (as in an emptied index);
    at its own version, so writing that version again is allowed."""
    path = f"/{engine.name(OFFERS)}/_doc/{doc_id}"
    version = engine.request("GET", path)["_version"]
    params = {"version": version, "version_type": "external_gte", "refresh": "true"}
    engine.request("DELETE", path, params=params)


def kept(engine: SearchEngine, source_id: str) -> dict[str, Any]:
    store = RawStore(engine)
    store.refresh()
    return {entry.local_id: entry for entry in store.scan(source_id)}


def test_payloads_are_kept_content_addressed_and_deleted_with_their_offers(
    settings: Settings, engine: SearchEngine, feed_server: FeedServer
) -> None:
    records = [offer(f"r{i}") for i in range(10)]
    source_id = register(engine, feed_server.route("/soest.json", feed(records)))
    runner = SyncRunner(settings, engine)
    runner.run(source_id)

    entries = kept(engine, source_id)
    assert set(entries) == {f"r{i}" for i in range(10)}
    first = entries["r0"]
    assert (first.id, first.kind, first.payload) == (f"{source_id}:r0", "push", records[0])
    assert (first.updated_at, first.source_url) == (
        "2026-10-01T10:00:00+02:00",
        feed_server.url("/soest.json"),  # a common-schema feed's records point at the feed
    )
    content = {
        "payload": records[0],
        "updated_at": first.updated_at,
        "source_url": first.source_url,
        "local_id": "r0",
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert first.raw_hash == hashlib.sha256(canonical.encode()).hexdigest()

    feed_server.route("/soest.json", feed(records[1:]))  # r0 is gone from the source
    run = runner.run(source_id, SyncOptions(full=True))
    assert run.counts.deleted == 1
    deletion = {"local_id": "r1"}
    apply_pushed_event(settings, source_id, "offer.deleted", deletion, "wh-1", engine=engine)

    assert set(offers_of(engine, source_id)) == {f"r{i}" for i in range(2, 10)}
    assert set(kept(engine, source_id)) == {f"r{i}" for i in range(2, 10)}


def test_unchanged_resync_skips_normalisation_but_sees_every_record(
    settings: Settings, engine: SearchEngine, feed_server: FeedServer, normalised: list[str]
) -> None:
    records = [offer(f"r{i}") for i in range(10)]
    source_id = register(engine, feed_server.route("/soest.json", feed(records)))
    runner = SyncRunner(settings.model_copy(update={"sync_batch_size": 3}), engine)  # 4 batches
    runner.run(source_id)
    assert len(normalised) == 10

    normalised.clear()
    changed = [*records[:9], {**records[9], "title": "Elterncafé am Markt"}]
    feed_server.route("/soest.json", feed(changed))
    run = runner.run(source_id, SyncOptions(full=True))

    assert normalised == ["r9"]  # only the changed payload went through the normaliser
    assert (run.counts.seen, run.counts.unchanged, run.counts.updated) == (10, 9, 1)
    assert run.counts.deleted == 0  # skipped records were seen: nothing is deleted
    assert len(offers_of(engine, source_id)) == 10
    assert offers_of(engine, source_id)["r9"]["title"] == "Elterncafé am Markt"


def test_the_skip_survives_a_redis_that_lost_everything(
    settings: Settings, engine: SearchEngine, feed_server: FeedServer, normalised: list[str]
) -> None:
    source_id = register(engine, feed_server.route("/soest.json", feed([offer("a"), offer("b")])))
    SyncRunner(settings, engine).run(source_id)
    normalised.clear()
    db = int(settings.redis_url.rsplit("/", 1)[1])
    empty_redis = settings.redis_url.rsplit("/", 1)[0] + f"/{(db + 1) % 16}"  # none of our keys

    run = SyncRunner(settings.model_copy(update={"redis_url": empty_redis}), engine).run(source_id)

    assert (normalised, run.counts.unchanged) == ([], 2)


def test_a_kept_payload_whose_offer_is_gone_is_normalised_again(
    settings: Settings, engine: SearchEngine, feed_server: FeedServer, normalised: list[str]
) -> None:
    source_id = register(engine, feed_server.route("/soest.json", feed([offer("a"), offer("b")])))
    runner = SyncRunner(settings, engine)
    runner.run(source_id)
    drop_offer_only(engine, f"{source_id}:a")
    normalised.clear()

    run = runner.run(source_id)

    assert (normalised, run.counts.created, run.counts.unchanged) == (["a"], 1, 1)
    assert set(offers_of(engine, source_id)) == {"a", "b"}


def test_a_new_normaliser_re_normalises_kept_payloads_without_fetching(
    settings: Settings,
    engine: SearchEngine,
    new_normaliser: Callable[[], None],
    normalised: list[str],
) -> None:
    with FeedServer() as server:
        source_id = register(engine, server.route("/soest.json", feed([offer("a"), offer("b")])))
        SyncRunner(settings, engine).run(source_id)
        requests = len(server.requests)
    normalised.clear()
    new_normaliser()

    result = Renormaliser(settings, engine).run(source_id)

    assert len(server.requests) == requests  # the feed server (now stopped) was never asked
    assert sorted(normalised) == ["a", "b"]
    assert (result.counts.updated, result.normalised) == (2, 2)
    summaries = {key: doc["summary"] for key, doc in offers_of(engine, source_id).items()}
    assert summaries == {k: "Offener Treff für Eltern mit Babys (0 bis 12 Monate)" for k in "ab"}
    assert {e.normaliser for e in kept(engine, source_id).values()} == {payloads.normaliser_state()}
    normalised.clear()
    again = Renormaliser(settings, engine).run(source_id)
    assert (normalised, again.counts.unchanged) == ([], 2)  # already normalised as now


def test_renormalising_never_brings_back_an_offer_deleted_meanwhile(
    settings: Settings, engine: SearchEngine, feed_server: FeedServer
) -> None:
    source_id = register(engine, feed_server.route("/soest.json", feed([offer("a"), offer("b")])))
    SyncRunner(settings, engine).run(source_id)
    drop_offer_only(engine, f"{source_id}:a")

    result = Renormaliser(settings, engine).run(source_id, force=True)

    assert (result.dropped, result.normalised) == (1, 1)
    assert set(offers_of(engine, source_id)) == {"b"}
    assert set(kept(engine, source_id)) == {"b"}


def test_a_dry_run_keeps_no_payload_and_normalises_every_record(
    settings: Settings, engine: SearchEngine, feed_server: FeedServer, normalised: list[str]
) -> None:
    url = feed_server.route("/check.json", feed([offer("a"), offer("b")]))
    source_id = f"check-{uuid.uuid4().hex[:8]}"
    for _ in range(2):
        assert len(dry_run(settings, "push", {"url": url}, source_id=source_id).offers) == 2

    assert normalised == ["a", "b", "a", "b"]
    assert kept(engine, source_id) == {}


def test_renormalising_in_two_processes_reaches_every_source_once(
    settings: Settings, feed_server: FeedServer
) -> None:
    """`--jobs 2` shares the sources out to spawned processes; every payload of every source
    is normalised once and the counts add up as in one process."""
    own = settings.model_copy(
        update={"index_prefix": f"{settings.index_prefix}renorm-{uuid.uuid4().hex[:6]}-"}
    )
    engine = SearchEngine(own)
    ensure_indices(engine)
    try:
        source_ids = []
        for n in range(3):
            records = [{**offer(f"{n}-{k}"), "topics": [], "categories": ["Nachmittag"]}
                       for k in range(4)]  # fmt: skip
            source_ids.append(register(engine, feed_server.route(f"/jobs{n}.json", feed(records))))
        runner = SyncRunner(own, engine)
        for source_id in source_ids:
            runner.run(source_id)
        registry = SourceRegistry(engine)
        overrides = {"Nachmittag": "hebammen"}  # names no topic until now
        for source_id in source_ids:
            registry.update(source_id, lambda s: s.config.update(topic_overrides=overrides))
        advanced: list[int] = []

        result = Renormaliser(own, engine).run(force=True, jobs=2, advance=advanced.append)

        assert (result.sources, result.counts.seen, result.counts.updated) == (3, 12, 12)
        assert sorted(advanced) == [4, 4, 4]
        assert result.processes and os.getpid() not in result.processes  # spawned ones did it
        for source_id in source_ids:
            topics = {key: doc["topics"] for key, doc in offers_of(engine, source_id).items()}
            assert len(topics) == 4 and all("hebammen" in t for t in topics.values()), topics
    finally:
        drop_prefixed(engine)
        engine.close()
