"""The duplicate detection measured on the labelled pairs, and its keys and groups.

The threshold in `hub.search.duplicates` must be the one the tune half of
`tests/data/duplicates/pairs.jsonl` selects, and hold on the untouched test half; the table in
docs/search.md ("Duplicates") must be the one these pairs give.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from hub.dev.duplicates import ScoredPair, best_threshold, quality, scored_pairs, table
from hub.dev.relevance import group_ratings
from hub.search.duplicates import (
    DUPLICATE_THRESHOLD,
    blocking_keys,
    duplicate_groups,
    similarity,
)
from tests.support.paths import ROOT

PAIRS = ROOT / "tests" / "data" / "duplicates" / "pairs.jsonl"
CORPUS = ROOT / "tests" / "data" / "relevance" / "corpus.jsonl"
# the near-duplicates the relevance corpus README lists (section "Near-duplicates")
CORPUS_FEEDS = {
    frozenset({"maerkischer-kreis", "balve"}),
    frozenset({"maerkischer-kreis", "herscheid"}),
    frozenset({"maerkischer-kreis", "neuenrade"}),
    frozenset({"kreis-steinfurt", "steinfurt"}),
    frozenset({"rhein-sieg-kreis", "siegburg"}),
    frozenset({"gummersbach", "wiehl"}),
    frozenset({"essen"}),
}


@cache
def pairs() -> tuple[ScoredPair, ...]:
    return tuple(scored_pairs(PAIRS, CORPUS))


def _raw_pairs() -> list[dict[str, Any]]:
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line]


def test_the_labelled_set_is_large_balanced_and_holds_the_corpus_pairs() -> None:
    raw = _raw_pairs()
    assert len(raw) >= 40 and len({p["id"] for p in raw}) == len(raw)
    for half in ("tune", "test"):
        labels = [p["label"] for p in raw if p["half"] == half]
        assert labels.count(1) >= 8 and labels.count(0) >= 8, half
    corpus_true = [p for p in raw if p["label"] == 1 and "as" not in p["a"] and "as" not in p["b"]]
    feeds = {
        frozenset(side["ref"].rsplit("-", 1)[0] for side in (p["a"], p["b"])) for p in corpus_true
    }
    assert feeds == CORPUS_FEEDS


def test_the_threshold_is_the_one_the_tune_half_selects() -> None:
    tune = [p for p in pairs() if p.half == "tune"]
    assert best_threshold(tune) == DUPLICATE_THRESHOLD


def test_the_threshold_holds_on_the_untouched_half() -> None:
    test = [p for p in pairs() if p.half == "test"]
    measured = quality(test, DUPLICATE_THRESHOLD)
    assert measured.precision >= 0.9 and measured.recall >= 0.9, measured


def test_docs_show_the_table_these_pairs_give() -> None:
    docs = (ROOT / "docs" / "search.md").read_text(encoding="utf-8")
    assert table(list(pairs())) in docs
    assert f"`DUPLICATE_THRESHOLD` = {DUPLICATE_THRESHOLD:.2f}" in docs


def _doc(doc_id: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": doc_id,
        "source_id": doc_id.split(":")[0],
        "title": "Babymassage-Kurs",
        "summary": "Eltern lernen Massagegriffe für ihr Baby.",
        "provider": {"name": "Haus der Familie"},
        "kind": "kurs",
        "topics": ["entwicklung_foerderung"],
        "locations": [{"street": "Brückenstraße 85", "postcode": "58553"}],
        "dates": [{"start": "2026-02-23T10:30:00+01:00"}],
        "area_ags": ["05962012"],
    }
    return base | fields


def test_street_spellings_and_session_lists_share_a_key() -> None:
    short = _doc("a:1", locations=[{"street": "Brückenstr. 85", "postcode": "58553"}])
    first_only = _doc("b:1", dates=[{"start": "2026-02-23T10:30:00+01:00"}])
    all_sessions = _doc(
        "c:1",
        dates=[{"start": "2026-03-02T10:30:00+01:00"}, {"start": "2026-02-23T10:30:00+01:00"}],
    )
    assert blocking_keys(short) == blocking_keys(first_only) == blocking_keys(all_sessions)
    assert blocking_keys(short) == ["addr:58553:bruckenstrasse85|20260223T0930"]


def test_dates_drawn_from_a_weekly_rhythm_key_by_the_rhythm() -> None:
    monday = {"start": "2026-02-23T10:30:00+01:00"}
    later_monday = {"start": "2026-03-09T10:30:00+01:00"}
    a = _doc("a:1", dates=[monday], extracted=["dates"])
    b = _doc("b:1", dates=[later_monday], extracted=["dates"])
    assert blocking_keys(a) == blocking_keys(b)  # normalised on other days, same rhythm
    assert blocking_keys(_doc("a:1", dates=[monday])) != blocking_keys(
        _doc("b:1", dates=[later_monday])
    )  # dates the source gave: another course of the series


def test_online_offers_meet_by_provider_and_unplaced_ones_never() -> None:
    online = _doc("a:1", locations=[], online=True)
    assert blocking_keys(online) == ["online:hausderfamilie|20260223T0930"]
    assert blocking_keys(_doc("a:1", locations=[])) == []
    assert similarity(_doc("a:1", locations=[]), _doc("b:1", locations=[])) == 0


def test_groups_are_deterministic_and_the_most_local_publisher_is_canonical() -> None:
    district = _doc("kreis:7", area_ags=["05962004", "05962008", "05962012"])
    town = _doc("halver:3", title="Babymassage in Halver")
    other = _doc("halver:4", title="Erste Hilfe am Kind", kind="veranstaltung", topics=[])
    forward = duplicate_groups([district, town, other])
    assert forward == duplicate_groups([other, town, district])
    assert [g.members for g in forward] == [("halver:3", "kreis:7")]
    assert forward[0].canonical == "halver:3"


def test_ratings_of_a_group_count_once_with_the_best_grade() -> None:
    canonical = {"kreis:7": "halver:3"}
    graded = group_ratings([("halver:3", 1), ("kreis:7", 3), ("essen:1", 2)], canonical)
    assert graded == {"halver:3": 3, "essen:1": 2}
