"""The facts an extractor returns: small typed values, independent of the schema's shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Cost = Literal["free", "reduced", "paid"]


@dataclass(frozen=True)
class AgeFacts:
    """A child's age range in months (inclusive, None = open) and whether pregnancy is meant."""

    min_months: int | None = None
    max_months: int | None = None
    pregnancy: bool = False


@dataclass(frozen=True)
class CostFacts:
    """What taking part costs, and the sentence that says so (shown to parents as the note)."""

    cost: Cost
    note: str = ""


@dataclass(frozen=True)
class Modes:
    """How the offer is held; each True only where the text says so."""

    online: bool = False
    phone: bool = False
    in_person: bool = False
    online_optional: bool = False
    """Online is one more way into an offer that meets in person ("auch per Video möglich");
    such an offer is not an online offer, so `online` stays False."""


@dataclass(frozen=True)
class Contact:
    """Organisational contact read from the text (never a private person's data on purpose)."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class DateFacts:
    """Sessions (schema `Session` dicts: start, end) and the rule in German words."""

    sessions: list[dict[str, Any]] = field(default_factory=list)
    recurrence_text: str = ""
