"""The hub's own local services for dev, tests and CI: Redis and an OpenSearch node.

`up()` starts whatever does not answer yet (reusing what does), `down()` stops only what we
started, `status()` tells which is which. The per-service pairs (`stop_search()` /
`start_search()`, `stop_redis()` / `start_redis()`) let fault tests take one service away
mid-run. Nothing here prints; the CLI (`hub services`) does.
"""

from __future__ import annotations

from hub.core.settings import Settings, get_settings
from hub.dev.services.local import (
    DEFAULT_TIMEOUT,
    Answer,
    LocalService,
    LocalServiceError,
    ServiceState,
    ServiceStatus,
    StartAction,
    StartResult,
    StopAction,
    StopResult,
)
from hub.dev.services.opensearch_service import OpenSearchService
from hub.dev.services.redis_service import RedisService

__all__ = [
    "DEFAULT_TIMEOUT",
    "Answer",
    "LocalService",
    "LocalServiceError",
    "OpenSearchService",
    "RedisService",
    "ServiceState",
    "ServiceStatus",
    "StartAction",
    "StartResult",
    "StopAction",
    "StopResult",
    "down",
    "local_services",
    "start_redis",
    "start_search",
    "status",
    "stop_redis",
    "stop_search",
    "up",
]


def local_services(settings: Settings | None = None) -> list[LocalService]:
    """Both services in start order: Redis (quick) first, then OpenSearch."""
    settings = settings or get_settings()
    return [RedisService(settings), OpenSearchService(settings)]


def up(settings: Settings | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> list[StartResult]:
    """Start (or reuse) Redis and OpenSearch and wait until both are healthy."""
    return [service.start(timeout) for service in local_services(settings)]


def down(settings: Settings | None = None) -> list[StopResult]:
    """Stop the services we started; leave external ones running."""
    return [service.stop() for service in reversed(local_services(settings))]


def status(settings: Settings | None = None) -> list[ServiceStatus]:
    """Who answers on each service's port, and whether we started it."""
    return [service.status() for service in local_services(settings)]


def start_redis(
    settings: Settings | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> StartResult:
    """Start (or reuse) Redis alone, e.g. to bring it back in a fault test."""
    return RedisService(settings or get_settings()).start(timeout)


def stop_redis(settings: Settings | None = None) -> StopResult:
    """Stop our Redis alone, e.g. to test how workers and the API cope without it."""
    return RedisService(settings or get_settings()).stop()


def start_search(
    settings: Settings | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> StartResult:
    """Start (or reuse) OpenSearch alone; its data survives a stop."""
    return OpenSearchService(settings or get_settings()).start(timeout)


def stop_search(settings: Settings | None = None) -> StopResult:
    """Stop our OpenSearch alone, e.g. in the middle of a sync in a fault test."""
    return OpenSearchService(settings or get_settings()).stop()
