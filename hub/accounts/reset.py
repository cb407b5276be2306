"""Password reset by e-mail, without telling anyone whether an address has an account.

Every request gets the same answer and does the same work: a token is made, hashed and stored
in Redis with an expiry (for an unknown address it points nowhere). Only a known address gets
the mail, sent after the answer (`send_reset_mail`). Tokens are single use (GETDEL) and only
their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import redis

from hub.accounts.mailer import send
from hub.accounts.users import User, UserStore
from hub.core.settings import Settings

TTL_SECONDS = 60 * 60
ANSWER_DE = (
    "Wenn zu dieser Adresse ein Konto besteht, haben wir eine E-Mail mit einem Link zum "
    "Zurücksetzen geschickt. Der Link gilt eine Stunde."
)
INVALID_DE = "Der Link ist ungültig, abgelaufen oder wurde schon benutzt."
SUBJECT_DE = "Familienhub NRW: Passwort zurücksetzen"


@dataclass(frozen=True)
class ResetRequest:
    """A token made for a request; `user` is None for an unknown address."""

    token: str
    user: User | None


class ResetTokens:
    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.prefix = f"hub:{settings.index_prefix}reset:"

    def _key(self, token: str) -> str:
        return self.prefix + hashlib.sha256(token.encode()).hexdigest()

    def request(self, users: UserStore, email: str, ttl: int = TTL_SECONDS) -> ResetRequest:
        """Make and store a token whether or not the address is known."""
        user = users.by_email(email)
        token = secrets.token_urlsafe(32)
        owner = user.id if user and user.active else ""
        self.client.set(self._key(token), owner, ex=ttl)
        return ResetRequest(token, user if owner else None)

    def peek(self, token: str) -> bool:
        """Whether a token is (still) valid, without using it (to show the form)."""
        return bool(token) and bool(self.client.get(self._key(token)))

    def redeem(self, token: str) -> str | None:
        """The user id of a valid token, which is used up by this call; else None."""
        if not token or len(token) > 128:
            return None
        owner = self.client.getdel(self._key(token))
        if not owner:
            return None
        return owner.decode() if isinstance(owner, bytes) else str(owner)


def password_link(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/passwort-neu?token={token}"


def send_reset_mail(settings: Settings, request: ResetRequest) -> None:
    """The mail with the reset link, to known addresses only (runs after the answer)."""
    if request.user is None:
        return
    link = password_link(settings, request.token)
    body = (
        "Guten Tag,\n\n"
        "für Ihr Konto beim Familienhub NRW wurde ein neues Passwort angefordert. "
        f"Über diesen Link können Sie es innerhalb einer Stunde festlegen:\n\n{link}\n\n"
        "Wenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren; "
        "Ihr Passwort bleibt dann unverändert.\n"
    )
    send(settings, request.user.email, SUBJECT_DE, body)
