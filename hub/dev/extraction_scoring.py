"""Scoring of extracted facts against known facts: pure functions, no pipeline, no I/O.

Every scored field has a *default*: the value an offer carries when nobody said anything
(no age, ``pregnancy`` False, ``cost`` "unknown", ``languages`` ["de"], no locations,
``registration_required`` None, ``online`` False, ``kind`` "information", no audiences, no
contact, no dates). A default is not a claim, so it is neither rewarded nor punished:

- the offer *claims* a field when extraction filled it (its name is in ``Offer.extracted``) or
  its value differs from the default (a value the connector itself supplied);
- the gold is *informative* for a field when its value differs from the default;
- **precision** = claims whose value equals the gold / all claims (a claim against a gold
  default, such as "Kosten: kostenlos" extracted where the gold says "unknown", is wrong);
- **recall** = informative golds whose claimed value equals the gold / informative golds
  (the **support**);
- **F1** = harmonic mean of both.

For the booleans with default False (pregnancy, online) this is precision and recall of the
positive class. ``registration`` has no false-looking default (None), so every gold True/False
is informative. The *per-item* rows (audiences, dates) count single codes or session starts
instead of whole records: claimed items are those of claiming records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hub.core.schema import Offer

AGE_TOLERANCE_MONTHS = 3


@dataclass(frozen=True)
class FieldSpec:
    """One scored field: its default and the `Offer.extracted` names that make it a claim."""

    name: str
    default: Any
    extracted_as: tuple[str, ...]
    label: str


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("age", None, ("age_min_months", "age_max_months"), "age range (exact)"),
    FieldSpec("pregnancy", False, ("pregnancy",), "pregnancy"),
    FieldSpec("cost", "unknown", ("cost",), "cost"),
    FieldSpec("languages", frozenset({"de"}), ("languages",), "languages"),
    FieldSpec("postcode", frozenset(), ("locations",), "location postcodes"),
    FieldSpec("ags", frozenset(), ("locations",), "location AGS"),
    FieldSpec("registration", None, ("registration_required",), "registration"),
    FieldSpec("online", False, ("online",), "online"),
    FieldSpec("kind", "information", ("kind",), "kind"),
    FieldSpec("audiences", frozenset(), ("audiences",), "audiences"),
    FieldSpec("phone", None, ("provider.phone",), "provider phone"),
    FieldSpec("email", None, ("provider.email",), "provider email"),
    FieldSpec("dates", frozenset(), ("dates",), "dates (session starts)"),
)
SPECS = {spec.name: spec for spec in FIELDS}


@dataclass(frozen=True)
class Facts:
    """Comparable values of the scored fields, and which of them are claims (predictions)."""

    values: Mapping[str, Any]
    claimed: frozenset[str] = frozenset()
    known: frozenset[str] | None = None
    """Gold only: the fields it states (None: all); the others are not scored."""

    def states(self, name: str) -> bool:
        return self.known is None or name in self.known


@dataclass
class Counts:
    """Tallies of one field (or one per-item variant) over a set of records."""

    claimed: int = 0
    claimed_correct: int = 0
    support: int = 0
    found: int = 0

    @property
    def precision(self) -> float | None:
        return self.claimed_correct / self.claimed if self.claimed else None

    @property
    def recall(self) -> float | None:
        return self.found / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)

    def as_dict(self) -> dict[str, Any]:
        return {
            "claimed": self.claimed,
            "correct": self.claimed_correct,
            "support": self.support,
            "found": self.found,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass
class Scores:
    """Per-field counts over one set of records (one half of the dev set, or the pages)."""

    records: int = 0
    fields: dict[str, Counts] = field(default_factory=dict)

    def counts(self, name: str) -> Counts:
        return self.fields.setdefault(name, Counts())


# --- turning offers and gold records into comparable facts --------------------------------


def phone_key(value: object) -> str | None:
    """Digits of a phone number in national form: "+49 2352 7509-5" and "02352 75095" agree."""
    if not isinstance(value, str):
        return None
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("+49") or digits.startswith("0049"):
        digits = "0" + digits.removeprefix("00").removeprefix("49")
    return digits or None


def email_key(value: object) -> str | None:
    return value.strip().lower() or None if isinstance(value, str) else None


def instant(value: object) -> datetime | None:
    """An aware datetime in UTC (naive values are read as UTC), from ISO text or datetime."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def age_pair(low: object, high: object) -> tuple[int | None, int | None] | None:
    low_v = low if isinstance(low, int) else None
    high_v = high if isinstance(high, int) else None
    return None if low_v is None and high_v is None else (low_v, high_v)


