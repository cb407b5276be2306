"""Use cases on the source registry that the API and the CLI share: register a source, request
a resync. (Rotating keys and secrets lives beside the secrets, in `hub.sources.secrets`.)

Routes and commands only read their input, authorise and print; what registering means
(validate → new API key → create → store its hash) is decided once, here.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice

import structlog

from connectors.sdk.registry import parse_config
from hub.core.errors import HubError
from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from hub.queue import enqueue_reconcile, enqueue_sync
from hub.sources.keys import hash_key, new_api_key
from hub.sources.store import LIST_PAGE, Source, SourceInput, SourceRegistry

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Registered:
    """A new source and its first API key (shown once, only its hash is stored)."""

    source: Source
    api_key: str


def validate_source(
    settings: Settings, data: SourceInput, fetcher: SafeFetcher | None = None
) -> None:
    """Known connector kind, valid connector config, URL the safe fetcher accepts; otherwise
    `ConfigError` or `UnsafeURLError` with a German message the municipality can act on."""
    parse_config(data.kind, {**data.config, "url": data.url})
    if fetcher is not None:
        fetcher.check_url(data.url)
        return
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


@dataclass
class BulkRegistration:
    """What a bulk registration did: each new source's id and first API key (shown once), and
    each refused one's id (or input line) with the German reason."""

    registered: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def register_sources(
    settings: Settings,
    registry: SourceRegistry,
    inputs: Iterable[SourceInput],
    *,
    organisation_id: str | None = None,
) -> BulkRegistration:
    """Validate and register many sources, each with a fresh API key, written in bulk requests
    of `LIST_PAGE` (10 000 sources: ten bulk writes, not 20 000 refreshing single writes); a
    source that fails validation, whose id is taken or listed twice is refused with its reason,
    the others are registered. Reads `inputs` a page at a time, never a whole file at once."""
    done, pending, seen = BulkRegistration(), iter(inputs), set[str]()
    with closing(SafeFetcher(settings)) as fetcher:  # one for all: building one costs ~10 ms
        while page := list(islice(pending, LIST_PAGE)):
            sources, keys = [], {}
            for data in page:
                if refusal := _refusal(settings, fetcher, data, seen):
                    done.refused.append((data.id, refusal))
                    continue
                keys[data.id] = new_api_key()
                source = Source(**data.model_dump(), organisation_id=organisation_id)
                source.api_key_hashes.append(hash_key(keys[data.id]))
                sources.append(source)
            refused = registry.create_all(sources)
            done.refused.extend(refused.items())
            done.registered.extend((s.id, keys[s.id]) for s in sources if s.id not in refused)
    log.info("sources.registered", count=len(done.registered), refused=len(done.refused))
    return done


def _refusal(settings: Settings, fetcher: SafeFetcher, data: SourceInput, seen: set[str]) -> str:
    """Why one source of a bulk registration is refused (German), or "" if it is fine."""
    if data.id in seen:
        return f"Die Kennung „{data.id}“ steht mehrfach in der Liste."
    seen.add(data.id)
    try:
        validate_source(settings, data, fetcher)
    except HubError as exc:
        return exc.message_de
    return ""


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
