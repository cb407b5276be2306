"""The engine's disk watermarks against a node's disk: pure functions, so the arithmetic is
tested without a full disk.

Elasticsearch and OpenSearch take a watermark as a used share ("85%", "0.85") or as free space
left ("50gb"). Past `low` no new shards land on the node, past `high` shards move away, past
`flood_stage` every index with a shard there turns read-only: syncs fail, search keeps going.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

LEVELS = ("flood_stage", "high", "low")
UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4, "pb": 1024**5}
DEFAULTS = {"low": "85%", "high": "90%", "flood_stage": "95%"}
Level = Literal["flood_stage", "high", "low"]


@dataclass(frozen=True)
class Disk:
    """One node's data path: name, total and available bytes."""

    node: str
    total: int
    available: int

    @property
    def used_share(self) -> float:
        return 1 - self.available / self.total if self.total else 0.0


def parse_watermark(value: str) -> tuple[Literal["share", "free"], float]:
    """("share", used share 0..1) or ("free", bytes that must stay free)."""
    text = value.strip().lower()
    if text.endswith("%"):
        return "share", float(text[:-1]) / 100
    match = re.fullmatch(r"([\d.]+)\s*([kmgtp]?b)", text)
    if match:
        return "free", float(match.group(1)) * UNITS[match.group(2)]
    return "share", float(text)  # a bare ratio such as 0.85


def crossed(disk: Disk, watermarks: dict[str, str]) -> Level | None:
    """The highest watermark the disk is past, or None."""
    for level in LEVELS:
        kind, limit = parse_watermark(watermarks.get(level, DEFAULTS[level]))
        if (kind == "share" and disk.used_share >= limit) or (
            kind == "free" and disk.available <= limit
        ):
            return level  # type: ignore[return-value]
    return None
