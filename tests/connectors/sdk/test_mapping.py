"""Plain dotted paths are followed by hand and must find exactly what jsonpath-ng finds."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.sdk.mapping import JsonResolver, _jsonpath, dotted_fields, follow_fields

RECORD = {"title": "Kurs", "location": {"name": "FZ", "address": None}, "tags": ["a", "b"]}


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("$.title", ("title",)),
        ("location.name", ("location", "name")),
        ("$.tags[*]", None),
        ("$..name", None),
        ("$.where", None),
        ("$", None),
        ("$.location.`this`", None),
    ],
)
def test_only_plain_dotted_paths_are_followed_by_hand(
    path: str, fields: tuple[str, ...] | None
) -> None:
    assert dotted_fields(path) == fields


@pytest.mark.parametrize(
    ("record", "path"),
    [
        (RECORD, "$.title"),
        (RECORD, "$.location.name"),
        (RECORD, "$.location.address"),  # a null is found as a null
        (RECORD, "$.location.missing"),
        (RECORD, "$.tags.first"),  # a list is no object
        (RECORD, "$.title.length"),  # nor is a string
        ([RECORD], "$.title"),
        (None, "$.title"),
    ],
)
def test_following_a_dotted_path_finds_what_jsonpath_finds(record: Any, path: str) -> None:
    fields = dotted_fields(path)
    assert fields is not None
    assert follow_fields(record, fields) == [m.value for m in _jsonpath(path).find(record)]


def test_other_paths_still_go_through_jsonpath() -> None:
    assert JsonResolver().find(RECORD, "$.tags[*]") == ["a", "b"]
