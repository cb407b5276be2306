"""The scale benchmarks' parts: the lean index variants remove only what nothing reads, raw
bulk loads every dumped offer, and a tiny statewide run through a real worker counts right.
Speeds are never asserted (benchmarks print them, docs/benchmarks.md keeps them)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hub.core.settings import Settings
from hub.dev.scale.bulkload import UNREAD_SUBFIELDS, UNSEARCHED_TEXT, leaner, restored
from hub.dev.scale.statewide import bench_statewide
from hub.search.analysis import offer_index_body


def _field(body: dict[str, object], dotted: str) -> dict[str, object]:
    node: dict[str, object] = body["mappings"]  # type: ignore[assignment]
    for part in dotted.split("."):
        node = node["properties"][part]  # type: ignore[index]
    return node


def test_the_mapping_has_no_unread_subfield_and_the_ablation_can_restore_them() -> None:
    body = offer_index_body(0)
    before = restored(body)
    for dotted, sub in UNREAD_SUBFIELDS:
        assert sub not in _field(body, dotted).get("fields", {})  # type: ignore[operator]
        assert sub in _field(before, dotted)["fields"]  # type: ignore[operator]
    assert _field(before, "title")["fields"] == _field(body, "title")["fields"]
    for dotted in UNSEARCHED_TEXT:
        assert _field(leaner(body), dotted)["index"] is False
        assert "index" not in _field(body, dotted)


@pytest.mark.parametrize("dotted,sub", list(UNREAD_SUBFIELDS))
def test_no_code_or_query_file_reads_an_unread_subfield(dotted: str, sub: str) -> None:
    """What made them removable, and keeps them out: nothing names them."""
    found = subprocess.run(
        ["grep", "-rlF", f"{dotted}.{sub}", "hub", "connectors", "workers", "mappings"],
        capture_output=True, text=True, check=False,
    ).stdout.split()  # fmt: skip
    assert [f for f in found if not f.startswith("hub/dev/scale")] == []


def test_a_tiny_statewide_run_indexes_every_record_and_bulks_the_same_documents(
    engine: object, settings: Settings, tmp_path: Path
) -> None:
    dump = tmp_path / "offers.jsonl"
    result = bench_statewide(settings, sources=3, records=45, concurrency=2, page_size=10,
                             keep_dump=dump, timeout=120)  # fmt: skip

    assert result["indexed"] == 45
    assert result["raw_bulk"]["documents"] == 45
    assert len(dump.read_text(encoding="utf-8").splitlines()) == 45
    assert result["requests"] >= 3
    assert result["cpu_seconds"]["workers"] > 0
    split = {"workers", "engine", "engine_net", "broker", "driver"}
    assert set(result["cpu_ms_per_record"]) == split
