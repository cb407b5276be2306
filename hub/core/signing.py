"""Standard Webhooks signatures (symmetric `v1`, HMAC-SHA256) for pushed municipal updates.

The signed content is `webhook-id.webhook-timestamp.body` with the raw body bytes, never a
re-serialised JSON. Secrets are base64 (24+ random bytes), shown as `whsec_…`; during rotation
a receiver holds several secrets and a sender may send several space-separated signatures:
one match among them suffices. Comparisons are constant-time; the timestamp must lie within
`tolerance` seconds of now (replay protection; deduplicating the id is the receiver's job).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets as _random
from collections.abc import Mapping

from hub.core.errors import (
    BadSignatureError,
    BadTimestampError,
    InvalidSecretError,
    MissingHeadersError,
    TimestampOutOfToleranceError,
)

SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES = 24
DEFAULT_TOLERANCE = 300
MAX_SIGNATURES = 20
_TIMESTAMP = re.compile(r"^[0-9]{1,15}$")


def generate_secret(nbytes: int = 32) -> str:
    """A new random signing secret in the `whsec_<base64>` form shown to municipalities."""
    if nbytes < MIN_SECRET_BYTES:
        raise ValueError(f"secrets need at least {MIN_SECRET_BYTES} bytes")
    return SECRET_PREFIX + base64.b64encode(_random.token_bytes(nbytes)).decode("ascii")


def decode_secret(secret: str) -> bytes:
    """The key bytes of a `whsec_`-prefixed or bare base64 secret."""
    text = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) < MIN_SECRET_BYTES:
        raise InvalidSecretError(
            "webhook secret is empty, not base64 or too short",
            message_de="Das Webhook-Geheimnis ist ungültig (leer, kein Base64 oder kürzer als "
            f"{MIN_SECRET_BYTES} Byte); bitte ein neues erzeugen.",
        )
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The `v1,<base64>` signature of one delivery."""
    if "." in msg_id or not msg_id:
        raise ValueError("a webhook id must be non-empty and must not contain '.'")
    return "v1," + _digest(decode_secret(secret), msg_id, str(int(timestamp)), body)


def sign_headers(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> dict[str, str]:
    """The three Standard Webhooks headers for one delivery (senders and tests)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def verify(
    secrets: list[str],
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE,
) -> None:
    """Return if `body` is signed by one of `secrets` within the tolerance; raise otherwise."""
    keys = [decode_secret(s) for s in secrets]
    if not keys:
        raise InvalidSecretError(
            "no webhook secret configured",
            message_de="Für diese Quelle ist kein Webhook-Geheimnis hinterlegt.",
        )
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id, stamp, signatures = (
        lowered.get(name, "").strip()
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    )
    if not (msg_id and stamp and signatures):
        raise MissingHeadersError(
            "webhook-id, webhook-timestamp and webhook-signature are required",
            message_de="Es fehlen die Kopfzeilen webhook-id, webhook-timestamp oder "
            "webhook-signature.",
        )
    if not _TIMESTAMP.match(stamp):
        raise BadTimestampError(
            f"webhook-timestamp {stamp[:40]!r} is not Unix seconds",
            message_de="webhook-timestamp muss eine ganze Zahl (Unix-Sekunden) sein.",
        )
    if abs(now - int(stamp)) > tolerance:
        raise TimestampOutOfToleranceError(
            f"webhook-timestamp {stamp} is {now - int(stamp)} s from now (tolerance {tolerance})",
            message_de=f"Der Zeitstempel weicht um mehr als {tolerance} Sekunden ab; bitte die "
            "Uhrzeit des sendenden Servers prüfen.",
        )
    offered = [
        sig.encode("utf-8", "replace")
        for version, _, sig in (part.partition(",") for part in signatures.split()[:MAX_SIGNATURES])
        if version == "v1" and sig
    ]
    for key in keys:
        expected = _digest(key, msg_id, stamp, body).encode("ascii")
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            return
    raise BadSignatureError(
        "no webhook signature matches",
        message_de="Die Signatur des Webhooks stimmt nicht; bitte das Geheimnis prüfen.",
    )


def _digest(key: bytes, msg_id: str, timestamp: str, body: bytes | str) -> str:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    content = f"{msg_id}.{timestamp}.".encode() + raw
    return base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode("ascii")
