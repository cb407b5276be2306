"""One exception tree for the whole project: every exception class of hub/, connectors/ and
workers/ is defined here, so a caller finds what it may catch in one place.

    HubError                              base; never raised itself
    ├── ConfigError                       settings or a source/mapping config is invalid
    ├── LocalServiceError                 a local dev/test service cannot be started
    ├── NotFound                          a source, run or offer id does not exist
    ├── ConflictError                     optimistic concurrency lost (seq_no/primary_term moved on)
    ├── UnknownPlace                      the place of residence searched is not in NRW's gazetteer
    ├── AccessDenied                      a signed-in principal asks for an area it does not serve
    ├── EngineRequestError                the engine refused a request (4xx): a bug or bad input
    ├── ReindexError                      a reindex copy did not complete; alias untouched
    ├── BackupError                       a snapshot could not be written or restored
    ├── ServiceUnavailable                a backing service (engine, Redis, broker) is unreachable
    │   ├── EngineUnavailable             the search engine did not answer or answered 5xx
    │   ├── BrokerUnavailable             Redis/the Celery broker refused or timed out
    │   └── MailUnavailable               no SMTP server configured, or it refused the mail
    ├── ReportRefused                     a parent's correction report fails a spam/abuse check
    ├── WebhookVerificationError          a pushed delivery cannot be authenticated
    │   ├── MissingHeadersError           a webhook-* header is absent or empty
    │   ├── BadTimestampError             webhook-timestamp is not integer Unix seconds
    │   ├── TimestampOutOfToleranceError  webhook-timestamp is too far from now (replay, clock)
    │   ├── BadSignatureError             no signature matches a current secret
    │   └── InvalidSecretError            a configured secret is empty, not base64 or too short
    ├── EventShapeError                   a verified webhook body is not a known event
    ├── FetchError                        fetching a source failed; the run fails, deletes nothing
    │   ├── TransientFetchError           timeouts, 5xx, 429, resets: retried with backoff
    │   └── PermanentFetchError           4xx, malformed feed, HTML instead of a feed: no retry
    │       ├── UnsafeURLError            a URL or redirect targets a refused address or scheme
    │       │   └── RefusedURLError       the same, with a machine-readable `reason`
    │       │       └── UnresolvableHostError  the host name does not resolve
    │       ├── BodyTooLargeError         the body (or its decompressed form) exceeds the cap
    │       └── UnsafeXMLError            XML is malformed, too large or uses refused features
    ├── RecordError                       one record cannot become an offer: becomes a rejection,
    │                                     the rest of the batch goes on
    ├── SignInError                       an OpenID Connect sign-in cannot be verified
    └── PageRefusal                       a staff page refuses a request: a German page or a
                                          redirect (sign-in), with its HTTP status

Every class carries a German `message_de` where a municipality or citizen may read it; the
English `message` is for logs only. How each class becomes an HTTP answer is decided in one
place, `hub/core/answers.py` (status and public German text), used by the API and the pages.
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


class UnknownPlace(HubError):
    """Raised when the place of residence of a search is not in the NRW gazetteer."""

    code = "unknown_place"


class AccessDenied(HubError):
    """Raised when a principal asks for data of an area outside the areas it may see."""

    code = "forbidden"


class EngineRequestError(HubError):
    """Raised when the engine rejects a request with a 4xx other than 404/409."""

    code = "engine_request_error"

    def __init__(self, status: int, info: object) -> None:
        super().__init__(f"engine answered {status}: {info}")
        self.status = status
        self.info = info


class ReindexError(HubError):
    """Raised when the copy into a new index did not complete; the alias was not touched."""

    code = "reindex_failed"


class BackupError(HubError):
    """Raised when the engine cannot write, list or restore a snapshot (repository not allowed
    or not writable, snapshot missing or failed); the German message says what was kept."""

    code = "backup_failed"


class ServiceUnavailable(HubError):
    """Raised when a backing service cannot be reached; callers answer 503 or retry."""

    code = "service_unavailable"


class EngineUnavailable(ServiceUnavailable):
    """Raised when Elasticsearch/OpenSearch does not answer or answers with a 5xx."""

    code = "engine_unavailable"


class BrokerUnavailable(ServiceUnavailable):
    """Raised when Redis (broker, locks) cannot be reached."""

    code = "broker_unavailable"


class MailUnavailable(ServiceUnavailable):
    """Raised when no SMTP server is configured or it does not take a mail."""

    code = "mail_unavailable"


class ReportRefused(HubError):
    """Raised when a correction report is refused (honeypot, form token, rate limit, length);
    `status` is the HTTP answer (400, 403 or 429), `message_de` what the parent reads."""

    code = "report_refused"

    def __init__(self, message: str, *, message_de: str, status: int = 400) -> None:
        super().__init__(message, message_de=message_de)
        self.status = status


class WebhookVerificationError(HubError):
    """Raised when a pushed webhook cannot be authenticated; the receiver answers 401/400."""

    code = "webhook_invalid"


class MissingHeadersError(WebhookVerificationError):
    """Raised when webhook-id, webhook-timestamp or webhook-signature is absent or empty."""

    code = "missing_headers"


class BadTimestampError(WebhookVerificationError):
    """Raised when webhook-timestamp is not a plain integer of Unix seconds."""

    code = "bad_timestamp"


class TimestampOutOfToleranceError(WebhookVerificationError):
    """Raised when webhook-timestamp is further than the tolerance from now (replay, clock)."""

    code = "timestamp_out_of_tolerance"


class BadSignatureError(WebhookVerificationError):
    """Raised when no `v1` signature in the header matches any current secret."""

    code = "bad_signature"


class InvalidSecretError(WebhookVerificationError):
    """Raised when a configured secret is empty, not base64 or shorter than 24 bytes."""

    code = "invalid_secret"


class EventShapeError(HubError):
    """Raised when a verified webhook body is not a known event (the receiver answers 422)."""

    code = "event_invalid"


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


class RefusedURLError(UnsafeURLError):
    """Raised when the address policy refuses a URL; carries a machine-readable `reason`
    (scheme, userinfo, loopback, ...)."""

    def __init__(self, message: str, *, reason: str, message_de: str) -> None:
        super().__init__(message, message_de=message_de)
        self.reason = reason


class UnresolvableHostError(RefusedURLError):
    """Raised when a host name does not resolve: an address we cannot see, we cannot check."""

    code = "unresolvable_host"


class BodyTooLargeError(PermanentFetchError):
    """Raised when a response body exceeds the configured cap (also after decompression)."""

    code = "body_too_large"


class UnsafeXMLError(PermanentFetchError):
    """Raised when an XML payload is malformed, too large or uses refused XML features."""

    code = "unsafe_xml"

    def __init__(self, message: str, *, reason: str, message_de: str) -> None:
        super().__init__(message, message_de=message_de)
        self.reason = reason


class RecordError(HubError):
    """Raised when one record cannot be normalised; it becomes a rejection."""

    code = "record_invalid"

    def __init__(
        self, message: str, *, code: str = "record_invalid", message_de: str | None = None
    ) -> None:
        super().__init__(message, message_de=message_de)
        self.code = code


class SignInError(HubError):
    """Raised when an OpenID Connect sign-in fails: provider unreachable, state or nonce
    mismatch, a token whose signature, issuer, audience or expiry does not verify."""

    code = "sign_in_failed"


class PageRefusal(HubError):
    """Raised by a staff page (sign-in, municipality, ministry) to answer with a German page
    and `status`, or with a redirect to `location` (e.g. the sign-in page)."""

    code = "page_refusal"

    def __init__(self, status: int, message_de: str, location: str | None = None) -> None:
        super().__init__(message_de, message_de=message_de)
        self.status = status
        self.location = location
