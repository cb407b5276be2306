"""Normalisation shared by all connectors: raw mapped dicts become validated offers."""

from hub.ingest.normalise.record import NormaliseResult, normalise_record

__all__ = ["NormaliseResult", "normalise_record"]