def gold_facts(record: Mapping[str, Any]) -> Facts:
    """The known facts of a record in corpus shape (also the shape of a page's label file)."""
    locations = [loc for loc in record.get("locations") or [] if isinstance(loc, Mapping)]
    provider = record.get("provider") or {}
    values = {
        "age": age_pair(record.get("age_min_months"), record.get("age_max_months")),
        "pregnancy": bool(record.get("pregnancy")),
        "cost": record.get("cost") or "unknown",
        "languages": frozenset(record.get("languages") or ["de"]),
        "postcode": frozenset(str(loc["postcode"]) for loc in locations if loc.get("postcode")),
        "ags": frozenset(str(loc["ags"]) for loc in locations if loc.get("ags")),
        "registration": record.get("registration_required"),
        "online": bool(record.get("online")),
        "kind": record.get("kind") or "information",
        "audiences": frozenset(record.get("audiences") or []),
        "phone": phone_key(provider.get("phone")),
        "email": email_key(provider.get("email")),
        "dates": frozenset(
            start for d in record.get("dates") or [] if (start := instant(d.get("start")))
        ),
    }
    return Facts(values)


def offer_facts(offer: Offer) -> Facts:
    """What an offer says about the scored fields, and which of them it claims."""
    provider = offer.provider
    values = {
        "age": age_pair(offer.age_min_months, offer.age_max_months),
        "pregnancy": offer.pregnancy,
        "cost": offer.cost,
        "languages": frozenset(offer.languages),
        "postcode": frozenset(loc.postcode for loc in offer.locations if loc.postcode),
        "ags": frozenset(loc.ags for loc in offer.locations if loc.ags),
        "registration": offer.registration_required,
        "online": offer.online,
        "kind": offer.kind,
        "audiences": frozenset(offer.audiences),
        "phone": phone_key(provider.phone if provider else None),
        "email": email_key(provider.email if provider else None),
        "dates": frozenset(start for s in offer.dates if (start := instant(s.start))),
    }
    extracted = set(offer.extracted)
    claimed = frozenset(
        spec.name
        for spec in FIELDS
        if extracted.intersection(spec.extracted_as) or values[spec.name] != spec.default
    )
    return Facts(values, claimed)


NO_CLAIMS = Facts({spec.name: spec.default for spec in FIELDS})
"""What a rejected record predicts: nothing."""


# --- scoring ------------------------------------------------------------------------------


def ages_close(gold: Any, predicted: Any, tolerance: int = AGE_TOLERANCE_MONTHS) -> bool:
    """Both ends within `tolerance` months; an open end only matches an open end."""
    if gold is None or predicted is None:
        return bool(gold == predicted)
    return all(
        (g is None and p is None) or (g is not None and p is not None and abs(g - p) <= tolerance)
        for g, p in zip(gold, predicted, strict=True)
    )


def score_field(
    counts: Counts,
    spec: FieldSpec,
    gold: Facts,
    predicted: Facts,
    equal: Callable[[Any, Any], bool] = lambda a, b: bool(a == b),
) -> None:
    """Add one record's outcome for one field to `counts` (see the module docstring)."""
    g, p = gold.values[spec.name], predicted.values[spec.name]
    claimed = spec.name in predicted.claimed
    correct = claimed and equal(g, p)
    counts.claimed += claimed
    counts.claimed_correct += correct
    if g != spec.default:
        counts.support += 1
        counts.found += correct


def score_items(counts: Counts, name: str, gold: Facts, predicted: Facts) -> None:
    """Per-item variant of a set-valued field: codes or session starts counted one by one."""
    g: frozenset[Any] = gold.values[name]
    p: frozenset[Any] = predicted.values[name] if name in predicted.claimed else frozenset()
    counts.claimed += len(p)
    counts.claimed_correct += len(p & g)
    counts.support += len(g)
    counts.found += len(p & g)


def score_pair(scores: Scores, gold: Facts, predicted: Facts) -> None:
    """Add one record (gold and prediction) to every field's counts."""
    scores.records += 1
    for spec in FIELDS:
        if gold.states(spec.name):
            score_field(scores.counts(spec.name), spec, gold, predicted)
    if gold.states("age"):
        score_field(scores.counts("age_tolerant"), SPECS["age"], gold, predicted, ages_close)
    for name in ("audiences", "dates"):
        if gold.states(name):
            score_items(scores.counts(f"{name}_items"), name, gold, predicted)


def score_all(pairs: Iterable[tuple[Facts, Facts]]) -> Scores:
    """Scores over (gold, prediction) pairs."""
    scores = Scores()
    for gold, predicted in pairs:
        score_pair(scores, gold, predicted)
    return scores


ROW_LABELS: dict[str, str] = {
    **{spec.name: spec.label for spec in FIELDS},
    "age_tolerant": f"age range (±{AGE_TOLERANCE_MONTHS} months)",
    "audiences_items": "audiences (per code)",
    "dates_items": "dates (per session)",
}
ROW_ORDER: Sequence[str] = (
    "age", "age_tolerant", "pregnancy", "cost", "languages", "postcode", "ags", "registration",
    "online", "kind", "audiences", "audiences_items", "phone", "email", "dates", "dates_items",
)  # fmt: skip
