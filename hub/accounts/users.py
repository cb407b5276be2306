"""People who sign in: e-mail, argon2 password hash, their organisation and roles there."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from hub.accounts.documents import DocumentStore
from hub.accounts.passwords import hash_password, needs_rehash, verify_password
from hub.core.errors import ConfigError
from hub.search.engine import SearchEngine
from hub.search.indices import USERS

EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")


class Role(StrEnum):
    ADMIN = "admin"  # manages the organisation's sources and people
    EDITOR = "editor"  # sees the sources, syncs, corrects


class User(BaseModel):
    """A person; `id` is derived from the e-mail, so an address has one account."""

    id: str
    email: str
    password_hash: str
    organisation_id: str
    roles: list[Role] = Field(default_factory=lambda: [Role.ADMIN])
    active: bool = True
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    last_sign_in_at: datetime | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_id(email: str) -> str:
    """The document id of an address: a hash, so ids in logs and URLs do not show e-mails."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def valid_email(email: str) -> bool:
    return bool(EMAIL.match(normalise_email(email)))


class UserStore:
    """People in `hub-users`."""

    def __init__(self, engine: SearchEngine) -> None:
        self.docs = DocumentStore(engine, USERS, User)

    def by_email(self, email: str) -> User | None:
        found = self.docs.get(user_id(email))
        return found.doc if found else None

    def by_id(self, uid: str) -> User | None:
        found = self.docs.get(uid)
        return found.doc if found else None

    def create(
        self, email: str, password: str, organisation_id: str, roles: list[Role] | None = None
    ) -> User:
        """A new account; `ConfigError` (German) if the address is invalid or taken."""
        address = normalise_email(email)
        if not valid_email(address):
            raise ConfigError("invalid e-mail", message_de="Die E-Mail-Adresse ist ungültig.")
        user = User(
            id=user_id(address),
            email=address,
            password_hash=hash_password(password),
            organisation_id=organisation_id,
            roles=roles or [Role.ADMIN],
        )
        if not self.docs.create(user.id, user):
            raise ConfigError(
                "e-mail taken",
                message_de="Für diese E-Mail-Adresse gibt es bereits ein Konto.",
            )
        return user

    def authenticate(self, email: str, password: str) -> User | None:
        """The active user with this e-mail and password (rehashing an old hash), else None;
        unknown addresses cost the same argon2 work as known ones."""
        found = self.docs.get(user_id(email)) if valid_email(email) else None
        user = found.doc if found else None
        ok = verify_password(user.password_hash if user else None, password)
        if not (ok and user and user.active):
            return None
        rehash = needs_rehash(user.password_hash)

        def signed_in(u: User) -> None:
            u.last_sign_in_at = datetime.now(UTC)
            if rehash:
                u.password_hash = hash_password(password)

        return self.docs.update(user.id, signed_in)

    def set_password(self, uid: str, password: str) -> User:
        new_hash = hash_password(password)

        def change(u: User) -> None:
            u.password_hash = new_hash

        return self.docs.update(uid, change)

    def of_organisation(self, organisation_id: str) -> list[User]:
        return self.docs.search(
            {"term": {"organisation_id": organisation_id}}, sort=[{"email": "asc"}]
        )
