"""CSRF protection by the synchroniser-token pattern: each session holds one random token, each
form sends it back in a hidden field, and a state-changing request without the right token is
refused. SameSite=Lax cookies alone would leave top-level POSTs from old browsers open."""

from __future__ import annotations

import hmac
import secrets

FIELD = "csrf_token"
REFUSED_DE = (
    "Das Formular ist abgelaufen oder kam nicht von dieser Seite. "
    "Bitte laden Sie die Seite neu und senden Sie es erneut."
)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token on either side never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
