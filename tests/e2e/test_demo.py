"""The main command: `hub up --demo` brings up the hub, serves the fleet and syncs every feed.

About a third of the fleet publishes prose (WordPress posts, RSS items: title, text and
categories only). Their offers must be indexed like the structured ones and found by the place
filter of the municipality they are in, which only the text names.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from typing import Any

from hub.core.schema import offer_id
from hub.core.settings import Settings
from hub.dev.demo.fleet import DemoFeed, demo_feeds, push_record
from hub.dev.processes import settings_env
from hub.ingest.normalise.record import normalise_record
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import OFFERS, drop_prefixed, ensure_indices
from hub.search.request import SearchRequest
from hub.search.runner import iter_offers, prepare_search
from hub.search.writer import OfferWriter
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.stack import free_port

PUBLISHED_ANEW = "altena"
"""A prose feed that an earlier demo (before the fleet had prose) registered as JSON."""


def test_hub_up_demo_syncs_the_whole_fleet_and_stops_what_it_started(
    engine: object, settings: Settings
) -> None:
    demo = settings.model_copy(
        update={"index_prefix": settings.index_prefix + "demo-", "api_port": free_port()}
    )
    env = settings_env(demo, HUB_FETCH_ALLOW_HOSTS="[]", HUB_LOG_JSON="false")
    env["HUB_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{demo.api_port}"
    hub = os.path.join(os.path.dirname(sys.executable), "hub")
    try:
        earlier = an_earlier_demo_of(get_engine(demo), PUBLISHED_ANEW)
        done = subprocess.run(
            [hub, "up", "--demo", "--no-wait", "--demo-port", str(free_port())],
            env=env,
            capture_output=True,
            text=True,
            timeout=400,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "Familienhub NRW is up" in done.stdout
        assert "stopped everything this command started" in done.stdout

        eng = get_engine(demo)
        sources = SourceRegistry(eng).list()
        assert {s.id for s in sources} == {f.source_id for f in demo_feeds()}
        assert all(s.last_success_at is not None for s in sources)
        kinds = {s.id: s.kind for s in sources}
        assert kinds == {f.source_id: f.kind for f in demo_feeds()}
        assert not _exists(eng, earlier)  # its old offer went when it turned to prose
        count = eng.request("GET", f"/{eng.name(OFFERS)}/_count")["count"]
        assert count == sum(len(f.records) for f in demo_feeds()) == 400
        assert_prose_offers_found_by_their_place(eng)
    finally:
        drop_prefixed(get_engine(demo))


def an_earlier_demo_of(engine: SearchEngine, source_id: str) -> str:
    """Register `source_id` as a JSON feed with one indexed offer, as an earlier version of the
    demo left it; returns that offer's id."""
    ensure_indices(engine)
    (feed,) = [f for f in demo_feeds() if f.source_id == source_id]
    assert feed.prose
    old = feed.registration("http://127.0.0.1:9") | {"kind": "json_feed"}
    SourceRegistry(engine).create(SourceInput(**old | {"config": {"mapping": "demo-json.yaml"}}))
    record = push_record(feed.records[0])
    result = normalise_record(source_id, record["local_id"], record, source_ags=feed.ags)
    assert result.offer is not None, result.rejection
    writer = OfferWriter(engine)
    writer.write([result.offer])
    writer.refresh()
    assert _exists(engine, result.offer.id)
    return result.offer.id


def _exists(engine: SearchEngine, doc_id: str) -> bool:
    body = {"query": {"ids": {"values": [doc_id]}}}
    return bool(engine.request("POST", f"/{engine.name(OFFERS)}/_count", body)["count"])


def municipality_of(record: dict[str, Any]) -> str:
    """Where a parent looks for the offer: its (first) location's municipality, else the
    municipality that published it (the corpus' own answer, which the prose never states)."""
    located = [loc["ags"] for loc in record["locations"] if loc.get("ags")]
    return located[0] if located else str(record["source_municipality_ags"])


def assert_prose_offers_found_by_their_place(engine: SearchEngine) -> None:
    """Every prose offer is indexed and listed under its municipality's place filter."""
    prose = [(feed, record) for feed in demo_feeds() if feed.prose for record in feed.records]
    expected: dict[str, set[str]] = defaultdict(set)
    for feed, record in prose:
        expected[municipality_of(record)].add(offer_id(feed.source_id, feed.offer_id(record)))
    indexed = _indexed_ids(engine, [feed for feed in demo_feeds() if feed.prose])
    assert indexed == {offer_id(f.source_id, f.offer_id(r)) for f, r in prose}
    for ags, wanted in sorted(expected.items()):
        search = prepare_search(engine, SearchRequest(municipality=[ags]), spelling=False)
        listed = {offer["id"] for offer in iter_offers(engine, search)}
        assert wanted <= listed, (ags, sorted(wanted - listed))


def _indexed_ids(engine: SearchEngine, feeds: list[DemoFeed]) -> set[str]:
    sources = [feed.source_id for feed in feeds]
    body = {"size": 1000, "_source": ["id"], "query": {"terms": {"source_id": sources}}}
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    return {hit["_source"]["id"] for hit in hits}
