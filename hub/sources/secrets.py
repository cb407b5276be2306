"""Webhook signing secrets and API keys of a source: creation, rotation with overlap, lookup.

Standard Webhooks signatures are HMACs, so the receiver needs the secret itself — it cannot be
stored as a hash like an API key. Secrets therefore live in the source's registry document
sealed with `HUB_SECRETS_KEY` (`hub.sources.vault`, the same key ring as connector credentials;
the registry seals them on every write), are returned exactly once when created, never appear
in API output or logs (only a short fingerprint does), and expire after rotation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from hub.core.settings import Settings
from hub.core.signing import generate_secret
from hub.sources.keys import hash_key, new_api_key
from hub.sources.store import Source, SourceRegistry
from hub.sources.vault import SecretBox, box_for

DEFAULT_OVERLAP_HOURS = 24


@dataclass(frozen=True)
class NewSecret:
    """A freshly created secret (shown once) and until when the previous ones stay valid."""

    secret: str
    fingerprint: str
    previous_valid_until: datetime | None


def fingerprint(secret: str) -> str:
    """A short, non-reversible tag of a secret for logs and listings."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def _expiry(entry: dict[str, Any]) -> datetime | None:
    raw = entry.get("expires_at")
    return datetime.fromisoformat(raw) if raw else None


def is_valid(entry: dict[str, Any], now: datetime) -> bool:
    """A stored secret is valid until its `expires_at` (none: until rotated)."""
    expiry = _expiry(entry)
    return bool(entry.get("secret")) and (expiry is None or expiry > now)


def active_secrets(source: Source, settings: Settings, now: datetime | None = None) -> list[str]:
    """The clear secrets a webhook of `source` may be signed with right now (newest first)."""
    moment = now or datetime.now(UTC)
    box = box_for(settings)
    valid = [e for e in source.webhook_secrets if is_valid(e, moment)]
    return [_opened(box, str(e["secret"])) for e in reversed(valid)]


@lru_cache(maxsize=4096)
def _opened(box: SecretBox, sealed: str) -> str:
    """A sealed secret's clear text, memoised: opening is deterministic, and the webhook
    receiver would otherwise decrypt the same secrets for every delivery."""
    return box.open(sealed)


def add_secret(
    source: Source, overlap: timedelta, now: datetime | None = None, secret: str | None = None
) -> NewSecret:
    """Add a new secret to `source` (in place); older valid ones expire after `overlap`.

    Expired secrets are dropped; a secret already expiring earlier keeps its earlier expiry.
    """
    moment = now or datetime.now(UTC)
    until = moment + overlap
    kept: list[dict[str, Any]] = []
    for entry in source.webhook_secrets:
        if not is_valid(entry, moment):
            continue
        expiry = _expiry(entry)
        if expiry is None or expiry > until:
            entry = {**entry, "expires_at": until.isoformat()}
        kept.append(entry)
    value = secret or generate_secret()
    kept.append(
        {
            "secret": value,
            "fingerprint": fingerprint(value),
            "created_at": moment.isoformat(),
            "expires_at": None,
        }
    )
    source.webhook_secrets = kept
    return NewSecret(value, fingerprint(value), until if len(kept) > 1 else None)


def rotate_webhook_secret(
    registry: SourceRegistry,
    source_id: str,
    overlap_hours: float = DEFAULT_OVERLAP_HOURS,
    secret: str | None = None,
) -> NewSecret:
    """Create a new secret for a source (concurrency-safe); the old one stays valid a while."""
    created: list[NewSecret] = []

    def change(source: Source) -> None:
        created.clear()
        created.append(add_secret(source, timedelta(hours=overlap_hours), secret=secret))

    registry.update(source_id, change)
    return created[0]


def rotate_api_key(registry: SourceRegistry, source_id: str) -> str:
    """Replace every API key of a source by a new one (shown once); old keys stop at once."""
    key = new_api_key()

    def change(source: Source) -> None:
        source.api_key_hashes = [hash_key(key)]

    registry.update(source_id, change)
    return key
