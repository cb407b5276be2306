"""Parents' correction reports ("Fehler melden"): checked, stored in `hub-reports`, routed to the
municipality whose source publishes the offer. A report never edits the offer; the municipality
fixes its own CMS, marks the report done, and the next sync shows the change.

Spam resistance without third parties, in the order checked: a honeypot field, the signed
form token (`formtoken`: CSRF and time window), the field rules, then rate limits per client
(keyed hash only) and per offer (`throttle`). The text is stored as typed (control characters
removed) and only ever shown escaped or as plain text.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote

import redis
import structlog
from pydantic import BaseModel, Field

from hub.accounts.users import UserStore
from hub.core.errors import BrokerUnavailable, NotFound, ReportRefused
from hub.core.mail import send_mail
from hub.core.settings import Settings
from hub.notify import formtoken
from hub.notify.mail import render_mail
from hub.notify.throttle import WindowLimit, client_hash
from hub.queue import enqueue_report_mail
from hub.search.engine import SearchEngine
from hub.search.indices import REPORTS, ensure_registry_index
from hub.search.runner import get_offer
from hub.sources.store import EMAIL, Source, SourceRegistry
from hub.sources.vault import derived_key

log = structlog.get_logger(__name__)

CATEGORIES: dict[str, str] = {
    "zeiten": "Zeiten oder Termine stimmen nicht",
    "ort": "Adresse oder Ort stimmt nicht",
    "kontakt": "Kontaktdaten stimmen nicht",
    "kosten": "Angaben zu Kosten stimmen nicht",
    "beendet": "Das Angebot gibt es nicht mehr",
    "link": "Ein Link funktioniert nicht",
    "sonstiges": "Etwas anderes",
}
MESSAGE_MAX = 2000
MESSAGE_MIN_OTHER = 10  # "Etwas anderes" needs a few words to be actionable
EMAIL_MAX = 254
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class ReportStatus(StrEnum):
    NEW = "neu"
    DONE = "erledigt"


class Report(BaseModel):
    """One stored report; `source_id` is taken from the indexed offer, never from the form."""

    id: str
    offer_id: str
    source_id: str
    offer_title: str
    offer_url: str
    category: str
    message: str = ""
    contact_email: str | None = None
    status: ReportStatus = ReportStatus.NEW
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    done_at: datetime | None = None

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)


@dataclass(frozen=True)
class ReportForm:
    """What the citizen's browser posted."""

    offer_id: str
    category: str
    message: str
    contact_email: str
    token: str
    honeypot: str


def clean_text(value: str) -> str:
    """NFC text without control or bidi-override characters, at most two line breaks in a row."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = CONTROL.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def recipients_for_source(engine: SearchEngine, source: Source) -> list[str]:
    """Who hears of reports and reminders about a source's offers (the one routing rule): the
    active people of the source's organisation, then the source's own contact addresses, each
    once; a source without organisation (registered before accounts) has only its addresses."""
    seen: dict[str, None] = {}
    for address in [*people_of(engine, source.organisation_id), *source.contact_emails]:
        seen.setdefault(address.strip().lower(), None)
    return [address for address in seen if address]


def people_of(engine: SearchEngine, organisation_id: str | None) -> list[str]:
    """The e-mail addresses of an organisation's active people (every role: admins and
    editors both look after the offers)."""
    if not organisation_id:
        return []
    try:
        people = UserStore(engine).of_organisation(organisation_id)
    except NotFound:  # no one has ever signed up on this hub
        return []
    return [person.email for person in people if person.active]


class ReportStore:
    """`hub-reports`: add, list per source, mark done."""

    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        self.index = engine.name(REPORTS)

    def add(self, report: Report) -> Report:
        ensure_registry_index(self.engine, REPORTS, update_mapping=False)  # hubs from before
        self.engine.request(
            "PUT",
            f"/{self.index}/_create/{report.id}",
            report.model_dump(mode="json"),
            params={"refresh": "true"},
        )
        return report

    def get(self, report_id: str) -> Report:
        try:
            found = self.engine.request("GET", self.engine.doc_path(REPORTS, report_id))
        except NotFound:
            raise NotFound(
                f"unknown report {report_id!r}", message_de="Diese Meldung gibt es nicht."
            ) from None
        return Report.model_validate(found["_source"])

    def of_source(self, source_id: str, report_id: str) -> Report:
        """A report of this source; another source's report is as unknown as a missing one."""
        report = self.get(report_id)
        if report.source_id != source_id:
            raise NotFound(
                f"report {report_id!r} is not of source {source_id!r}",
                message_de="Diese Meldung gibt es nicht.",
            )
        return report

    def for_source(
        self, source_id: str, status: ReportStatus | None = None, size: int = 500
    ) -> list[Report]:
        return self.for_sources([source_id], status, size)

    def for_sources(
        self, source_ids: list[str], status: ReportStatus | None = None, size: int = 500
    ) -> list[Report]:
        """The reports on these sources' offers, newest first (none for no source)."""
        if not source_ids:
            return []
        filters: list[dict[str, Any]] = [{"terms": {"source_id": source_ids}}]
        if status is not None:
            filters.append({"term": {"status": status.value}})
        body = {
            "size": size,
            "query": {"bool": {"filter": filters}},
            "sort": [{"created_at": "desc"}],
        }
        try:
            found = self.engine.request("POST", f"/{self.index}/_search", body)
        except NotFound:  # no report was ever sent on this hub
            return []
        return [Report.model_validate(hit["_source"]) for hit in found["hits"]["hits"]]

    def mark_done(self, source_id: str, report_id: str) -> Report:
        report = self.of_source(source_id, report_id)
        if report.status is not ReportStatus.DONE:
            report.status, report.done_at = ReportStatus.DONE, datetime.now(UTC)
            self.engine.request(
                "PUT",
                self.engine.doc_path(REPORTS, report_id),
                report.model_dump(mode="json"),
                params={"refresh": "true"},
            )
        return report


