"""The engine client's JSON codec: orjson, with the client library's own codec as fallback.

A cold sync spends a good share of its CPU turning bulk actions and engine answers into and out
of JSON; orjson does that several times faster. What orjson refuses (a lone surrogate from a
broken feed, an integer beyond 64 bits, a type only the library's `default` knows) goes through
the library's serializer exactly as before, so no document is written differently.
"""

from __future__ import annotations

from typing import Any

import orjson
from opensearchpy.serializer import JSONSerializer

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS


class FastJSONSerializer(JSONSerializer):
    """`JSONSerializer` with orjson doing the common case."""

    def dumps(self, data: Any) -> Any:
        if isinstance(data, str):
            return data
        try:
            return orjson.dumps(data, default=_refuse, option=_OPTIONS).decode()
        except (orjson.JSONEncodeError, TypeError):
            return super().dumps(data)

    def loads(self, s: str) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            return super().loads(s)


def _refuse(value: Any) -> Any:
    """Leave every type orjson lacks to the library's `default` (via the fallback)."""
    raise TypeError(type(value).__name__)
