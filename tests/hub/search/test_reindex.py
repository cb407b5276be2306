"""Zero-downtime reindex on the real engine: copy, verify, swap, drop; stale detection."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from hub.core.settings import Settings
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import OFFERS, alias_targets, drop_prefixed, ensure_indices
from hub.search.reindex import is_stale, live_definition_hash, reindex


@pytest.fixture
def isolated(engine: SearchEngine, settings: Settings) -> Iterator[SearchEngine]:
    local = settings.model_copy(
        update={"index_prefix": f"{settings.index_prefix}ri{uuid.uuid4().hex[:4]}-"}
    )
    eng = get_engine(local)
    ensure_indices(eng)
    yield eng
    drop_prefixed(eng)


def put_offers(engine: SearchEngine, count: int) -> None:
    alias = engine.name(OFFERS)
    for i in range(count):
        engine.request(
            "PUT",
            f"/{alias}/_doc/s:{i}",
            {"id": f"s:{i}", "source_id": "s", "local_id": str(i), "title": f"Babytreff {i}"},
            params={"version": 1000 + i, "version_type": "external"},
        )
    engine.request("POST", f"/{alias}/_refresh")


def test_reindex_swaps_alias_only_after_count_matches(isolated: SearchEngine) -> None:
    put_offers(isolated, 25)
    (old,) = alias_targets(isolated)
    result = reindex(isolated)
    assert (result.old, result.documents) == (old, 25)
    assert alias_targets(isolated) == [result.new] != [old]
    assert not isolated.exists(f"/{old}")
    doc = isolated.request("GET", f"/{isolated.name(OFFERS)}/_doc/s:7")
    assert doc["_version"] == 1007  # external versions survive the copy
    hits = isolated.request(
        "POST", f"/{isolated.name(OFFERS)}/_search", {"query": {"match": {"title": "babytreff"}}}
    )
    assert hits["hits"]["total"]["value"] == 25


def test_fresh_index_is_not_stale_and_a_foreign_definition_is(isolated: SearchEngine) -> None:
    assert live_definition_hash(isolated) is not None
    assert not is_stale(isolated)
    (live,) = alias_targets(isolated)
    isolated.request("PUT", f"/{live}/_mapping", {"_meta": {"definition_hash": "older"}})
    assert is_stale(isolated)
    reindex(isolated)
    assert not is_stale(isolated)
