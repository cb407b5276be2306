"""Normalisation shared by all connectors: raw mapped dicts become validated offers."""

from hub.normalise.record import NormaliseResult, normalise_record

__all__ = ["NormaliseResult", "normalise_record"]
