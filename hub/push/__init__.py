"""Webhooks: Standard Webhooks signing and verification for pushed updates."""

from hub.core.errors import (
    BadSignatureError,
    BadTimestampError,
    InvalidSecretError,
    MissingHeadersError,
    TimestampOutOfToleranceError,
    WebhookVerificationError,
)
from hub.push.signing import (
    generate_secret,
    sign,
    sign_headers,
    verify,
)

__all__ = [
    "BadSignatureError",
    "BadTimestampError",
    "InvalidSecretError",
    "MissingHeadersError",
    "TimestampOutOfToleranceError",
    "WebhookVerificationError",
    "generate_secret",
    "sign",
    "sign_headers",
    "verify",
]
