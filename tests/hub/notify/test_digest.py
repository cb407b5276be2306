"""Freshness reminders on the real engine: stale offers per source (API), one digest per
recipient group by mail (aiosmtpd), once per ISO week, by hand, by CLI and by the Celery task;
and the relative age on the offer page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from hub.api.app import create_app
from hub.cli.main import app as hub_cli
from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.notify.digest import iso_week, send_digests
from hub.notify.freshness import is_stale, updated_ago
from hub.queue import SEND_DIGESTS, send
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.search.writer import OfferWriter
from hub.sources.enrolment import register_source
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.asgi import call
from tests.support.smtp import SmtpServer
from tests.support.stack import supervisor, wait_for

NOW = datetime(2026, 12, 7, 8, tzinfo=UTC)  # a Monday
OLD = (NOW - timedelta(days=800)).isoformat()
RECENT = (NOW - timedelta(days=20)).isoformat()


def test_relative_age_in_the_page_languages() -> None:
    two_years = NOW - timedelta(days=730)
    assert updated_ago(two_years, "de", NOW) == "vor 2 Jahren"
    assert updated_ago(two_years, "en", NOW) == "2 years ago"
    assert updated_ago(NOW - timedelta(days=3), "de", NOW) == "vor 3 Tagen"
    assert updated_ago(NOW + timedelta(hours=2), "de", NOW) == "vor 1 Sekunde"  # clock skew


def test_stale_means_older_than_the_configured_days(settings: Settings) -> None:
    year = settings.model_copy(update={"stale_after_days": 365})
    assert is_stale(year, NOW - timedelta(days=366), NOW)
    assert not is_stale(year, NOW - timedelta(days=364), NOW)
    assert not is_stale(year, None, NOW)
    month = year.model_copy(update={"stale_after_days": 30})
    assert not is_stale(month, RECENT, NOW)
    assert is_stale(month, NOW - timedelta(days=31), NOW)


def _source(settings: Settings, engine: SearchEngine, contacts: list[str]) -> tuple[str, str]:
    data = SourceInput(
        id=f"frisch-{uuid.uuid4().hex[:8]}",
        name=f"Jugendamt {uuid.uuid4().hex[:4]}",
        ags=["05315000"],
        kind="rss",
        url="http://127.0.0.1:9/feed.xml",
        contact_emails=contacts,
    )
    return data.id, register_source(settings, SourceRegistry(engine), data).api_key


def _offers(source_id: str, **updated: str) -> list[Offer]:
    return [
        Offer(
            id=f"{source_id}:{local}",
            source_id=source_id,
            local_id=local,
            url=f"https://www.example-kommune.de/{source_id}/{local}",
            title=f"Angebot {local} von {source_id}",
            kind="beratung",
            area_ags=["05315000"],
            updated_at=stamp,
        )
        for local, stamp in updated.items()
    ]


@pytest.fixture(scope="module")
def fleet(settings: Settings, engine: SearchEngine) -> dict[str, Any]:
    """A and C share an editor; B has its own; D has no address."""
    tag = uuid.uuid4().hex[:6]
    shared, own = f"redaktion-{tag}@kreis.example", f"jugendamt-{tag}@stadt.example"
    a, a_key = _source(settings, engine, [shared])
    c, _ = _source(settings, engine, [shared.upper()])
    b, _ = _source(settings, engine, [own])
    d, _ = _source(settings, engine, [])
    offers = [
        *_offers(a, alt=OLD, neu=RECENT),
        *_offers(c, alt=OLD),
        *_offers(b, alt=OLD, uralt=(NOW - timedelta(days=2000)).isoformat()),
        *_offers(d, alt=OLD),
    ]
    OfferWriter(engine).write(offers)
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    return {"a": a, "b": b, "c": c, "d": d, "shared": shared, "own": own, "a_key": a_key}


def _mine(outcomes: list[Any], fleet: dict[str, Any]) -> dict[str, Any]:
    """Outcomes for this module's recipients (other modules' sources share the session)."""
    return {
        o.digest.recipients[0]: o
        for o in outcomes
        if o.digest.recipients[0] in (fleet["shared"], fleet["own"])
    }


def test_one_digest_per_recipient_group_once_per_week(
    mail_settings: Settings, engine: SearchEngine, fleet: dict[str, Any], smtp: SmtpServer
) -> None:
    dry = _mine(send_digests(mail_settings, engine, NOW, dry_run=True), fleet)
    assert {k: v.status for k, v in dry.items()} == {
        fleet["shared"]: "dry_run",
        fleet["own"]: "dry_run",
    }
    assert smtp.to(fleet["shared"]) == []

    first = _mine(send_digests(mail_settings, engine, NOW), fleet)
    assert {k: v.status for k, v in first.items()} == {
        fleet["shared"]: "sent",
        fleet["own"]: "sent",
    }
    [shared_mail] = smtp.to(fleet["shared"])
    [own_mail] = smtp.to(fleet["own"])
    text = shared_mail.text()
    assert f"Angebot alt von {fleet['a']}" in text and f"Angebot alt von {fleet['c']}" in text
    assert f"Angebot neu von {fleet['a']}" not in text  # updated 20 days ago
    assert fleet["b"] not in text and fleet["d"] not in text
    assert f"https://www.example-kommune.de/{fleet['a']}/alt" in shared_mail.html()
    assert f"/angebote/{fleet['a']}:alt" in text
    assert "2 Angebote lange nicht aktualisiert" in shared_mail.message["Subject"]
    own_text = own_mail.text()
    assert own_text.index("uralt") < own_text.index(f"Angebot alt von {fleet['b']}")  # oldest first
    assert fleet["a"] not in own_text

    again = _mine(send_digests(mail_settings, engine, NOW + timedelta(days=3)), fleet)
    assert {v.status for v in again.values()} == {"already_sent"}
    assert len(smtp.to(fleet["shared"])) == 1

    next_week = _mine(send_digests(mail_settings, engine, NOW + timedelta(days=7)), fleet)
    assert {v.status for v in next_week.values()} == {"sent"}
    assert len(smtp.to(fleet["shared"])) == 2


def test_failed_mail_is_not_remembered_so_the_next_run_retries(
    mail_settings: Settings, engine: SearchEngine, fleet: dict[str, Any], smtp: SmtpServer
) -> None:
    later = NOW + timedelta(days=70)
    down = mail_settings.model_copy(update={"smtp_port": 9})
    assert {v.status for v in _mine(send_digests(down, engine, later), fleet).values()} == {
        "failed"
    }
    assert {
        v.status for v in _mine(send_digests(mail_settings, engine, later), fleet).values()
    } == {"sent"}


def test_stale_offers_api_for_the_owner_only(
    settings: Settings, engine: SearchEngine, fleet: dict[str, Any]
) -> None:
    app = create_app(settings)
    auth = {"Authorization": f"Bearer {fleet['a_key']}"}
    listed = call(app, "GET", f"/api/v1/sources/{fleet['a']}/stale-offers", headers=auth)
    assert listed.status_code == 200
    assert [o["id"] for o in listed.json()["offers"]] == [f"{fleet['a']}:alt"]
    assert listed.json()["stale_after_days"] == settings.stale_after_days
    other = call(app, "GET", f"/api/v1/sources/{fleet['b']}/stale-offers", headers=auth)
    assert other.status_code == 403


def test_offer_page_says_how_old_and_warns_when_stale(
    settings: Settings, fleet: dict[str, Any]
) -> None:
    app: FastAPI = create_app(settings)
    stale = call(app, "GET", f"/angebote/{fleet['a']}:alt")
    fresh = call(app, "GET", f"/angebote/{fleet['a']}:neu?lang=en")
    assert "Zuletzt aktualisiert vor 2 Jahren" in stale.text
    assert "seit über 12 Monaten nicht aktualisiert" in stale.text
    assert "Last updated" in fresh.text and "has not updated" not in fresh.text


def test_cli_dry_run_lists_and_sends_nothing(
    engine: SearchEngine, fleet: dict[str, Any], smtp: SmtpServer
) -> None:
    done = CliRunner().invoke(hub_cli, ["notify", "digest", "--dry-run"], terminal_width=200)
    assert done.exit_code == 0, done.output
    assert fleet["own"] in done.output and "dry_run" in done.output
    assert smtp.received == []


@pytest.fixture
def beat_worker(
    settings: Settings, engine: SearchEngine, module_smtp: SmtpServer, tmp_path: Path
) -> Iterator[Settings]:
    local = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": module_smtp.port})
    sup = supervisor(local, tmp_path)
    sup.worker(concurrency=1)
    yield local
    sup.stop_all()


def test_the_weekly_task_sends_through_a_worker(
    beat_worker: Settings, fleet: dict[str, Any], smtp: SmtpServer
) -> None:
    """The beat entry's task, run by a real worker: this week's digest, if not sent yet."""
    send(beat_worker, SEND_DIGESTS, {})
    wait_for(lambda: smtp.to(fleet["own"]), timeout=60, what="the digest from the worker")
    [mail] = smtp.to(fleet["own"])
    assert iso_week(datetime.now(UTC)) in mail.text()
