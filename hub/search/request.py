"""The typed search request: free text, filters, sort and paging, validated at the edge.

Filter semantics follow the judged relevance data (shared/data/relevance/README.md "filters");
the clauses are built in `hub.search.filters`, scoring in `hub.search.query`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.core.vocab import vocabulary

SortOrder = Literal["relevance", "distance", "next_date"]
RADIUS_KM = 15.0
"""Default radius around the place of residence."""
MIN_RADIUS_KM, MAX_RADIUS_KM = 1.0, 100.0
CostCode = Literal["free", "reduced", "paid", "unknown"]


class Near(BaseModel):
    """A point and a radius: offers with a location within `km` (online offers never match)."""

    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    km: float = Field(25.0, gt=0, le=500, description="Radius in kilometres.")


class SearchRequest(BaseModel):
    """What a citizen asks for: text plus filters, sort and paging."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    q: str = Field("", max_length=200, description="Free text as typed.")
    municipality: list[str] = Field(
        default_factory=list, description="AGS (8 digits): offered there, or online from there."
    )
    district: list[str] = Field(default_factory=list, description="District keys (5 digits).")
    place: str | None = Field(
        None,
        max_length=100,
        description="Place of residence as typed (name, postcode, AGS): its offers first, then "
        "offers within `radius_km` and online offers published for it or its district.",
    )
    radius_km: float = Field(
        RADIUS_KM,
        ge=MIN_RADIUS_KM,
        le=MAX_RADIUS_KM,
        description="Radius around the place of residence in kilometres.",
    )
    near: Near | None = None
    age_months: int | None = Field(None, ge=0, le=216, description="The child's age.")
    pregnancy: bool | None = Field(None, description="Only offers for (also) pregnancy.")
    topics: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    cost: list[CostCode] = Field(default_factory=list)
    accessibility: list[str] = Field(default_factory=list)
    online: bool | None = Field(None, description="true: only online, false: only on site.")
    sort: SortOrder = "relevance"
    size: int = Field(20, ge=1, le=100)
    page: int = Field(1, ge=1, description="1-based page; ignored with search_after.")
    search_after: list[Any] | None = Field(
        None, description="The `sort` values of the last hit of the previous page (deep paging)."
    )

    @field_validator("municipality")
    @classmethod
    def _ags(cls, value: list[str]) -> list[str]:
        return _checked(value, lambda v: len(v) == 8 and v.startswith("05") and v.isdigit(), "AGS")

    @field_validator("district")
    @classmethod
    def _district(cls, value: list[str]) -> list[str]:
        return _checked(value, lambda v: len(v) == 5 and v.startswith("05") and v.isdigit(), "key")

    @field_validator("topics", "kinds", "accessibility")
    @classmethod
    def _codes(cls, value: list[str], info: Any) -> list[str]:
        vocab = "topics" if info.field_name == "topics" else info.field_name
        known = vocabulary(vocab).terms
        return _checked(value, lambda v: v in known, f"{vocab} code")

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        value = [v.lower() for v in value]
        return _checked(value, lambda v: len(v) == 2 and v.isalpha(), "ISO 639-1 code")


def _checked(values: list[str], ok: Any, what: str) -> list[str]:
    bad = [v for v in values if not ok(v)]
    if bad:
        raise ValueError(f"unknown {what}: {', '.join(bad)}")
    return list(dict.fromkeys(values))
