"""Per-source API keys: random, shown once, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "fh_"


def new_api_key() -> str:
    """A fresh high-entropy key (shown to the municipality once)."""
    return PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """SHA-256 of a key; keys are random 256-bit strings, so no slow KDF is needed."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(key: str, hashes: list[str]) -> bool:
    digest = hash_key(key)
    return any(hmac.compare_digest(digest, known) for known in hashes)
