"""The signed form token of the citizen report form: CSRF protection and a time check at once.

The citizen pages keep no session, so a classic session-bound CSRF token has nothing to bind
to. The form instead carries `<issued unix seconds>.<HMAC(server key, offer id, issued)>`: a
cross-site page cannot mint one (it lacks the key), a token only fits its own offer, and its
age proves the form was shown at least `min_seconds` ago (bots post at once) and not longer
than `max_age` ago (no harvesting tokens for later floods).
"""

from __future__ import annotations

import hashlib
import hmac

from hub.core.errors import ReportRefused


def issue(key: bytes, offer_id: str, now: float) -> str:
    """A token for the form of `offer_id` shown at `now` (Unix seconds)."""
    issued = int(now)
    return f"{issued}.{_signature(key, offer_id, issued)}"


def verify(
    key: bytes, offer_id: str, token: str, now: float, *, min_seconds: float, max_age: float
) -> None:
    """`ReportRefused` (German) unless `token` was issued for `offer_id` within the window."""
    stamp, _, signature = token.partition(".")
    if not stamp.isdigit() or not hmac.compare_digest(
        signature.encode(), _signature(key, offer_id, int(stamp)).encode()
    ):
        raise ReportRefused(
            "form token missing or forged",
            message_de="Das Formular ist ungültig. Bitte laden Sie die Seite neu und senden "
            "Sie die Meldung noch einmal.",
            status=403,
        )
    age = now - int(stamp)
    if age < min_seconds:
        raise ReportRefused(
            f"form sent {age:.0f}s after it was shown",
            message_de="Das ging zu schnell. Bitte warten Sie einen Moment und senden Sie die "
            "Meldung dann noch einmal.",
            status=400,
        )
    if age > max_age:
        raise ReportRefused(
            "form token expired",
            message_de="Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und senden "
            "Sie die Meldung noch einmal.",
            status=400,
        )


def _signature(key: bytes, offer_id: str, issued: int) -> str:
    message = f"report-form\x00{offer_id}\x00{issued}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
