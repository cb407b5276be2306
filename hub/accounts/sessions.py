"""Server-side sessions in Redis: the browser holds only a random id in an HttpOnly cookie.

Redis keys carry the SHA-256 of the id, so a copy of Redis does not hand out live sessions.
A session expires after `session_hours` without activity; signing in rotates the id (no
session fixation), signing out deletes it, and a password change ends every session of the
person (`end_all`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

import redis
from pydantic import BaseModel, Field

from hub.accounts.csrf import new_token
from hub.core.settings import Settings

COOKIE = "hub_session"


class Session(BaseModel):
    """What the hub remembers of a browser: who signed in, the CSRF token, work in progress."""

    csrf_token: str = Field(default_factory=new_token)
    user_id: str | None = None
    organisation_id: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    pending: dict[str, Any] = Field(default_factory=dict)

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None


class SessionStore:
    """Sessions of one hub (the index prefix keeps test runs apart)."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.ttl = int(settings.session_hours * 3600)
        self.prefix = f"hub:{settings.index_prefix}session:"

    def _key(self, sid: str) -> str:
        return self.prefix + hashlib.sha256(sid.encode()).hexdigest()

    def _user_key(self, user_id: str) -> str:
        return f"{self.prefix}user:{user_id}"

    def create(self, session: Session | None = None) -> tuple[str, Session]:
        """A new session under a fresh random id."""
        sid = secrets.token_urlsafe(32)
        session = session or Session()
        self.save(sid, session)
        if session.user_id:
            user_key = self._user_key(session.user_id)
            self.client.sadd(user_key, self._key(sid))
            self.client.expire(user_key, self.ttl)
        return sid, session

    def load(self, sid: str | None) -> Session | None:
        """The session of `sid` (its expiry pushed back), or None if unknown or expired."""
        if not sid or len(sid) > 128:
            return None
        key = self._key(sid)
        raw = self.client.get(key)
        if raw is None:
            return None
        self.client.expire(key, self.ttl)
        return Session.model_validate_json(raw)

    def save(self, sid: str, session: Session) -> None:
        self.client.set(self._key(sid), session.model_dump_json(), ex=self.ttl)

    def delete(self, sid: str) -> None:
        self.client.delete(self._key(sid))

    def sign_in(self, old_sid: str | None, user_id: str, organisation_id: str) -> str:
        """End the anonymous session and start a signed-in one under a new id."""
        if old_sid:
            self.delete(old_sid)
        sid, _ = self.create(Session(user_id=user_id, organisation_id=organisation_id))
        return sid

    def end_all(self, user_id: str) -> int:
        """Sign a person out everywhere (after a password reset); how many sessions ended."""
        user_key = self._user_key(user_id)
        keys = [
            k.decode() if isinstance(k, bytes) else str(k) for k in self.client.smembers(user_key)
        ]
        ended = int(self.client.delete(*keys)) if keys else 0
        self.client.delete(user_key)
        return ended
