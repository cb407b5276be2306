"""One exception tree for the whole hub.

    HubError                          base; never raised itself
    ├── ConfigError                   settings or a source/mapping config is invalid
    ├── LocalServiceError             a local dev/test service cannot be started
    ├── NotFound                      a source, run or offer id does not exist
    ├── ConflictError                 optimistic concurrency lost (seq_no/primary_term moved on)
    ├── EngineRequestError            the engine refused a request (4xx): a bug or bad input
    ├── ServiceUnavailable            a backing service (engine, Redis, broker) cannot be reached
    │   ├── EngineUnavailable         the search engine did not answer or answered 5xx
    │   └── BrokerUnavailable         Redis/the Celery broker refused or timed out
    ├── FetchError                    fetching a source failed; the run fails, nothing is deleted
    │   ├── TransientFetchError       timeouts, 5xx, 429, connection resets: retried with backoff
    │   └── PermanentFetchError       4xx, malformed feed, HTML instead of a feed: no retry
    │       ├── UnsafeURLError        the URL or a redirect targets a refused address or scheme
    │       └── BodyTooLargeError     the body (or its decompressed form) exceeds the cap
    └── RecordError                   one record cannot become an offer: becomes a rejection,
                                      the rest of the batch goes on

Every class carries a German `message_de` where a municipality or citizen may read it.
"""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub raises on purpose."""

    code: str = "hub_error"

    def __init__(self, message: str, *, message_de: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_de = message_de or message


class ConfigError(HubError):
    """Raised when settings, a source config or a feed mapping does not validate."""

    code = "config_error"


class LocalServiceError(HubError):
    """Raised when a local dev/test service cannot start: port taken, binary or JDK missing,
    download failed, or not healthy in time."""

    code = "local_service"


class NotFound(HubError):
    """Raised when a source, sync run or offer with the given id does not exist."""

    code = "not_found"


class ConflictError(HubError):
    """Raised when a concurrent writer changed a registry document first."""

    code = "conflict"


class EngineRequestError(HubError):
    """Raised when the engine rejects a request with a 4xx other than 404/409."""

    code = "engine_request_error"

    def __init__(self, status: int, info: object) -> None:
        super().__init__(f"engine answered {status}: {info}")
        self.status = status
        self.info = info


class ServiceUnavailable(HubError):
    """Raised when a backing service cannot be reached; callers answer 503 or retry."""

    code = "service_unavailable"


class EngineUnavailable(ServiceUnavailable):
    """Raised when Elasticsearch/OpenSearch does not answer or answers with a 5xx."""

    code = "engine_unavailable"


class BrokerUnavailable(ServiceUnavailable):
    """Raised when Redis (broker, locks) cannot be reached."""

    code = "broker_unavailable"


class FetchError(HubError):
    """Raised when a source cannot be fetched completely; a run with it never deletes."""

    code = "fetch_error"
    status: int | None = None  # the HTTP status behind the error, when there was one


class TransientFetchError(FetchError):
    """Raised for failures worth retrying: timeouts, connection errors, 5xx, 429."""

    code = "fetch_transient"

    def __init__(
        self, message: str, *, message_de: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, message_de=message_de)
        self.retry_after = retry_after


class PermanentFetchError(FetchError):
    """Raised for failures a retry cannot fix: 4xx, malformed or non-feed content."""

    code = "fetch_permanent"


class UnsafeURLError(PermanentFetchError):
    """Raised when a URL or redirect targets a refused scheme, host or address."""

    code = "unsafe_url"


class BodyTooLargeError(PermanentFetchError):
    """Raised when a response body exceeds the configured cap (also after decompression)."""

    code = "body_too_large"


class RecordError(HubError):
    """Raised when one record cannot be normalised; it becomes a rejection."""

    code = "record_invalid"

    def __init__(
        self, message: str, *, code: str = "record_invalid", message_de: str | None = None
    ) -> None:
        super().__init__(message, message_de=message_de)
        self.code = code
