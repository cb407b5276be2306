"""Organisations: a Jugendamt with the AGS it serves, or the ministry (admin rights)."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from hub.accounts.documents import DocumentStore
from hub.core.errors import NotFound
from hub.search.engine import SearchEngine
from hub.search.indices import ORGANISATIONS

NRW_AGS = re.compile(r"05\d{6}")


class OrganisationKind(StrEnum):
    JUGENDAMT = "jugendamt"
    MINISTRY = "ministry"


class Organisation(BaseModel):
    """Who owns sources (a Jugendamt) or operates the hub (the ministry)."""

    id: str
    name: str = Field(min_length=2, max_length=200)
    kind: OrganisationKind = OrganisationKind.JUGENDAMT
    ags: list[str] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @field_validator("ags")
    @classmethod
    def _nrw(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not NRW_AGS.fullmatch(v)]
        if bad:
            raise ValueError(f"not an NRW AGS: {', '.join(bad)}")
        return value

    @property
    def is_ministry(self) -> bool:
        return self.kind == OrganisationKind.MINISTRY


def slug(name: str, limit: int = 40) -> str:
    """A readable id from a name: `Stadt Köln – Jugendamt` → `stadt-koeln-jugendamt`."""
    text = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return (text[:limit].rstrip("-") or "organisation").ljust(2, "x")


class OrganisationStore:
    """The organisations in `hub-organisations`."""

    def __init__(self, engine: SearchEngine) -> None:
        self.docs = DocumentStore(engine, ORGANISATIONS, Organisation)

    def get(self, organisation_id: str) -> Organisation:
        found = self.docs.get(organisation_id)
        if found is None:
            raise NotFound(
                f"unknown organisation {organisation_id!r}",
                message_de="Diese Organisation gibt es nicht.",
            )
        return found.doc

    def create(self, name: str, kind: OrganisationKind, ags: list[str]) -> Organisation:
        """A new organisation with an id made from its name (a suffix when taken)."""
        base = slug(name)
        for attempt in range(5):
            candidate = base if attempt == 0 else f"{base}-{secrets.token_hex(2)}"
            org = Organisation(id=candidate, name=name, kind=kind, ags=ags)
            if self.docs.create(org.id, org):
                return org
        raise NotFound("no free organisation id")  # practically unreachable

    def ministry(self) -> Organisation | None:
        """The ministry's organisation, if created (`hub accounts create-admin`)."""
        found = self.docs.search({"term": {"kind": OrganisationKind.MINISTRY.value}}, size=1)
        return found[0] if found else None

    def all(self) -> list[Organisation]:
        return self.docs.search({"match_all": {}}, sort=[{"id": "asc"}], size=1000)
