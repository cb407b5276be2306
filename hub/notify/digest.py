"""The weekly freshness digest: one German e-mail per organisation listing the stale offers of
all its sources, with links to the municipality's page, the hub's and the record in the CMS.

An organisation's digest goes to everyone `recipients_for_source` names for any of its sources
(its people and the sources' contact addresses). Sources registered before accounts have no
organisation; they are grouped by their addresses instead, so an editor responsible for three
such feeds gets one mail, not three. Sending is idempotent per ISO week: a digest is first
recorded in `hub-digests` with `_create` (id: week + organisation, or week + address group); a
second run of the same week finds it and sends nothing. A mail that fails removes its record,
so the next run retries.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import structlog

from hub.core.errors import ConflictError, MailUnavailable
from hub.core.mail import send_mail
from hub.core.settings import Settings
from hub.notify.freshness import parse_moment, stale_before, stale_offers
from hub.notify.mail import render_mail
from hub.notify.reports import recipients_for_source
from hub.search.engine import SearchEngine
from hub.search.indices import DIGESTS, ensure_registry_index
from hub.sources.store import Source, SourceRegistry

log = structlog.get_logger(__name__)


@dataclass
class SourceSection:
    """One source's stale offers within a digest."""

    source: Source
    offers: list[dict[str, Any]]


@dataclass
class Digest:
    """What one organisation (or, for sources without one, one recipient group) gets this
    week."""

    week: str
    recipients: list[str]
    sections: list[SourceSection] = field(default_factory=list)
    organisation_id: str | None = None

    @property
    def id(self) -> str:
        if self.organisation_id:
            return f"{self.week}-org-{self.organisation_id}"
        group = hashlib.sha256("\n".join(self.recipients).encode()).hexdigest()[:16]
        return f"{self.week}-{group}"

    @property
    def offer_count(self) -> int:
        return sum(len(section.offers) for section in self.sections)


@dataclass(frozen=True)
class Outcome:
    """What happened to one digest: sent, already_sent, failed or dry_run."""

    digest: Digest
    status: str


def iso_week(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def plan_digests(settings: Settings, engine: SearchEngine, now: datetime) -> list[Digest]:
    """This week's digests: one per organisation with at least one stale offer in any of its
    sources, one per recipient group for sources without organisation."""
    before = stale_before(settings, now)
    groups: dict[tuple[str, ...], Digest] = {}
    for source in SourceRegistry(engine).list():
        recipients = recipients_for_source(engine, source)
        if not recipients:
            continue
        offers = stale_offers(engine, source.id, before)
        if not offers:
            continue
        org = source.organisation_id
        key = ("org", org) if org else ("group", *sorted(recipients))
        digest = groups.setdefault(key, Digest(iso_week(now), [], organisation_id=org))
        digest.recipients = sorted({*digest.recipients, *recipients})
        digest.sections.append(SourceSection(source, offers))
    return list(groups.values())


def render_digest(settings: Settings, digest: Digest, now: datetime) -> tuple[str, str, str]:
    """Subject, text and HTML of a digest."""
    base = settings.public_base_url.rstrip("/")
    sections = [
        {
            "name": section.source.name or section.source.id,
            "id": section.source.id,
            "offers": [
                {
                    "title": offer.get("title") or offer["id"],
                    "url": offer.get("url") or "",
                    "hub_url": f"{base}/angebote/{quote(str(offer['id']), safe=':')}",
                    "updated": parse_moment(offer["updated_at"]).strftime("%d.%m.%Y"),
                }
                for offer in section.offers
            ],
        }
        for section in digest.sections
    ]
    months = round(settings.stale_after_days / 30.4)
    page_url = f"{base}/kommune#veraltete-angebote" if digest.organisation_id else None
    text, html = render_mail(
        "digest",
        sections=sections,
        count=digest.offer_count,
        months=months,
        week=digest.week,
        page_url=page_url,
    )
    count = digest.offer_count
    noun = "Angebot" if count == 1 else "Angebote"
    subject = f"Familienhub NRW: {count} {noun} lange nicht aktualisiert ({digest.week})"
    return subject, text, html


def send_digests(
    settings: Settings, engine: SearchEngine, now: datetime | None = None, *, dry_run: bool = False
) -> list[Outcome]:
    """Send this week's digests not sent yet; `dry_run` only plans and renders them."""
    moment = now or datetime.now(UTC)
    outcomes: list[Outcome] = []
    for digest in plan_digests(settings, engine, moment):
        if dry_run:
            outcomes.append(Outcome(digest, "dry_run"))
            continue
        outcomes.append(Outcome(digest, _send_once(settings, engine, digest, moment)))
    return outcomes


def _send_once(settings: Settings, engine: SearchEngine, digest: Digest, now: datetime) -> str:
    ensure_registry_index(engine, DIGESTS, update_mapping=False)  # hubs from before
    path = f"/{engine.name(DIGESTS)}/_create/{digest.id}"
    record = {
        "id": digest.id,
        "week": digest.week,
        "recipients": digest.recipients,
        "source_ids": [section.source.id for section in digest.sections],
        "offer_count": digest.offer_count,
        "status": "sending",
        "created_at": now.isoformat(),
        "sent_at": None,
    }
    try:
        engine.request("PUT", path, record, params={"refresh": "true"})
    except ConflictError:
        return "already_sent"
    subject, text, html = render_digest(settings, digest, now)
    try:
        send_mail(digest.recipients, subject, text, html, settings=settings)
    except MailUnavailable as exc:
        engine.request("DELETE", engine.doc_path(DIGESTS, digest.id), params={"refresh": "true"})
        log.warning("digest.failed", digest_id=digest.id, error=str(exc))
        return "failed"
    record.update(status="sent", sent_at=datetime.now(UTC).isoformat())
    engine.request("PUT", engine.doc_path(DIGESTS, digest.id), record, params={"refresh": "true"})
    log.info("digest.sent", digest_id=digest.id, offers=digest.offer_count)
    return "sent"
