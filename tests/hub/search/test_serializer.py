"""The engine codec writes what the client library's codec wrote, only faster."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from opensearchpy.exceptions import SerializationError
from opensearchpy.serializer import JSONSerializer

from hub.search.serializer import FastJSONSerializer

FAST, LIBRARY = FastJSONSerializer(), JSONSerializer()


@pytest.mark.parametrize(
    "data",
    [
        {"title": "Elterncafé „Pusteblume“ – 5 €", "n": 3, "x": 1.5, "ok": True, "none": None},
        {"at": datetime(2026, 12, 1, 9, 30, tzinfo=UTC), "day": date(2026, 12, 1)},
        {"at": datetime(2026, 12, 1, 9, 30, 0, 250, tzinfo=timezone(timedelta(hours=1)))},
        {"control": 'a\x00b\n\t"\\', "nested": [{"a": [1, 2]}, []]},
        {1: "an int key"},
        {"lone surrogate": "\ud800"},  # orjson refuses: the library's codec writes it
        {"beyond 64 bits": 2**70},
    ],
)
def test_dumps_writes_what_the_library_wrote(data: Any) -> None:
    assert FAST.dumps(data) == LIBRARY.dumps(data)


def test_strings_pass_unchanged_and_unknown_types_fail_as_before() -> None:
    assert FAST.dumps('{"already": "json"}') == '{"already": "json"}'
    with pytest.raises(SerializationError):
        LIBRARY.dumps({"object": object()})
    with pytest.raises(SerializationError):
        FAST.dumps({"object": object()})


@pytest.mark.parametrize("text", ['{"a":[1,2.5,"x",null,true]}', '{"s":"\\ud800"}', "[1e400]"])
def test_loads_reads_what_the_library_read(text: str) -> None:
    assert FAST.loads(text) == LIBRARY.loads(text) == json.loads(text)
