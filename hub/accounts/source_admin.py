"""What a municipality does with its own sources: activate a checked feed, change interval and
filters, mark single records, rotate its secrets, and withdraw a source with all its offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from connectors.sdk.filters import OfferFilters
from connectors.sdk.registry import parse_config
from hub.accounts.organisations import Organisation
from hub.core.errors import BrokerUnavailable, ConflictError
from hub.core.settings import Settings
from hub.ingest.locks import writer_lock_name
from hub.search.engine import SearchEngine
from hub.search.writer import OfferWriter
from hub.sources.enrolment import register_source, request_sync
from hub.sources.secrets import rotate_webhook_secret
from hub.sources.store import Source, SourceInput, SourceRegistry

PUSH_INTERVAL_MINUTES = 24 * 60  # a pushing source is still listed daily for deletions


@dataclass(frozen=True)
class Activated:
    """A registered source with its secrets, shown once, and the first sync's task (None when
    the queue was not reachable: the scheduler picks the source up later)."""

    source: Source
    api_key: str
    webhook_secret: str
    task_id: str | None


def activate(
    settings: Settings,
    engine: SearchEngine,
    org: Organisation,
    source: SourceInput,
) -> Activated:
    """Register `source` for `org` (over all its AGS), give it a webhook secret, queue a sync."""
    data = source.model_copy(update={"ags": list(org.ags)})
    registry = SourceRegistry(engine)
    registered = register_source(settings, registry, data, organisation_id=org.id)
    secret = rotate_webhook_secret(registry, data.id, overlap_hours=0)
    try:
        task: str | None = request_sync(settings, data.id, trigger="enrolment", full=True)
    except BrokerUnavailable:
        task = None
    return Activated(registered.source, registered.api_key, secret.secret, task)


def filters_of(source: Source) -> OfferFilters:
    return OfferFilters.model_validate(source.config.get("offer_filters") or {})


def change_settings(
    registry: SourceRegistry, source_id: str, interval_minutes: int, filters: OfferFilters
) -> Source:
    """New poll interval and offer filters, validated like a registration."""

    def change(source: Source) -> None:
        config: dict[str, Any] = {**source.config, "offer_filters": filters.model_dump()}
        parse_config(source.kind, {**config, "url": source.url})
        source.config = config
        source.interval_minutes = interval_minutes

    return registry.update(source_id, change)


def mark_record(registry: SourceRegistry, source_id: str, local_id: str, is_offer: bool) -> Source:
    """Per-record override: this record is (or is not) an offer, whatever the detection says."""

    def change(source: Source) -> None:
        filters = filters_of(source)
        keep, drop = (
            (filters.offers, filters.not_offers)
            if is_offer
            else (
                filters.not_offers,
                filters.offers,
            )
        )
        if local_id not in keep:
            keep.append(local_id)
        if local_id in drop:
            drop.remove(local_id)
        source.config = {**source.config, "offer_filters": filters.model_dump()}

    return registry.update(source_id, change)


def withdraw(settings: Settings, engine: SearchEngine, client: redis.Redis, source_id: str) -> int:
    """Remove every offer of a source from the search, then the source; how many offers left.

    Holds the source's writer lock, so a running sync cannot write offers back meanwhile; the
    source goes last, so a failed deletion can be repeated.
    """
    lock = client.lock(writer_lock_name(settings, source_id), timeout=600, blocking_timeout=60)
    if not lock.acquire():
        raise ConflictError(
            "sync still running",
            message_de="Gerade läuft eine Synchronisierung. Bitte versuchen Sie es gleich erneut.",
        )
    try:
        registry = SourceRegistry(engine)
        registry.get(source_id)
        writer = OfferWriter(engine)
        result = writer.delete(writer.ids_of_source(source_id))
        writer.refresh()
        if result.failed:  # keep the source, so withdrawing again finishes the job
            raise ConflictError(
                f"{len(result.failed)} offers of {source_id} not deleted",
                message_de="Nicht alle Angebote ließen sich entfernen. Bitte erneut versuchen.",
            )
        registry.delete(source_id)
        return result.deleted
    finally:
        if lock.owned():
            lock.release()
