"""Which HTTP status and which public German text a hub error gets: the one decision the API's
JSON answers (`hub.api.errors`) and the staff pages' German pages (`hub.web.accounts`) share.
4xx answers keep the error's German reason; 5xx answers say in general terms what is
unavailable (the internal message goes to the log, never to the client).
"""

from __future__ import annotations

from hub.core.errors import (
    AccessDenied,
    BadTimestampError,
    BrokerUnavailable,
    ConfigError,
    ConflictError,
    EngineUnavailable,
    EventShapeError,
    HubError,
    MissingHeadersError,
    NotFound,
    ServiceUnavailable,
    UnknownPlace,
    WebhookVerificationError,
)

# first match wins: subclasses before their parents
STATUS: tuple[tuple[type[HubError], int], ...] = (
    (MissingHeadersError, 400),
    (BadTimestampError, 400),
    (WebhookVerificationError, 401),
    (AccessDenied, 403),
    (NotFound, 404),
    (ConflictError, 409),
    (ConfigError, 422),
    (UnknownPlace, 422),
    (EventShapeError, 422),
    (ServiceUnavailable, 503),
)
DEFAULT_STATUS = 400

UNAVAILABLE_DE: tuple[tuple[type[ServiceUnavailable], str], ...] = (
    (EngineUnavailable, "Der Suchdienst ist gerade nicht erreichbar."),
    (BrokerUnavailable, "Die Warteschlange ist gerade nicht erreichbar."),
    (ServiceUnavailable, "Ein benötigter Dienst ist gerade nicht erreichbar."),
)
TRY_LATER_DE = "Bitte versuchen Sie es in ein paar Minuten erneut."
INTERNAL_DE = "Bei der Bearbeitung ist ein interner Fehler aufgetreten."

# code and German reason of answers FastAPI or Starlette raise with their English default text
HTTP_ERRORS = {
    400: ("bad_request", "Die Anfrage ist fehlerhaft."),
    401: ("unauthorized", "Anmeldung fehlt oder ist ungültig."),
    403: ("forbidden", "Kein Zugriff."),
    404: ("not_found", "Diese Adresse gibt es nicht."),
    405: ("method_not_allowed", "Diese Methode ist hier nicht erlaubt."),
    409: ("conflict", "Gleichzeitig wurde etwas anderes geändert. Bitte erneut versuchen."),
    413: ("too_large", "Der Inhalt ist zu groß."),
    422: ("invalid_request", "Die Anfrage ist ungültig."),
    429: ("too_many_requests", "Zu viele Anfragen. Bitte warten Sie einen Moment."),
}


def status_of(exc: HubError) -> int:
    return next((status for cls, status in STATUS if isinstance(exc, cls)), DEFAULT_STATUS)


def public_detail(exc: HubError, status: int) -> str:
    """German text safe to show anyone: the error's own for 4xx, a general one for 5xx."""
    if status >= 500:
        what = next((text for cls, text in UNAVAILABLE_DE if isinstance(exc, cls)), INTERNAL_DE)
        return f"{what} {TRY_LATER_DE}"
    if exc.message_de == exc.message:  # raised without a German text: never echo the English
        return HTTP_ERRORS.get(status, HTTP_ERRORS[DEFAULT_STATUS])[1]
    return exc.message_de
