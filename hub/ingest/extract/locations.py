"""Addresses in a page → locations (street, postcode, city; the gazetteer adds AGS and point)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.ingest.extract.page import Page


def extract_locations(page: Page, area_ags: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Location dicts in the schema's shape for every place the page names (empty: none).

    `area_ags` are the municipalities the source serves: a place given without a town
    ("Treffpunkt: vor dem Rathaus") belongs to them.
    """
    return []
