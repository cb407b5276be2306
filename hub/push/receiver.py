"""The webhook receiver: verify → dedupe → check the shape → enqueue, never the work itself.

A delivery is answered 202 only after Redis holds the event (the source's backlog,
`hub.push.backlog`, drained in batches by the events worker); a webhook-id is processed once
(`SET NX EX` in Redis). If Redis or the broker refuses, the dedupe key is released so the
sender's retry of the same id is not mistaken for a duplicate.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import redis

from hub.core.errors import (
    BrokerUnavailable,
    ConflictError,
    EventShapeError,
    WebhookVerificationError,
)
from hub.core.metrics import WEBHOOK_ACK_SECONDS
from hub.core.settings import Settings
from hub.core.signing import verify
from hub.push.backlog import EventBacklog, PushedEvent
from hub.push.recent_sources import RecentSources
from hub.queue import BROKER_DOWN_DE
from hub.sources.secrets import active_secrets
from hub.sources.store import Source, SourceRegistry, SourceState

EVENT_TYPES = ("offer.upserted", "offer.deleted", "source.sync_requested")
# (source id, event type, data, webhook-id, timestamp) → id of a task queued for it, if any
Enqueue = Callable[[str, str, dict[str, Any], str, int], str | None]


@dataclass(frozen=True)
class Receipt:
    """What the receiver did with one delivery."""

    status: str  # "queued" | "duplicate"
    webhook_id: str
    task_id: str | None = None


RECENT_SOURCES = RecentSources()  # shared by the receivers of one process


def dedupe_key(settings: Settings, source_id: str, webhook_id: str) -> str:
    return f"hub:{settings.index_prefix}webhook:{source_id}:{webhook_id}"


class WebhookReceiver:
    """Accepts one signed delivery for one source."""

    def __init__(
        self,
        settings: Settings,
        registry: SourceRegistry,
        client: redis.Redis,
        enqueue: Enqueue | None = None,
        sources: RecentSources = RECENT_SOURCES,
    ) -> None:
        self.settings, self.registry, self.redis = settings, registry, client
        self.sources = sources
        self.enqueue = enqueue or self._append

    def _append(
        self, source_id: str, event_type: str, data: dict[str, Any], webhook_id: str, at: int
    ) -> str | None:
        event = PushedEvent(event_type, data, webhook_id, at)
        return EventBacklog(self.settings, self.redis, source_id).append(event)

    @WEBHOOK_ACK_SECONDS.time()
    def receive(self, source_id: str, headers: Mapping[str, str], body: bytes, now: int) -> Receipt:
        """Raise NotFound, WebhookVerificationError, EventShapeError or BrokerUnavailable."""
        source = self.sources.get(self.registry, source_id)
        try:
            self._verify(source, headers, body, now)
        except WebhookVerificationError:  # a secret rotated since the memo was read?
            source = self.sources.get(self.registry, source_id, fresh=True)
            self._verify(source, headers, body, now)
        if source.state == SourceState.PAUSED:  # resumed since the memo was read?
            source = self.sources.get(self.registry, source_id, fresh=True)
        if source.state == SourceState.PAUSED:
            # not 2xx: a Standard Webhooks sender keeps the event and retries later
            raise ConflictError(
                f"source {source_id!r} is paused",
                message_de="Die Quelle ist pausiert; Ereignisse werden nach der Freigabe "
                "wieder angenommen.",
            )
        lowered = {k.lower(): v for k, v in headers.items()}
        webhook_id = lowered["webhook-id"].strip()
        timestamp = int(lowered["webhook-timestamp"].strip())
        key = dedupe_key(self.settings, source_id, webhook_id)
        if not self._claim(key):
            return Receipt("duplicate", webhook_id)
        try:
            event_type, data = parse_event(body)
            task_id = self.enqueue(source_id, event_type, data, webhook_id, timestamp)
        except (EventShapeError, BrokerUnavailable):
            self._release(key)
            raise
        return Receipt("queued", webhook_id, task_id)

    def _verify(self, source: Source, headers: Mapping[str, str], body: bytes, now: int) -> None:
        secrets = active_secrets(source, self.settings)
        verify(secrets, headers, body, now=now, tolerance=self.settings.webhook_tolerance_seconds)

    def _claim(self, key: str) -> bool:
        try:
            return bool(
                self.redis.set(key, "1", nx=True, ex=self.settings.webhook_dedupe_ttl_seconds)
            )
        except redis.RedisError as exc:
            raise _broker_down(exc) from exc

    def _release(self, key: str) -> None:
        # Redis gone: the key went with it or expires; the sender retries either way
        with contextlib.suppress(redis.RedisError):
            self.redis.delete(key)


def parse_event(body: bytes) -> tuple[str, dict[str, Any]]:
    """The event type and data of a body; `EventShapeError` with a German message otherwise."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _shape("body is not JSON", "Der Inhalt ist kein gültiges JSON.") from None
    if not isinstance(document, dict):
        raise _shape("body is not an object", "Der Inhalt muss ein JSON-Objekt sein.")
    event_type = document.get("type")
    if event_type not in EVENT_TYPES:
        raise _shape(
            f"unknown event type {str(event_type)[:60]!r}",
            "Unbekannter Ereignistyp; erlaubt sind: " + ", ".join(EVENT_TYPES) + ".",
        )
    data = document.get("data", {} if event_type == "source.sync_requested" else None)
    if not isinstance(data, dict):
        raise _shape("data is not an object", "„data“ muss ein JSON-Objekt sein.")
    if event_type == "offer.deleted" and not _local_id(data):
        raise _shape(
            "offer.deleted needs data.local_id",
            "Für „offer.deleted“ fehlt „data.local_id“ (die Kennung des Angebots).",
        )
    return str(event_type), data


def _local_id(data: Mapping[str, Any]) -> str:
    value = data.get("local_id") or data.get("id")
    return str(value) if isinstance(value, str | int) and str(value).strip() else ""


def _shape(message: str, message_de: str) -> EventShapeError:
    return EventShapeError(message, message_de=message_de)


def _broker_down(exc: BaseException) -> BrokerUnavailable:
    return BrokerUnavailable(f"broker unavailable: {exc}", message_de=BROKER_DOWN_DE)
