"""Enrolment links: the ministry invites one Jugendamt; the link signs up its organisation once.

The token is shown to the ministry once (to pass on); only its SHA-256 is stored, as the
document id, so the link's state (open, used, expired, withdrawn) stays visible without the
token. Using a link marks it with optimistic concurrency, so two sign-ups with one link cannot
both win.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from hub.accounts.documents import DocumentStore, Versioned
from hub.accounts.organisations import NRW_AGS
from hub.core.errors import ConfigError, ConflictError
from hub.search.engine import SearchEngine
from hub.search.indices import ENROLMENT_LINKS

INVALID_DE = (
    "Dieser Anmeldelink ist ungültig, abgelaufen oder wurde schon benutzt. "
    "Bitte wenden Sie sich an das Ministerium für einen neuen Link."
)


class LinkState(StrEnum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


STATE_DE = {
    LinkState.OPEN: "offen",
    LinkState.USED: "benutzt",
    LinkState.EXPIRED: "abgelaufen",
    LinkState.REVOKED: "zurückgezogen",
}


class EnrolmentLink(BaseModel):
    """An invitation for one Jugendamt (its name and AGS are set by the ministry)."""

    id: str  # SHA-256 of the token
    organisation_name: str = Field(min_length=2, max_length=200)
    ags: list[str] = Field(min_length=1)
    issued_by: str
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    organisation_id: str | None = None

    def state(self, now: datetime | None = None) -> LinkState:
        if self.used_at:
            return LinkState.USED
        if self.revoked_at:
            return LinkState.REVOKED
        if self.expires_at <= (now or datetime.now(UTC)):
            return LinkState.EXPIRED
        return LinkState.OPEN


@dataclass(frozen=True)
class Issued:
    link: EnrolmentLink
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_ags(text: str) -> list[str]:
    """AGS codes from free text (commas, spaces, lines); `ConfigError` in German if one is not
    an 8-digit NRW key or none is given."""
    codes = [part for part in text.replace(",", " ").replace(";", " ").split() if part]
    bad = [c for c in codes if not NRW_AGS.fullmatch(c)]
    if bad or not codes:
        raise ConfigError(
            "bad ags",
            message_de="Bitte geben Sie die achtstelligen Gemeindeschlüssel (AGS) in NRW an, "
            "z. B. 05315000" + (f"; nicht erkannt: {', '.join(bad[:5])}" if bad else "") + ".",
        )
    return list(dict.fromkeys(codes))


class EnrolmentLinks:
    """Issue, list, check and use enrolment links (`hub-enrolment-links`)."""

    def __init__(self, engine: SearchEngine) -> None:
        self.docs = DocumentStore(engine, ENROLMENT_LINKS, EnrolmentLink)

    def issue(self, name: str, ags: list[str], issued_by: str, days: int) -> Issued:
        token = secrets.token_urlsafe(32)
        link = EnrolmentLink(
            id=token_hash(token),
            organisation_name=name.strip(),
            ags=ags,
            issued_by=issued_by,
            expires_at=datetime.now(UTC) + timedelta(days=days),
        )
        self.docs.create(link.id, link)
        return Issued(link, token)

    def open_link(self, token: str) -> Versioned[EnrolmentLink] | None:
        """The link of `token` if it may still be used, else None."""
        if not token or len(token) > 128:
            return None
        found = self.docs.get(token_hash(token))
        if found is None or found.doc.state() != LinkState.OPEN:
            return None
        return found

    def use(self, found: Versioned[EnrolmentLink], organisation_id: str) -> bool:
        """Mark a link used for an organisation; False if another sign-up was first."""
        found.doc.used_at = datetime.now(UTC)
        found.doc.organisation_id = organisation_id
        try:
            self.docs.save(found)
        except ConflictError:
            return False
        return True

    def bind(self, link_id: str, organisation_id: str) -> EnrolmentLink:
        """Name the organisation a used link created (shown to the ministry)."""

        def change(link: EnrolmentLink) -> None:
            link.organisation_id = organisation_id

        return self.docs.update(link_id, change)

    def revoke(self, link_id: str) -> EnrolmentLink:
        def change(link: EnrolmentLink) -> None:
            if link.state() == LinkState.OPEN:
                link.revoked_at = datetime.now(UTC)

        return self.docs.update(link_id, change)

    def recent(self, limit: int = 100) -> list[EnrolmentLink]:
        return self.docs.search({"match_all": {}}, sort=[{"created_at": "desc"}], size=limit)
