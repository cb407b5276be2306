"""The judged query files keep the rules of tests/data/relevance/README.md, checked without an
engine: a broken judgement would otherwise only show up as a silently wrong nDCG figure."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import (
    RELEVANCE_CORPUS,
    RELEVANCE_HELDOUT,
    RELEVANCE_HELDOUT2,
    RELEVANCE_QUERIES,
    RELEVANCE_TUNE2,
)

FILES = {
    "dev": RELEVANCE_QUERIES,
    "heldout": RELEVANCE_HELDOUT,
    "heldout2": RELEVANCE_HELDOUT2,
    "tune2": RELEVANCE_TUNE2,
}
PREFIXES = {"dev": "dev-", "heldout": "ho-", "heldout2": "h2-", "tune2": "t2-"}
FILTER_KINDS = {"municipality_ags", "age_months", "topic", "language", "near"}
SPLITS = {"tune", "report"}
AGS = re.compile(r"^05\d{6}$")


@cache
def corpus() -> dict[str, dict[str, Any]]:
    with RELEVANCE_CORPUS.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return {record["local_id"]: record for record in records}


@cache
def queries(path: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def passes(offer: dict[str, Any], filters: dict[str, Any]) -> bool:
    """The README's hard-filter semantics, written out independently of the hub."""
    locations = offer["locations"]
    if "municipality_ags" in filters:
        ags = filters["municipality_ags"]
        online_here = offer["online"] and offer["source_municipality_ags"] == ags
        if not (online_here or any(loc["ags"] == ags for loc in locations)):
            return False
    if "age_months" in filters:
        age, low, high = filters["age_months"], offer["age_min_months"], offer["age_max_months"]
        if low is None and high is None and offer["pregnancy"]:
            return False
        if (low is not None and age < low) or (high is not None and age > high):
            return False
    if "topic" in filters and filters["topic"] not in offer["topics"]:
        return False
    if "language" in filters and filters["language"] not in offer["languages"]:
        return False
    if "near" in filters:
        near = filters["near"]
        if not any(
            km(near["lat"], near["lon"], loc["lat"], loc["lon"]) <= near["km"] for loc in locations
        ):
            return False
    return True


@pytest.mark.parametrize("name", FILES)
def test_ids_are_unique_and_carry_the_file_prefix(name: str) -> None:
    ids = [q["id"] for q in queries(FILES[name])]
    assert len(ids) == len(set(ids))
    prefix = PREFIXES[name]
    assert all(i.startswith(prefix) for i in ids), [i for i in ids if not i.startswith(prefix)]


def test_no_query_id_or_text_is_shared_between_the_files() -> None:
    ids = [q["id"] for path in FILES.values() for q in queries(path)]
    texts = [q["query"] for path in FILES.values() for q in queries(path)]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert len(texts) == len(set(texts)), [t for t, n in Counter(texts).items() if n > 1]


@pytest.mark.parametrize("name", FILES)
def test_every_rating_names_a_corpus_offer_once_with_a_grade_of_1_to_3(name: str) -> None:
    for query in queries(FILES[name]):
        rated = [r["local_id"] for r in query["ratings"]]
        assert len(rated) == len(set(rated)), query["id"]
        assert set(rated) <= corpus().keys(), (query["id"], set(rated) - corpus().keys())
        assert {r["rating"] for r in query["ratings"]} <= {1, 2, 3}, query["id"]


@pytest.mark.parametrize("name", FILES)
def test_every_query_has_an_offer_graded_at_least_2(name: str) -> None:
    weak = [q["id"] for q in queries(FILES[name]) if max(r["rating"] for r in q["ratings"]) < 2]
    assert not weak


@pytest.mark.parametrize("name", FILES)
def test_filters_are_of_the_known_kinds_and_shapes(name: str) -> None:
    for query in queries(FILES[name]):
        filters = query.get("filters") or {}
        assert set(filters) <= FILTER_KINDS, (query["id"], set(filters) - FILTER_KINDS)
        if "municipality_ags" in filters:
            assert AGS.match(filters["municipality_ags"]), query["id"]
        if "age_months" in filters:
            assert isinstance(filters["age_months"], int) and filters["age_months"] >= 0
        if "near" in filters:
            assert set(filters["near"]) == {"lat", "lon", "km"}, query["id"]
            assert 50.3 <= filters["near"]["lat"] <= 52.6 and 5.8 <= filters["near"]["lon"] <= 9.5


@pytest.mark.parametrize("name", FILES)
def test_rated_offers_pass_the_query_filters(name: str) -> None:
    """Filters are hard constraints: an offer failing one counts as 0 and is not listed."""
    for query in queries(FILES[name]):
        filters = query.get("filters") or {}
        rated = [r["local_id"] for r in query["ratings"]]
        failing = [local_id for local_id in rated if not passes(corpus()[local_id], filters)]
        assert not failing, (query["id"], failing)


def test_held_out_queries_carry_a_category_and_a_split_in_halves() -> None:
    heldout = queries(RELEVANCE_HELDOUT)
    assert len(heldout) >= 96
    assert all(q.get("category") for q in heldout)
    assert {q.get("split") for q in heldout} <= SPLITS
    halves = Counter(q["split"] for q in heldout)
    assert abs(halves["tune"] - halves["report"]) <= 2, halves
    per_category = Counter((q["category"], q["split"]) for q in heldout)
    for category in {q["category"] for q in heldout}:
        tune, report = per_category[(category, "tune")], per_category[(category, "report")]
        assert abs(tune - report) <= 1, (category, tune, report)


def test_second_held_out_set_is_a_report_only_set_over_the_same_categories() -> None:
    """Written after the search was tuned and never used for tuning: every query is `report`."""
    second, first = queries(RELEVANCE_HELDOUT2), queries(RELEVANCE_HELDOUT)
    assert len(second) == 48
    assert {q.get("split") for q in second} == {"report"}
    per_category = Counter(q.get("category") for q in second)
    assert set(per_category) == {q["category"] for q in first}
    assert set(per_category.values()) == {4}, per_category


def test_second_tuning_set_is_a_tune_only_set_of_eight_queries_per_category() -> None:
    """Written to tune against, so that the report sets stay untouched: every query is `tune`."""
    tune2, first = queries(RELEVANCE_TUNE2), queries(RELEVANCE_HELDOUT)
    assert len(tune2) == 96
    assert {q.get("split") for q in tune2} == {"tune"}
    per_category = Counter(q.get("category") for q in tune2)
    assert set(per_category) == {q["category"] for q in first}
    assert set(per_category.values()) == {8}, per_category
