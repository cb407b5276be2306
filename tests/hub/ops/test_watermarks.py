"""Watermark arithmetic without a full disk: shares, ratios and free-space values."""

from __future__ import annotations

import pytest

from hub.ops.watermarks import Disk, crossed, parse_watermark

GB = 1024**3
MARKS = {"low": "85%", "high": "90%", "flood_stage": "95%"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("85%", ("share", 0.85)), ("0.9", ("share", 0.9)), ("50gb", ("free", 50 * GB)),
     ("512mb", ("free", 512 * 1024**2))],
)  # fmt: skip
def test_watermarks_parse_as_share_or_free_bytes(value: str, expected: tuple[str, float]) -> None:
    assert parse_watermark(value) == expected


@pytest.mark.parametrize(
    ("available_gb", "level"), [(50, None), (14, "low"), (9, "high"), (4, "flood_stage")]
)
def test_the_highest_crossed_watermark_is_named(available_gb: int, level: str | None) -> None:
    assert crossed(Disk("n1", 100 * GB, available_gb * GB), MARKS) == level


def test_free_space_watermarks_compare_with_available_bytes() -> None:
    marks = {"low": "20gb", "high": "10gb", "flood_stage": "5gb"}
    assert crossed(Disk("n1", 1000 * GB, 15 * GB), marks) == "low"
    assert crossed(Disk("n1", 1000 * GB, 30 * GB), marks) is None
