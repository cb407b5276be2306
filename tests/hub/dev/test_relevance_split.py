"""A judged query file with `split` fields is read one half at a time (`hub eval relevance
--split`): tuning looks at one half, the figure reported comes from the other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli.eval import app
from hub.dev.relevance import load_queries
from tests.support.paths import RELEVANCE_HELDOUT, RELEVANCE_QUERIES

SPLIT_ITEMS: list[dict[str, object]] = [
    {"id": "a", "query": "hebamme", "split": "tune", "ratings": [{"local_id": "x-1", "rating": 3}]},
    {"id": "b", "query": "kita", "split": "report", "ratings": [{"local_id": "x-2", "rating": 2}]},
    {"id": "c", "query": "pekip", "split": "tune", "ratings": [{"local_id": "x-3", "rating": 3}]},
]


def _queries_file(tmp_path: Path, items: list[dict[str, object]]) -> Path:
    path = tmp_path / "queries.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def test_a_split_keeps_only_its_queries(tmp_path: Path) -> None:
    path = _queries_file(tmp_path, SPLIT_ITEMS)
    assert [q.id for q in load_queries(path, "tune")] == ["a", "c"]
    assert [q.id for q in load_queries(path, "report")] == ["b"]
    assert [q.id for q in load_queries(path)] == ["a", "b", "c"]
    assert [q.split for q in load_queries(path)] == ["tune", "report", "tune"]


def test_an_unknown_split_or_a_file_without_splits_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown split"):
        load_queries(_queries_file(tmp_path, SPLIT_ITEMS), "test")
    unsplit = [{k: v for k, v in item.items() if k != "split"} for item in SPLIT_ITEMS]
    with pytest.raises(ValueError, match="without a split"):
        load_queries(_queries_file(tmp_path, unsplit), "tune")


def test_the_held_out_file_splits_into_two_disjoint_halves() -> None:
    tune = load_queries(RELEVANCE_HELDOUT, "tune")
    report = load_queries(RELEVANCE_HELDOUT, "report")
    assert tune and report
    assert {q.id for q in tune}.isdisjoint(q.id for q in report)
    assert len(tune) + len(report) == len(load_queries(RELEVANCE_HELDOUT))


def test_the_cli_refuses_a_bad_split_before_touching_the_engine() -> None:
    done = CliRunner().invoke(app, ["relevance", str(RELEVANCE_QUERIES), "--split", "tune"])
    assert done.exit_code == 2 and "without a split" in done.output
    done = CliRunner().invoke(app, ["relevance", str(RELEVANCE_HELDOUT), "--split", "all"])
    assert done.exit_code == 2 and "unknown split" in done.output