class ReportDesk:
    """The use case behind the form: issue its token, check and take a report."""

    def __init__(self, settings: Settings, engine: SearchEngine, client: redis.Redis) -> None:
        self.settings = settings
        self.engine = engine
        self.store = ReportStore(engine)
        self.key = derived_key(settings, "report-form")
        prefix = f"hub:{settings.index_prefix}report:"
        self.per_client = WindowLimit(client, f"{prefix}ip:", settings.report_limit_per_ip, 3600)
        self.per_offer = WindowLimit(
            client, f"{prefix}offer:", settings.report_limit_per_offer, 24 * 3600
        )

    def token(self, offer_id: str, now: float) -> str:
        return formtoken.issue(self.key, offer_id, now)

    def submit(self, form: ReportForm, client_address: str, now: float) -> Report:
        """Store a report after every check; `ReportRefused` (German) or `NotFound` otherwise."""
        if form.honeypot.strip():
            raise ReportRefused(
                "honeypot field filled",
                message_de="Die Meldung wurde nicht angenommen.",
                status=400,
            )
        formtoken.verify(
            self.key,
            form.offer_id,
            form.token,
            now,
            min_seconds=self.settings.report_min_seconds,
            max_age=self.settings.report_max_age_hours * 3600,
        )
        category, message, contact = _checked_fields(form)
        if not self.per_client.hit(
            client_hash(derived_key(self.settings, "client"), client_address)
        ):
            raise ReportRefused(
                "too many reports from this client",
                message_de="Sie haben in kurzer Zeit sehr viele Meldungen gesendet. Bitte "
                "versuchen Sie es in einer Stunde wieder.",
                status=429,
            )
        if not self.per_offer.hit(form.offer_id):
            raise ReportRefused(
                "too many reports about this offer",
                message_de="Zu diesem Angebot sind heute schon sehr viele Meldungen "
                "eingegangen. Die Kommune ist informiert.",
                status=429,
            )
        offer = get_offer(self.engine, form.offer_id)
        report = Report(
            id=uuid.uuid4().hex,
            offer_id=form.offer_id,
            source_id=str(offer["source_id"]),
            offer_title=str(offer.get("title") or ""),
            offer_url=str(offer.get("url") or ""),
            category=category,
            message=message,
            contact_email=contact,
        )
        self.store.add(report)
        log.info("report.received", report_id=report.id, source_id=report.source_id)
        try:
            enqueue_report_mail(self.settings, report.id)
        except BrokerUnavailable as exc:  # kept in hub-reports; the API still lists it
            log.warning("report.mail_not_queued", report_id=report.id, error=str(exc))
        return report


def _checked_fields(form: ReportForm) -> tuple[str, str, str | None]:
    if form.category not in CATEGORIES:
        raise ReportRefused(
            f"unknown category {form.category[:40]!r}",
            message_de="Bitte wählen Sie aus, was nicht stimmt.",
            status=422,
        )
    message = clean_text(form.message)
    if len(message) > MESSAGE_MAX:
        raise ReportRefused(
            "message too long",
            message_de=f"Die Beschreibung ist zu lang (höchstens {MESSAGE_MAX} Zeichen).",
            status=422,
        )
    if form.category == "sonstiges" and len(message) < MESSAGE_MIN_OTHER:
        raise ReportRefused(
            "message missing for category 'sonstiges'",
            message_de="Bitte beschreiben Sie kurz, was nicht stimmt.",
            status=422,
        )
    contact = form.contact_email.strip()
    if contact and (len(contact) > EMAIL_MAX or not re.fullmatch(EMAIL, contact)):
        raise ReportRefused(
            "contact address invalid",
            message_de="Die E-Mail-Adresse ist ungültig. Sie können das Feld auch leer lassen.",
            status=422,
        )
    return form.category, message, contact or None


def deliver_report(settings: Settings, engine: SearchEngine, report_id: str) -> list[str]:
    """Mail a stored report to its source's recipients; the addresses it went to (none: the
    source has no contact address, the report waits in the API and on the page)."""
    report = ReportStore(engine).get(report_id)
    source = SourceRegistry(engine).get(report.source_id)
    recipients = recipients_for_source(engine, source)
    if not recipients:
        log.info("report.no_recipients", report_id=report_id, source_id=source.id)
        return []
    offer_page = (
        f"{settings.public_base_url.rstrip('/')}/angebote/{quote(report.offer_id, safe=':')}"
    )
    text, html = render_mail("report", report=report, source=source, offer_page=offer_page)
    subject = f"Fehlermeldung zu Ihrem Angebot: {report.offer_title}"
    send_mail(recipients, subject, text, html, settings=settings)
    return recipients
