"""A source's own corrections of what is an offer: per record and per category or tag.

The hub rejects pages that are not offers (imprint, job ads, closure notices, …) by itself;
a municipality corrects it where it errs, and keeps whole categories ("Stellenangebote",
"Pressemitteilungen") out of the search. Stored in the source's connector config, so every
kind accepts it and the registry validates it like any other option.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class OfferFilters(BaseModel):
    """Which records of the source are offers; the most specific rule wins (record, then
    excluded category, then included category, then the hub's own noise detection)."""

    model_config = ConfigDict(extra="forbid")

    offers: list[str] = Field(
        default_factory=list,
        description="Local ids that are offers whatever the hub's noise detection says.",
    )
    not_offers: list[str] = Field(
        default_factory=list, description="Local ids that are never offers."
    )
    include_categories: list[str] = Field(
        default_factory=list,
        description="Category or tag names: when set, only records in one of them are offers "
        "(and the noise detection is not asked for them). Case and umlaut spelling are ignored.",
    )
    exclude_categories: list[str] = Field(
        default_factory=list,
        description="Category or tag names whose records are never offers.",
    )
