"""Measured extraction: pages reduced to prose, run through the real pipeline, scored per field.

The dev set is the relevance corpus (`tests/data/relevance/corpus.jsonl`): every offer keeps
only what a CMS page holds (title, summary, description, its free-text categories as
`categories`, plus the page's URL and modification time, which every page has) and goes through
`normalise_record` with its `source_municipality_ags` as the source's area and no geocoder,
exactly as a WordPress post would. The offer that comes out is scored against the corpus's own
structured fields (`hub.dev.extraction_scoring` defines precision, recall and F1).

The set is split by municipality so that no town's writing style is in both halves:
*validation* = municipalities whose `int(sha256(ags).hexdigest(), 16) % 2 == 1`, *tuning* =
the rest. Rules are tuned on the tuning half only; the validation half is the headline.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.core.schema import Rejection
from hub.dev.extraction_scoring import (
    NO_CLAIMS,
    ROW_ORDER,
    Scores,
    gold_facts,
    offer_facts,
    score_pair,
)
from hub.ingest.normalise import normalise_record

PAGE_FIELDS = ("title", "summary", "description", "url", "updated_at")
"""What a CMS page holds besides its categories; every structured fact is left out."""
HALVES = ("validation", "tuning")


@dataclass
class HalfReport:
    """Scores of one half, with its municipalities and the records the pipeline rejected."""

    name: str
    scores: Scores = field(default_factory=Scores)
    municipalities: set[str] = field(default_factory=set)
    rejections: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.scores.records,
            "municipalities": sorted(self.municipalities),
            "rejected": [{"local_id": r.local_id, "code": r.code} for r in self.rejections],
            "fields": {
                name: self.scores.fields[name].as_dict()
                for name in ROW_ORDER
                if name in self.scores.fields
            },
        }


def half_of(ags: str) -> str:
    """`validation` or `tuning`, by the municipality's AGS (stable across machines and runs)."""
    return "validation" if int(hashlib.sha256(ags.encode()).hexdigest(), 16) % 2 == 1 else "tuning"


def load_corpus(path: Path) -> Iterator[dict[str, Any]]:
    """The corpus records, one JSON object per line."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def as_page(record: dict[str, Any]) -> dict[str, Any]:
    """The record as a CMS page holds it: prose, categories, URL, modification time."""
    page = {name: record[name] for name in PAGE_FIELDS if name in record}
    page["categories"] = list(record.get("categories_free_text") or [])
    return page


def source_id_of(local_id: str) -> str:
    """The feed a corpus record came from: `essen-0013` → `essen`."""
    return local_id.rsplit("-", 1)[0]


def evaluate_records(records: Iterable[dict[str, Any]]) -> dict[str, HalfReport]:
    """Both halves' reports over corpus-shaped records."""
    reports = {name: HalfReport(name) for name in HALVES}
    for record in records:
        ags = str(record["source_municipality_ags"])
        report = reports[half_of(ags)]
        report.municipalities.add(ags)
        result = normalise_record(
            source_id_of(record["local_id"]), record["local_id"], as_page(record), source_ags=[ags]
        )
        if result.rejection is not None:
            report.rejections.append(result.rejection)
        predicted = offer_facts(result.offer) if result.offer else NO_CLAIMS
        score_pair(report.scores, gold_facts(record), predicted)
    return reports


def evaluate_corpus(path: Path) -> dict[str, HalfReport]:
    """Both halves' reports over the corpus file at `path`."""
    return evaluate_records(load_corpus(path))
