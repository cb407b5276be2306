"""An organisation's admins invite colleagues: an account without a usable password and a mail
with a link to set one (the password-reset link, valid for a week)."""

from __future__ import annotations

import secrets

import redis

from hub.accounts.mailer import send
from hub.accounts.organisations import Organisation
from hub.accounts.reset import ResetTokens, password_link
from hub.accounts.users import Role, User, UserStore
from hub.core.settings import Settings
from hub.search.engine import SearchEngine

INVITE_TTL_SECONDS = 7 * 24 * 3600
SUBJECT_DE = "Einladung zum Familienhub NRW"


def invite(
    settings: Settings,
    engine: SearchEngine,
    client: redis.Redis,
    org: Organisation,
    email: str,
    role: Role,
) -> User:
    """Create the colleague's account and mail her the link; `ConfigError` (German) if the
    address is invalid or has an account already."""
    users = UserStore(engine)
    user = users.create(email, secrets.token_urlsafe(32), org.id, [role])
    made = ResetTokens(client, settings).request(users, user.email, ttl=INVITE_TTL_SECONDS)
    body = (
        "Guten Tag,\n\n"
        f"Sie wurden eingeladen, für „{org.name}“ im Familienhub NRW mitzuarbeiten. "
        "Über diesen Link legen Sie innerhalb einer Woche Ihr Passwort fest:\n\n"
        f"{password_link(settings, made.token)}\n\n"
        "Wenn Sie damit nicht gerechnet haben, können Sie diese E-Mail ignorieren.\n"
    )
    send(settings, user.email, SUBJECT_DE, body)
    return user
