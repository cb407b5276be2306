"""Measuring the duplicate detection on labelled pairs (`tests/data/duplicates/pairs.jsonl`).

Each pair names two records: a record of the relevance corpus (`ref`), or such a record with
fields replaced (`set`) under another id (`as`), as a second publisher would write it. Both go
through the hub's normaliser and become engine documents, so the scores are those the index
computes. The threshold is chosen on the `tune` half and reported on the `test` half.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.dev.relevance import corpus_offers, load_corpus
from hub.search.documents import search_document
from hub.search.duplicates import similarity

THRESHOLDS = tuple(round(0.15 + 0.05 * i, 2) for i in range(14))


@dataclass(frozen=True)
class ScoredPair:
    """A labelled pair with the similarity the detection gives it."""

    id: str
    half: str
    label: bool
    score: float
    note: str


@dataclass(frozen=True)
class Quality:
    """Precision and recall of "score ≥ threshold" over some pairs."""

    threshold: float
    precision: float
    recall: float
    true_pos: int
    false_pos: int
    false_neg: int


def _record(side: Mapping[str, Any], corpus: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    record = dict(corpus[side["ref"]])
    if "as" in side:
        record["local_id"] = side["as"]
        record.update(side.get("set", {}))
        if "source_municipality_ags" in side:
            record["source_municipality_ags"] = side["source_municipality_ags"]
    return record


def scored_pairs(pairs_path: Path, corpus_path: Path) -> list[ScoredPair]:
    """Every labelled pair, normalised and scored."""
    corpus = {str(r["local_id"]): r for r in load_corpus(corpus_path)}
    lines = pairs_path.read_text(encoding="utf-8").splitlines()
    pairs = [json.loads(line) for line in lines if line.strip()]
    out = []
    for pair in pairs:
        offers, rejections = corpus_offers([_record(pair["a"], corpus), _record(pair["b"], corpus)])
        if rejections or len(offers) != 2:
            raise ValueError(f"pair {pair['id']}: a record was rejected: {rejections}")
        a, b = (search_document(offer) for offer in offers)
        score = similarity(a, b)
        out.append(ScoredPair(pair["id"], pair["half"], bool(pair["label"]), score, pair["note"]))
    return out


def quality(pairs: Iterable[ScoredPair], threshold: float) -> Quality:
    """Precision/recall of calling every pair scoring ≥ `threshold` a duplicate."""
    listed = list(pairs)
    tp = sum(1 for p in listed if p.label and p.score >= threshold)
    fp = sum(1 for p in listed if not p.label and p.score >= threshold)
    fn = sum(1 for p in listed if p.label and p.score < threshold)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Quality(threshold, precision, recall, tp, fp, fn)


def best_threshold(pairs: Sequence[ScoredPair], thresholds: Sequence[float] = THRESHOLDS) -> float:
    """The threshold with the best F1 (precision first on ties: a wrong merge hides an offer),
    the highest such threshold winning further ties."""

    def key(t: float) -> tuple[float, float, float]:
        q = quality(pairs, t)
        f1 = 2 * q.precision * q.recall / (q.precision + q.recall) if q.precision + q.recall else 0
        return (f1, q.precision, t)

    return max(thresholds, key=key)


def table(pairs: Sequence[ScoredPair], thresholds: Sequence[float] = THRESHOLDS) -> str:
    """Markdown table: precision/recall per threshold on the tune and the test half."""
    tune = [p for p in pairs if p.half == "tune"]
    test = [p for p in pairs if p.half == "test"]
    rows = ["| threshold | tune P | tune R | test P | test R |", "|---|---|---|---|---|"]
    for t in thresholds:
        a, b = quality(tune, t), quality(test, t)
        rows.append(
            f"| {t:.2f} | {a.precision:.2f} | {a.recall:.2f} | {b.precision:.2f} | {b.recall:.2f} |"
        )
    return "\n".join(rows)
