"""`hub index reindex --renormalise` as an operator runs it: a real `hub` process, the feed gone."""

from __future__ import annotations

import json
import uuid

import redis

from hub.core.settings import Settings
from hub.ingest.locks import reindex_flag
from hub.search.engine import SearchEngine
from hub.search.runner import get_offer
from hub.sources.store import SourceInput, SourceRegistry
from tests.hub.cli.test_run import run_hub
from tests.support.feeds import FeedServer, Route


def cms_feed(*local_ids: str) -> Route:
    offers = [
        {"local_id": local_id, "title": "Treffen am Nachmittag", "categories": ["Nachmittag"],
         "url": f"https://www.lippstadt.de/{local_id}", "updated_at": "2026-11-03T09:00:00+01:00",
         "locations": [{"city": "Lippstadt", "postcode": "59555"}]}
        for local_id in local_ids
    ]  # fmt: skip
    return Route(json.dumps({"offers": offers}))


def test_renormalise_applies_a_changed_mapping_to_kept_payloads_with_the_feed_stopped(
    engine: SearchEngine,
) -> None:
    source_id = f"cli-{uuid.uuid4().hex[:8]}"
    registry = SourceRegistry(engine)
    with FeedServer() as server:
        url = server.route(f"/{source_id}.json", cms_feed("a", "b", "c"))
        registry.create(SourceInput(id=source_id, ags=["05974028"], kind="push", url=url))
        assert run_hub("sync", source_id).returncode == 0
        requests = len(server.requests)
    assert not get_offer(engine, f"{source_id}:a").get("topics")  # "Nachmittag" names no topic
    overrides = {"Nachmittag": "hebammen"}
    registry.update(source_id, lambda s: s.config.update(topic_overrides=overrides))

    done = run_hub("index", "reindex", "--renormalise", "--source", source_id)

    assert done.returncode == 0, done.stderr
    assert "re-normalising" in done.stdout and "3/3" in done.stdout  # the progress bar
    assert "re-normalised 3 of 3 kept payloads of 1 sources: updated 3" in done.stdout
    assert len(server.requests) == requests  # nothing was fetched
    assert {get_offer(engine, f"{source_id}:{k}")["topics"][0] for k in "abc"} == {"hebammen"}


def test_renormalise_refuses_while_a_reindex_copies_the_offer_index(
    settings: Settings, engine: SearchEngine
) -> None:
    client = redis.Redis.from_url(settings.redis_url)
    client.set(reindex_flag(settings), "someone", ex=60)
    try:
        done = run_hub("index", "reindex", "--renormalise")
    finally:
        client.delete(reindex_flag(settings))

    assert done.returncode != 0
    assert "Neuindizierung" in done.stderr
