"""Relevance is measured: the judged dev queries scored by the engine's `_rank_eval` (nDCG@10).

The corpus goes through the real pipeline (normalise → search document → fresh index under the
session prefix), the queries through the same builder and spelling step as the API.
"""

from __future__ import annotations

import pytest

from hub.core.settings import Settings
from hub.dev.relevance import evaluate, load_queries
from hub.search.engine import SearchEngine
from tests.support.paths import RELEVANCE_CORPUS, RELEVANCE_QUERIES

pytestmark = pytest.mark.services

# The figure reached on the dev set (0.937, docs/search.md) less a margin of 0.02 for engine
# version noise: a change that costs relevance fails here instead of passing under 0.85.
TARGET = 0.917


def test_dev_queries_keep_the_ndcg_at_10_reached(settings: Settings) -> None:
    engine = SearchEngine(settings)
    try:
        report = evaluate(engine, RELEVANCE_QUERIES, RELEVANCE_CORPUS)
    finally:
        engine.close()
    assert not report.rejections, report.rejections[:3]
    assert len(report.per_query) == len(load_queries(RELEVANCE_QUERIES)) == 40
    assert report.ndcg >= TARGET, f"nDCG@10 {report.ndcg:.3f}; worst: {report.worst()}"
    assert not engine.exists(f"/{report.index}")


def test_judged_filters_become_hard_filters_of_the_request() -> None:
    from hub.dev.relevance import JudgedQuery, request_for

    judged = JudgedQuery(
        id="x",
        query="spielgruppe",
        filters={"age_months": 24, "municipality_ags": "05711000", "language": "tr",
                 "topic": "begegnung", "near": {"lat": 51.0, "lon": 7.5, "km": 20}},
        ratings=(("bielefeld-0033", 3),),
    )  # fmt: skip
    request = request_for(judged)
    assert request.municipality == ["05711000"] and request.age_months == 24
    assert request.languages == ["tr"] and request.topics == ["begegnung"]
    assert request.near is not None and request.near.km == 20


def test_offer_ids_map_back_to_the_judged_local_ids() -> None:
    from hub.dev.relevance import source_id_of

    assert source_id_of("essen-0013") == "essen"
    assert source_id_of("maerkischer-kreis-0030") == "maerkischer-kreis"
