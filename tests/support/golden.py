"""Golden-file comparison for the connector tests; `UPDATE_GOLDEN=1` rewrites the files.

Two layouts are in use and both are kept byte for byte:

- a bare JSON list (`assert_golden(path, None, offers)`): the file *is* the value;
- an object with hand-written `notes` beside the generated parts (`"offers"`, `"rejected"`,
  `"deleted"`): `assert_golden(path, "offers", offers)` or, for several parts at once,
  `assert_golden_parts(path, {"offers": ..., "rejected": ...})`. A rewrite keeps the keys in
  `keep` (the notes) from the old file, in the order the old file had them.

Files are written as `json.dumps(..., indent=2, ensure_ascii=False)` plus a final newline.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def updating() -> bool:
    """True when the run was asked to rewrite golden files (UPDATE_GOLDEN set, not "0")."""
    return os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")


def write_golden(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_golden(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def assert_golden(
    path: Path, key: str | None, value: Any, *, keep: Sequence[str] = ("notes",)
) -> None:
    """Assert `value` equals the golden file (key None) or its `key` part."""
    if key is not None:
        assert_golden_parts(path, {key: value}, keep=keep)
        return
    if updating():
        write_golden(path, value)
    assert value == read_golden(path)


def assert_golden_parts(
    path: Path, parts: Mapping[str, Any], *, keep: Sequence[str] = ("notes",)
) -> None:
    """Assert every part equals the same key of the golden object; rewrite those keys first."""
    if updating():
        old: dict[str, Any] = read_golden(path) if path.exists() else {k: [] for k in keep}
        body = {k: v for k, v in old.items() if k in keep or k in parts}
        body.update(parts)
        write_golden(path, body)
    expected = read_golden(path)
    assert dict(parts) == {k: expected[k] for k in parts}


def templated(value: Any, base: str, placeholder: str = "{{BASE}}") -> Any:
    """`value` with every occurrence of `base` (the test server's address) as `placeholder`."""
    return json.loads(json.dumps(value, ensure_ascii=False).replace(base, placeholder))
