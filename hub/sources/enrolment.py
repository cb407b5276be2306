"""Use cases on the source registry that the API and the CLI share: register a source, request
a resync. (Rotating keys and secrets lives beside the secrets, in `hub.sources.secrets`.)

Routes and commands only read their input, authorise and print; what registering means
(validate → new API key → create → store its hash) is decided once, here.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from connectors.sdk.registry import parse_config
from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from hub.queue import enqueue_reconcile, enqueue_sync
from hub.sources.keys import hash_key, new_api_key
from hub.sources.store import Source, SourceInput, SourceRegistry

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Registered:
    """A new source and its first API key (shown once, only its hash is stored)."""

    source: Source
    api_key: str


def validate_source(settings: Settings, data: SourceInput) -> None:
    """Known connector kind, valid connector config, URL the safe fetcher accepts; otherwise
    `ConfigError` or `UnsafeURLError` with a German message the municipality can act on."""
    parse_config(data.kind, {**data.config, "url": data.url})
    fetcher = SafeFetcher(settings)
    try:
        fetcher.check_url(data.url)
    finally:
        fetcher.close()


def register_source(
    settings: Settings,
    registry: SourceRegistry,
    data: SourceInput,
    *,
    organisation_id: str | None = None,
) -> Registered:
    """Validate and register a source with a fresh API key, owned by `organisation_id` when
    given; `ConfigError` if the id is taken."""
    validate_source(settings, data)
    key = new_api_key()
    registry.create(data)

    def first_key(source: Source) -> None:
        source.api_key_hashes.append(hash_key(key))
        source.organisation_id = organisation_id

    source = registry.update(data.id, first_key)
    log.info("source.registered", source_id=data.id, kind=data.kind, organisation=organisation_id)
    return Registered(source, key)


def request_sync(
    settings: Settings,
    source_id: str,
    *,
    trigger: str,
    full: bool = False,
    reconcile: bool = False,
    allow_mass_delete: bool = False,
) -> str:
    """Queue a sync (or, with `reconcile`, a reconciliation) of a source for the workers; its
    task id, or `BrokerUnavailable`."""
    if reconcile:
        task_id = enqueue_reconcile(
            settings, source_id, trigger=trigger, allow_mass_delete=allow_mass_delete
        )
    else:
        task_id = enqueue_sync(
            settings, source_id, trigger=trigger, full=full, allow_mass_delete=allow_mass_delete
        )
    what = "reconcile" if reconcile else "sync"
    log.info(f"source.{what}_requested", source_id=source_id, trigger=trigger, task_id=task_id)
    return task_id
