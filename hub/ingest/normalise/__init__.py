"""Normalisation shared by all connectors: raw mapped dicts become validated offers.

`normalise_record` is loaded on first use: the record module runs extraction, and extractors
reuse this package's phrase parsers (`ages`, `hints`), so an eager import here would make
`hub.ingest.extract.*` and `hub.ingest.normalise` import each other half-initialised.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.ingest.normalise.record import NormaliseResult, normalise_record

__all__ = ["NormaliseResult", "normalise_record"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("hub.ingest.normalise.record"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
