"""The common offer schema every source is normalised into (DESIGN.md §3, aligned with HSDS 3.0).

Controlled fields are plain strings checked against the vocabularies in `mappings/vocab/`, so a
vocabulary change is a data change. Derived fields (age groups, next date, content hash) are
computed here and nowhere else.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    computed_field,
    field_validator,
    model_validator,
)

from hub.core.vocab import age_groups_for, vocabulary

ISO_639_1 = re.compile(r"^[a-z]{2}$")
AGS = re.compile(r"^05\d{6}$")
MAX_DESCRIPTION = 20_000
MAX_SUMMARY = 1_000
HASH_EXCLUDED = {"content_hash", "next_date", "age_groups", "indexed_at"}
# Free-text keys a connector may emit beside the schema fields; the normaliser resolves them
# into controlled values and removes them before validation.
HINT_KEYS = ("age_text", "kind_text", "audience_text", "cost_text", "language_text")


def _check_codes(values: list[str], vocab: str) -> list[str]:
    known = vocabulary(vocab).terms
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValueError(f"unknown {vocab}: {', '.join(unknown)}")
    return list(dict.fromkeys(values))


class Provider(BaseModel):
    """The organisation running the offer; organisational contacts only."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=300)
    url: AnyHttpUrl | None = None
    phone: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)


class GeoPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Location(BaseModel):
    """Where the offer takes place (HSDS location + address)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=300)
    street: str | None = Field(None, max_length=300)
    postcode: str | None = Field(None, pattern=r"^\d{5}$")
    city: str | None = Field(None, max_length=200)
    ags: str | None = Field(None, pattern=AGS.pattern)
    lat: float | None = Field(None, ge=50.0, le=52.8)
    lon: float | None = Field(None, ge=5.5, le=9.8)

    @model_validator(mode="after")
    def _both_coordinates(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def geo(self) -> GeoPoint | None:
        if self.lat is None or self.lon is None:
            return None
        return GeoPoint(lat=self.lat, lon=self.lon)


class Session(BaseModel):
    """One date of a course or event."""

    model_config = ConfigDict(extra="forbid")
    start: datetime
    end: datetime | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> Session:
        if self.end is not None and self.end < self.start:
            raise ValueError("end before start")
        return self


class Offer(BaseModel):
    """One family-support offer as the hub indexes and serves it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=3, max_length=512)
    source_id: str = Field(min_length=1, max_length=100)
    local_id: str = Field(min_length=1, max_length=400)
    url: AnyHttpUrl
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field("", max_length=MAX_SUMMARY)
    description: str = Field("", max_length=MAX_DESCRIPTION)
    kind: str = "information"
    topics: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list, description="The source's own labels.")
    pregnancy: bool = False
    age_min_months: int | None = Field(None, ge=0, le=216)
    age_max_months: int | None = Field(None, ge=0, le=216)
    audiences: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=lambda: ["de"])
    cost: Literal["free", "reduced", "paid", "unknown"] = "unknown"
    cost_note: str = Field("", max_length=500)
    registration_required: bool | None = None
    accessibility: list[str] = Field(default_factory=list)
    provider: Provider | None = None
    locations: list[Location] = Field(default_factory=list, max_length=200)
    online: bool = False
    dates: list[Session] = Field(default_factory=list, max_length=1000)
    recurrence_text: str = Field("", max_length=500)
    valid_from: date | None = None
    valid_until: date | None = None
    area_ags: list[str] = Field(default_factory=list)
    updated_at: datetime
    extracted: list[str] = Field(
        default_factory=list,
        description="Fields read from the page's text rather than given by the source "
        "(shown as „aus dem Text erkannt“).",
    )

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return _check_codes([value], "kinds")[0]

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, value: list[str]) -> list[str]:
        return _check_codes(value, "topics")

    @field_validator("audiences")
    @classmethod
    def _known_audiences(cls, value: list[str]) -> list[str]:
        return _check_codes(value, "audiences")

    @field_validator("accessibility")
    @classmethod
    def _known_accessibility(cls, value: list[str]) -> list[str]:
        return _check_codes(value, "accessibility")

    @field_validator("languages")
    @classmethod
    def _iso_languages(cls, value: list[str]) -> list[str]:
        codes = [v.strip().lower() for v in value]
        bad = [c for c in codes if not ISO_639_1.match(c)]
        if bad:
            raise ValueError(f"not ISO 639-1: {', '.join(bad)}")
        return list(dict.fromkeys(codes))

    @field_validator("area_ags")
    @classmethod
    def _ags_codes(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not AGS.match(v)]
        if bad:
            raise ValueError(f"not an NRW AGS: {', '.join(bad)}")
        return list(dict.fromkeys(value))

    @field_validator("updated_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @model_validator(mode="after")
    def _consistent(self) -> Offer:
        if (
            self.age_min_months is not None
            and self.age_max_months is not None
            and self.age_min_months > self.age_max_months
        ):
            raise ValueError("age_min_months > age_max_months")
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValueError("valid_from after valid_until")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def age_groups(self) -> list[str]:
        return age_groups_for(self.pregnancy, self.age_min_months, self.age_max_months)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def next_date(self) -> datetime | None:
        now = datetime.now(UTC)
        upcoming = [s.start for s in self.dates if (s.end or s.start) >= now]
        return min(upcoming) if upcoming else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_hash(self) -> str:
        body = self.model_dump(mode="json", exclude=HASH_EXCLUDED)
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def version(self) -> int:
        """External version for the engine: the source's modification time in milliseconds."""
        return int(self.updated_at.timestamp() * 1000)

    def document(self) -> dict[str, Any]:
        """The JSON document written to the engine."""
        return self.model_dump(mode="json")


def offer_id(source_id: str, local_id: str) -> str:
    """The stable document id of a record: `{source_id}:{local_id}`."""
    return f"{source_id}:{local_id}"


class Rejection(BaseModel):
    """A record that did not become an offer, kept with the reason for the municipality."""

    source_id: str
    local_id: str | None
    code: str
    field: str | None = None
    message: str
    message_de: str
    source_url: str | None = None
    categories: list[str] = Field(
        default_factory=list,
        description="The record's own categories, so filters can be proposed from rejections.",
    )


GERMAN_MESSAGES: dict[str, str] = {
    "missing": "Pflichtfeld fehlt",
    "string_too_short": "Text ist leer",
    "string_too_long": "Text ist zu lang",
    "url_parsing": "Keine gültige Web-Adresse (http/https)",
    "url_scheme": "Web-Adresse muss mit http:// oder https:// beginnen",
    "datetime_parsing": "Kein gültiges Datum mit Uhrzeit",
    "datetime_from_date_parsing": "Kein gültiges Datum mit Uhrzeit",
    "date_parsing": "Kein gültiges Datum",
    "date_from_datetime_parsing": "Kein gültiges Datum",
    "int_parsing": "Keine ganze Zahl",
    "bool_parsing": "Kein Ja/Nein-Wert",
    "literal_error": "Wert nicht erlaubt",
    "greater_than_equal": "Wert ist zu klein",
    "less_than_equal": "Wert ist zu groß",
    "string_pattern_mismatch": "Format ungültig",
    "extra_forbidden": "Unbekanntes Feld",
    "too_long": "Zu viele Einträge",
    "value_error": "Wert ungültig",
    "list_type": "Liste erwartet",
    "string_type": "Text erwartet",
}

FIELD_LABELS_DE: dict[str, str] = {
    "title": "Titel",
    "url": "Link zur Angebotsseite",
    "updated_at": "Änderungsdatum",
    "local_id": "Kennung",
    "description": "Beschreibung",
    "summary": "Kurzbeschreibung",
    "kind": "Angebotsform",
    "topics": "Themen",
    "languages": "Sprachen",
    "locations": "Orte",
    "age_min_months": "Mindestalter",
    "age_max_months": "Höchstalter",
    "cost": "Kosten",
    "dates": "Termine",
}


def rejection_from_error(
    source_id: str, local_id: str | None, error: ValidationError, source_url: str | None = None
) -> Rejection:
    """Turn a pydantic error into a rejection with a machine code and a German message."""
    first = error.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    top = str(first["loc"][0]) if first["loc"] else ""
    label = FIELD_LABELS_DE.get(top, loc or "Datensatz")
    detail = GERMAN_MESSAGES.get(first["type"], "Wert ungültig")
    reason = first["msg"].removeprefix("Value error, ")
    if first["type"] == "value_error":
        detail = f"{detail}: {reason}"
    count = error.error_count()
    more = f" (und {count - 1} weitere Fehler)" if count > 1 else ""
    return Rejection(
        source_id=source_id,
        local_id=local_id,
        code=f"invalid_{first['type']}",
        field=loc or None,
        message=f"{loc}: {reason}" + (f" (+{count - 1} more)" if count > 1 else ""),
        message_de=f"{label}: {detail}{more}",
        source_url=source_url,
    )
