"""Routing by organisation on the real engine with an SMTP server on 127.0.0.1: a report on an
offer of organisation A reaches A's people (and its sources' contact addresses) and nobody of
B; the freshness digest is one mail per organisation with the stale offers of all its sources;
sources without organisation keep their contact addresses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.accounts.users import Role, User, UserStore
from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.notify.digest import send_digests
from hub.notify.reports import Report, ReportStore, deliver_report, recipients_for_source
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.search.writer import OfferWriter
from hub.sources.enrolment import register_source
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.accounts import PASSWORD, Person, make_person
from tests.support.smtp import SmtpServer

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # a Monday of a week no other test mails in
OLD = (NOW - timedelta(days=900)).isoformat()
RECENT = (NOW - timedelta(days=10)).isoformat()


def _source(
    settings: Settings, engine: SearchEngine, org_id: str | None, contacts: list[str]
) -> str:
    data = SourceInput(
        id=f"route-{uuid.uuid4().hex[:8]}",
        name=f"Quelle {uuid.uuid4().hex[:4]}",
        ags=["05315000"],
        kind="rss",
        url="http://127.0.0.1:9/feed.xml",
        contact_emails=contacts,
    )
    register_source(settings, SourceRegistry(engine), data, organisation_id=org_id)
    return data.id


def _offer(source_id: str, local: str, updated: str) -> Offer:
    return Offer(
        id=f"{source_id}:{local}",
        source_id=source_id,
        local_id=local,
        url=f"https://www.example-kommune.de/{source_id}/{local}",
        title=f"Angebot {local} von {source_id}",
        kind="beratung",
        area_ags=["05315000"],
        updated_at=updated,
    )


def _colleague(engine: SearchEngine, org_id: str, role: Role, active: bool = True) -> str:
    store = UserStore(engine)
    user = store.create(f"kollegin-{uuid.uuid4().hex[:8]}@amt.example", PASSWORD, org_id, [role])
    if not active:

        def leave(person: User) -> None:
            person.active = False

        store.docs.update(user.id, leave)
    return user.email


@pytest.fixture(scope="module")
def orgs(settings: Settings, engine: SearchEngine) -> dict[str, Any]:
    """A: an admin, an editor, a former colleague (inactive), two sources (one with a contact
    address, one of them the editor's in capitals). B: one admin, one source. L: a source
    without organisation."""
    a, b = make_person(engine), make_person(engine)
    editor = _colleague(engine, a.org.id, Role.EDITOR)
    former = _colleague(engine, a.org.id, Role.EDITOR, active=False)
    box = f"fruehe-hilfen-{uuid.uuid4().hex[:6]}@stadt-a.example"
    a1 = _source(settings, engine, a.org.id, [box, editor.upper()])
    a2 = _source(settings, engine, a.org.id, [])
    b1 = _source(settings, engine, b.org.id, [])
    legacy_box = f"alt-{uuid.uuid4().hex[:6]}@kreis.example"
    legacy = _source(settings, engine, None, [legacy_box])
    offers = [
        _offer(a1, "alt", OLD),
        _offer(a1, "neu", RECENT),
        _offer(a2, "uralt", (NOW - timedelta(days=2000)).isoformat()),
        _offer(b1, "alt", OLD),
        _offer(legacy, "alt", OLD),
    ]
    OfferWriter(engine).write(offers)
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    return {
        "a": a, "b": b, "editor": editor, "former": former, "box": box,
        "a1": a1, "a2": a2, "b1": b1, "legacy": legacy, "legacy_box": legacy_box,
    }  # fmt: skip


def _person(orgs: dict[str, Any], key: str) -> Person:
    person: Person = orgs[key]
    return person


def test_recipients_are_the_active_people_of_the_organisation_and_the_source_addresses(
    engine: SearchEngine, orgs: dict[str, Any]
) -> None:
    a, b = _person(orgs, "a"), _person(orgs, "b")
    registry = SourceRegistry(engine)
    found = recipients_for_source(engine, registry.get(orgs["a1"]))
    assert sorted(found) == sorted([a.user.email, orgs["editor"], orgs["box"]])  # editor once
    assert orgs["former"] not in found and b.user.email not in found
    assert sorted(recipients_for_source(engine, registry.get(orgs["a2"]))) == sorted(
        [a.user.email, orgs["editor"]]
    )
    assert recipients_for_source(engine, registry.get(orgs["b1"])) == [b.user.email]
    assert recipients_for_source(engine, registry.get(orgs["legacy"])) == [orgs["legacy_box"]]


def test_a_report_on_an_offer_of_a_reaches_a_and_nobody_of_b(
    mail_settings: Settings, engine: SearchEngine, orgs: dict[str, Any], smtp: SmtpServer
) -> None:
    a, b = _person(orgs, "a"), _person(orgs, "b")
    report = ReportStore(engine).add(
        Report(
            id=uuid.uuid4().hex,
            offer_id=f"{orgs['a2']}:uralt",
            source_id=orgs["a2"],
            offer_title="Angebot uralt",
            offer_url="https://www.example-kommune.de/uralt",
            category="zeiten",
            message="Die Zeiten stimmen nicht.",
        )
    )
    sent_to = deliver_report(mail_settings, engine, report.id)
    assert sorted(sent_to) == sorted([a.user.email, orgs["editor"]])
    [mail] = smtp.received
    assert sorted(mail.rcpt_tos) == sorted(sent_to)
    assert "Die Zeiten stimmen nicht." in mail.text()
    assert smtp.to(b.user.email) == [] and smtp.to(orgs["former"]) == []


def _outcomes(
    settings: Settings, engine: SearchEngine, orgs: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """This module's digests by organisation id (legacy: by its address)."""
    mine = {_person(orgs, "a").org.id, _person(orgs, "b").org.id}
    found = {}
    for outcome in send_digests(settings, engine, now):
        digest = outcome.digest
        if digest.organisation_id in mine:
            found[digest.organisation_id] = outcome
        elif digest.recipients == [orgs["legacy_box"]]:
            found["legacy"] = outcome
    return found


def test_one_digest_per_organisation_with_the_offers_of_all_its_sources_once_a_week(
    mail_settings: Settings, engine: SearchEngine, orgs: dict[str, Any], smtp: SmtpServer
) -> None:
    a, b = _person(orgs, "a"), _person(orgs, "b")
    first = _outcomes(mail_settings, engine, orgs, NOW)
    assert {key: o.status for key, o in first.items()} == {
        a.org.id: "sent",
        b.org.id: "sent",
        "legacy": "sent",
    }
    digest_a = first[a.org.id].digest
    assert {s.source.id for s in digest_a.sections} == {orgs["a1"], orgs["a2"]}
    assert digest_a.recipients == sorted([a.user.email, orgs["editor"], orgs["box"]])

    [mail_a] = smtp.to(a.user.email)
    assert sorted(mail_a.rcpt_tos) == digest_a.recipients  # one mail for everyone of A
    text = mail_a.text()
    assert f"Angebot alt von {orgs['a1']}" in text and f"Angebot uralt von {orgs['a2']}" in text
    assert f"Angebot neu von {orgs['a1']}" not in text  # updated ten days ago
    assert orgs["b1"] not in text and orgs["legacy"] not in text
    assert "/kommune#veraltete-angebote" in text
    [mail_b] = smtp.to(b.user.email)
    assert mail_b.rcpt_tos == [b.user.email] and orgs["a1"] not in mail_b.text()
    [mail_legacy] = smtp.to(orgs["legacy_box"])
    assert "/kommune" not in mail_legacy.text()  # no page to point at

    again = _outcomes(mail_settings, engine, orgs, NOW + timedelta(days=2))
    assert {o.status for o in again.values()} == {"already_sent"}
    assert len(smtp.to(a.user.email)) == 1
