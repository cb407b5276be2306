"""The ministry's desk on the real engine, Redis and (for the reindex) a Celery worker:
who may see it, the actions and their refusals, and the audit entries they leave."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from hub.accounts.users import Role, UserStore
from hub.audit import AuditLog, AuditQuery
from hub.core.settings import Settings
from hub.dev.processes import Supervisor
from hub.ingest import reindex_job
from hub.ingest.locks import writer_lock_name
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, alias_targets
from hub.sources.operations import (
    ALREADY_PAUSED_DE,
    NOT_PAUSED_DE,
    NOT_WAITING_DE,
    TOO_MANY_RESYNCS_DE,
)
from hub.sources.store import SourceRegistry, SourceState
from hub.web.accounts.desk import OPERATORS_ONLY_DE
from tests.hub.web.accounts.test_enrol import issue, sign_up
from tests.hub.web.accounts.test_kommune import own_source
from tests.support.accounts import (
    PASSWORD,
    Clients,
    PageClient,
    Person,
    csrf_of,
    form_token,
    make_person,
)
from tests.support.stack import supervisor, wait_for

DESK = "/ministerium/betrieb"
GETS = [DESK, "/ministerium/protokoll", f"{DESK}/neuindizierung"]
ACTIONS = ["pausieren", "fortsetzen", "synchronisieren", "loeschung-freigeben",
           "loeschung-ablehnen"]  # fmt: skip


def ministry_editor(engine: SearchEngine) -> Person:
    admin = make_person(engine, ministry=True)
    user = UserStore(engine).create(
        f"redaktion-{uuid.uuid4().hex[:8]}@mkjfgfsi.example", PASSWORD, admin.org.id, [Role.EDITOR]
    )
    return Person(admin.org, user)


def act(client: PageClient, source_id: str, action: str) -> tuple[int, str]:
    token = form_token(client, DESK)
    answer = client.post(f"{DESK}/quellen/{source_id}/{action}", data={"csrf_token": token})
    return answer.status_code, answer.text


def entries(engine: SearchEngine, source_id: str, action: str) -> list:  # type: ignore[type-arg]
    return AuditLog(engine).search(AuditQuery(source_id=source_id, action=action)).entries


def test_only_the_ministrys_admins_reach_any_desk_route(
    browser: Clients, engine: SearchEngine
) -> None:
    source = own_source(engine, make_person(engine))
    anonymous = browser()
    for path in GETS:
        answer = anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/anmelden", path
    for person in (make_person(engine), ministry_editor(engine)):
        client = browser.signed_in(person)
        token = form_token(client, "/kommune")
        for path in GETS:
            answer = client.get(path)
            assert answer.status_code == 403, path
            assert "vorbehalten" in answer.text
        posts = [f"{DESK}/quellen/{source.id}/{a}" for a in ACTIONS] + [f"{DESK}/neuindizierung"]
        for path in posts:
            answer = client.post(path, data={"csrf_token": token})
            assert answer.status_code == 403, path
            assert OPERATORS_ONLY_DE in answer.text or "vorbehalten" in answer.text
    after = SourceRegistry(engine).get(source.id)
    assert after.state == source.state and after.pending_deletion == {}
    assert AuditLog(engine).search(AuditQuery(source_id=source.id)).total == 0
    # a form without this session's token is refused before anything else
    admin = browser.signed_in(make_person(engine, ministry=True))
    forged = admin.post(f"{DESK}/quellen/{source.id}/pausieren", data={"csrf_token": "x"})
    assert forged.status_code == 403
    assert SourceRegistry(engine).get(source.id).state == source.state


def test_the_desk_shows_health_coverage_and_districts(
    browser: Clients, engine: SearchEngine
) -> None:
    source = own_source(engine, make_person(engine, ags="05113000"))  # Essen
    SourceRegistry(engine).update(source.id, lambda s: setattr(s, "consecutive_failures", 2))
    page = browser.signed_in(make_person(engine, ministry=True)).get(DESK)
    assert page.status_code == 200
    row = page.text.split(f'id="quelle-{source.id}"')[1].split("</tr>")[0]
    assert "fehlerhaft" in row and "Pausieren" in row
    coverage = page.text.split('id="coverage"')[1].split("</table>")[0]
    essen = coverage.split('<th scope="row">Essen</th>')[1].split("</tr>")[0]
    assert source.id in essen and "fehlerhaft" in essen
    assert "Kreis Unna" in page.text.split('id="districts"')[1]
    assert 'id="coverage-map"' in page.text and "data-config" in page.text


def test_pause_and_resume_with_refusals_and_audit(browser: Clients, engine: SearchEngine) -> None:
    source = own_source(engine, make_person(engine))
    operator = make_person(engine, ministry=True)
    client = browser.signed_in(operator)

    status, text = act(client, source.id, "pausieren")
    assert status == 200 and "ist pausiert" in text
    assert SourceRegistry(engine).get(source.id).state == SourceState.PAUSED
    status, text = act(client, source.id, "pausieren")
    assert status == 409 and ALREADY_PAUSED_DE in text

    status, text = act(client, source.id, "fortsetzen")
    assert status == 200
    resumed = SourceRegistry(engine).get(source.id)
    assert resumed.state == SourceState.PENDING and resumed.next_run_at is not None
    status, text = act(client, source.id, "fortsetzen")
    assert status == 409 and NOT_PAUSED_DE in text

    status, _ = act(client, "gibt-es-nicht", "pausieren")
    assert status == 404

    (paused,) = entries(engine, source.id, "source.pause")
    assert paused.actor == operator.user.email.lower()
    assert paused.before["state"] == "pending" and paused.after["state"] == "paused"
    (back,) = entries(engine, source.id, "source.resume")
    assert back.before["state"] == "paused" and back.after["state"] == "pending"


def test_held_deletions_are_refused_or_approved_once(
    browser: Clients, engine: SearchEngine
) -> None:
    source = own_source(engine, make_person(engine))
    registry = SourceRegistry(engine)
    held = {"ids": [f"{source.id}:1", f"{source.id}:2"], "share": 0.5, "run_id": "r1"}
    registry.update(source.id, lambda s: s.pending_deletion.update(held))
    client = browser.signed_in(make_person(engine, ministry=True))

    assert "Löschung wartet" in client.get(DESK).text
    status, text = act(client, source.id, "loeschung-ablehnen")
    assert status == 200 and "abgelehnt" in text
    assert registry.get(source.id).pending_deletion["refused"]["by"]
    status, _ = act(client, source.id, "loeschung-ablehnen")
    assert status == 409
    status, text = act(client, source.id, "loeschung-freigeben")
    assert status == 200 and "2 Angeboten ist freigegeben" in text
    (approved,) = entries(engine, source.id, "source.deletion_approved")
    assert approved.before["pending_deletion"] == 2 and approved.before["deletion_refused"]

    registry.update(source.id, lambda s: s.pending_deletion.clear())  # the run deleted them
    for action in ("loeschung-freigeben", "loeschung-ablehnen"):
        status, text = act(client, source.id, action)
        assert status == 409 and NOT_WAITING_DE in text


def test_a_resync_storm_is_limited_per_source(browser: Clients, engine: SearchEngine) -> None:
    first = own_source(engine, make_person(engine))
    second = own_source(engine, make_person(engine))
    client = browser.signed_in(make_person(engine, ministry=True))
    answers = [act(client, first.id, "synchronisieren") for _ in range(5)]
    assert [s for s, _ in answers[:3]] == [200, 200, 200]
    assert all(s == 429 and TOO_MANY_RESYNCS_DE in t for s, t in answers[3:])
    assert act(client, second.id, "synchronisieren")[0] == 200  # another source is unaffected
    assert len(entries(engine, first.id, "source.sync")) == 3


def test_the_audit_page_searches_and_refuses_bad_dates(
    browser: Clients, engine: SearchEngine
) -> None:
    owner = make_person(engine)
    source = own_source(engine, owner)
    amt = browser.signed_in(owner)
    token = form_token(amt, f"/kommune/quellen/{source.id}")
    changed = amt.post(
        f"/kommune/quellen/{source.id}/einstellungen", data={"csrf_token": token, "interval": "120"}
    )
    assert changed.status_code == 200
    rotated = amt.post(f"/kommune/quellen/{source.id}/api-schluessel", data={"csrf_token": token})
    key = rotated.text.split('class="secret"')[1].split(">")[1].split("<")[0].strip()
    assert key.startswith("fh_")

    client = browser.signed_in(make_person(engine, ministry=True))
    found = client.get(f"/ministerium/protokoll?source={source.id}&action=source.settings")
    assert found.status_code == 200
    assert "source.settings" in found.text and owner.user.email.lower() in found.text
    (settings,) = entries(engine, source.id, "source.settings")
    assert settings.before["interval_minutes"] == 60 and settings.after["interval_minutes"] == 120
    whole = client.get(f"/ministerium/protokoll?source={source.id}").text
    assert "source.api_key_rotated" in whole and key not in whole
    bad = client.get("/ministerium/protokoll?since=gestern")
    assert bad.status_code == 422 and "JJJJ-MM-TT" in bad.text
    assert client.get("/ministerium/protokoll?page_no=0").status_code == 422


@pytest.fixture(scope="module")
def worker(
    engine: SearchEngine, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supervisor]:
    sup = supervisor(settings, Path(tmp_path_factory.mktemp("desk-worker-logs")))
    sup.worker(concurrency=1)
    yield sup
    sup.stop_all()


def test_a_reindex_runs_in_a_worker_and_a_second_start_is_refused(
    browser: Clients, engine: SearchEngine, settings: Settings, worker: Supervisor
) -> None:
    client = redis.Redis.from_url(settings.redis_url)
    desk = browser.signed_in(make_person(engine, ministry=True))
    before = alias_targets(engine)
    count = int(engine.request("GET", f"/{engine.name(OFFERS)}/_count")["count"])
    writer = writer_lock_name(settings, f"desk-test-{uuid.uuid4().hex[:6]}")
    client.set(writer, "1", ex=120)  # a sync still writing: the reindex waits for it
    try:
        started = desk.post(
            f"{DESK}/neuindizierung", data={"csrf_token": csrf_of(desk.get(DESK).text)}
        )
        assert started.status_code == 200 and "Neuindizierung ist gestartet" in started.text
        wait_for(
            lambda: reindex_job.status(client, settings).state == "running" or None,
            timeout=60,
            what="the worker to start the reindex",
        )
        again = desk.post(f"{DESK}/neuindizierung", data={"csrf_token": csrf_of(started.text)})
        assert again.status_code == 409 and reindex_job.RUNNING_DE in again.text
    finally:
        client.delete(writer)
    done = wait_for(
        lambda: (s := reindex_job.status(client, settings)).state in ("done", "failed") and s,
        timeout=120,
        what="the reindex to end",
    )
    assert done.state == "done", done.message_de
    assert done.documents == count and done.copied == count
    assert alias_targets(engine) != before and alias_targets(engine) == [done.new_index]
    progress = desk.get(f"{DESK}/neuindizierung").json()
    assert progress["state"] == "done" and progress["busy"] is False
    assert "Letzte Neuindizierung fertig" in desk.get(DESK).text
    log = AuditLog(engine).search(AuditQuery(action="index.reindex"))
    assert log.total >= 1


def test_enrolment_is_audited_without_the_link_token(
    browser: Clients, engine: SearchEngine
) -> None:
    name = f"Jugendamt Protokoll {uuid.uuid4().hex[:6]}"
    _, path = issue(browser, engine, name, "05374000")
    token = path.rsplit("/", 1)[1]
    email = f"leitung-{uuid.uuid4().hex[:6]}@kreis.example"
    status, _, _ = sign_up(browser, path, email)
    assert status == 303

    log = AuditLog(engine)
    issued = [
        e
        for e in log.search(AuditQuery(action="enrolment_link.issued", size=100)).entries
        if e.after.get("organisation_name") == name
    ]
    assert len(issued) == 1 and issued[0].after["ags"] == ["05374000"]
    (joined,) = log.search(AuditQuery(actor=email, action="organisation.signed_up")).entries
    assert joined.after["organisation"] == name
    assert token not in str(issued[0].model_dump()) + str(joined.model_dump())
