"""The engine contract: what the hub needs from Elasticsearch/OpenSearch, through the adapter.

Runs against whatever engine `HUB_SEARCH_URL` names (CI: the local OpenSearch node), so a
deployment on Elasticsearch runs the very same suite (see README).
"""

from __future__ import annotations

import uuid

import pytest

from hub.core.errors import ConflictError, EngineRequestError, NotFound
from hub.core.settings import Settings
from hub.search.engine import SearchEngine, detect_flavour
from hub.search.indices import (
    OFFERS,
    alias_targets,
    create_offer_index,
    offer_status,
    swap_alias,
)


@pytest.fixture
def scratch(engine: SearchEngine) -> str:
    name = engine.name(f"contract-{uuid.uuid4().hex[:8]}")
    engine.request("PUT", f"/{name}", {"settings": {"number_of_replicas": 0}})
    yield name
    engine.request("DELETE", f"/{name}")


def test_flavour_is_detected_from_the_root_endpoint(
    engine: SearchEngine, settings: Settings
) -> None:
    info = engine.info()
    assert detect_flavour(settings) == info.flavour
    assert int(info.version.split(".")[0]) >= 2


def test_offer_index_is_created_from_mappings_behind_the_alias(engine: SearchEngine) -> None:
    status = offer_status(engine)
    assert status.alias == engine.name(OFFERS)
    assert len(status.indices) == 1
    mapping = engine.request("GET", f"/{status.indices[0]}/_mapping")
    properties = mapping[status.indices[0]]["mappings"]["properties"]
    assert properties["geo"]["type"] == "geo_point"
    assert properties["title"]["analyzer"] == "german_index"


def test_alias_swap_is_atomic_and_points_at_exactly_one_index(engine: SearchEngine) -> None:
    before = alias_targets(engine)
    new = create_offer_index(engine, point_alias=False)
    try:
        assert alias_targets(engine) == before
        left = swap_alias(engine, new)
        assert alias_targets(engine) == [new]
        assert left == before
    finally:
        swap_alias(engine, before[0])
        engine.request("DELETE", f"/{new}")
    assert alias_targets(engine) == before


def test_external_versions_refuse_older_writes(engine: SearchEngine, scratch: str) -> None:
    engine.request(
        "PUT",
        f"/{scratch}/_doc/a",
        {"v": 2},
        params={"version": 2000, "version_type": "external_gte"},
    )
    with pytest.raises(ConflictError):
        engine.request(
            "PUT",
            f"/{scratch}/_doc/a",
            {"v": 1},
            params={"version": 1000, "version_type": "external_gte"},
        )
    engine.request(
        "PUT",
        f"/{scratch}/_doc/a",
        {"v": 3},
        params={"version": 2000, "version_type": "external_gte"},
    )
    assert engine.request("GET", f"/{scratch}/_doc/a")["_source"] == {"v": 3}


def test_streaming_bulk_reports_each_item(engine: SearchEngine, scratch: str) -> None:
    actions = [
        {"_op_type": "index", "_index": scratch, "_id": str(i), "_source": {"n": i}}
        for i in range(120)
    ]
    actions.append(
        {
            "_op_type": "index",
            "_index": scratch,
            "_id": "5",
            "version": 1,
            "version_type": "external",
            "_source": {"n": -1},
        }
    )
    results = list(engine.streaming_bulk(actions, chunk_size=50))
    failed = [item["index"] for ok, item in results if not ok]
    assert sum(ok for ok, _ in results) == 120
    assert [(f["_id"], f["status"]) for f in failed] == [("5", 409)]  # reported, not raised
    engine.request("POST", f"/{scratch}/_refresh")
    assert engine.request("GET", f"/{scratch}/_count")["count"] == 120


def test_optimistic_concurrency_with_seq_no(engine: SearchEngine, scratch: str) -> None:
    first = engine.request("PUT", f"/{scratch}/_doc/s", {"state": "a"})
    params = {"if_seq_no": first["_seq_no"], "if_primary_term": first["_primary_term"]}
    engine.request("PUT", f"/{scratch}/_doc/s", {"state": "b"}, params=params)
    with pytest.raises(ConflictError):
        engine.request("PUT", f"/{scratch}/_doc/s", {"state": "c"}, params=params)


def test_errors_map_into_the_hub_tree(engine: SearchEngine, scratch: str) -> None:
    with pytest.raises(NotFound):
        engine.request("GET", f"/{scratch}/_doc/missing")
    with pytest.raises(EngineRequestError):
        engine.request("POST", f"/{scratch}/_search", {"query": {"no_such_query": {}}})
    assert engine.exists(f"/{scratch}") is True
    assert engine.exists(f"/{scratch}-absent") is False


def test_rank_eval_api_is_available(engine: SearchEngine, scratch: str) -> None:
    engine.request("PUT", f"/{scratch}/_doc/1", {"t": "hebamme"}, params={"refresh": "true"})
    body = {
        "requests": [
            {
                "id": "q",
                "request": {"query": {"match": {"t": "hebamme"}}},
                "ratings": [{"_index": scratch, "_id": "1", "rating": 3}],
            }
        ],
        "metric": {"dcg": {"k": 10, "normalize": True}},
    }
    result = engine.request("POST", f"/{scratch}/_rank_eval", body)
    assert result["metric_score"] == pytest.approx(1.0)


def test_documents_round_trip_with_dates_umlauts_and_numeric_keys(
    engine: SearchEngine, scratch: str
) -> None:
    import datetime as dt
    from decimal import Decimal

    doc = {
        "title": "Eltern-Kind-Gruppe „Zwergenstübchen“",
        "day": dt.date(2026, 3, 1),
        "at": dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
        "fee": Decimal("2.50"),
        "by_month": {6: "sechs"},
    }
    engine.request("PUT", f"/{scratch}/_doc/a", doc, params={"refresh": "true"})
    found = engine.request("GET", f"/{scratch}/_doc/a")["_source"]
    assert found == {
        "title": doc["title"],
        "day": "2026-03-01",
        "at": "2026-03-01T09:30:00+00:00",
        "fee": 2.5,
        "by_month": {"6": "sechs"},
    }


def test_msearch_answers_in_order_and_raises_for_a_failed_search(
    engine: SearchEngine, scratch: str
) -> None:
    for doc_id, word in (("a", "hebamme"), ("b", "krabbelgruppe")):
        engine.request("PUT", f"/{scratch}/_doc/{doc_id}", {"word": word})
    engine.request("POST", f"/{scratch}/_refresh")
    bodies = [{"query": {"match": {"word": w}}} for w in ("krabbelgruppe", "hebamme", "nichts")]
    answers = engine.msearch(scratch, bodies)
    assert [[h["_id"] for h in a["hits"]["hits"]] for a in answers] == [["b"], ["a"], []]
    assert engine.msearch(scratch, []) == []
    with pytest.raises(EngineRequestError):
        engine.msearch(scratch, [bodies[0], {"query": {"no_such_query": {}}}])
