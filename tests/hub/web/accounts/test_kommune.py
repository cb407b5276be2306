"""The municipality's pages on the real engine, Redis and a feed on 127.0.0.1: the dry-run
report, refusals across organisations, and, with a Celery worker, activation → first sync →
page → key rotation → withdrawal."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.accounts.users import Role, UserStore
from hub.core.errors import NotFound
from hub.core.settings import Settings
from hub.dev.processes import Supervisor
from hub.search.engine import SearchEngine
from hub.search.writer import OfferWriter
from hub.sources.runs import RunStatus, RunStore
from hub.sources.secrets import fingerprint
from hub.sources.store import Source, SourceInput, SourceRegistry, SourceState
from tests.hub.cli.test_connector_noise import POSTS, serve_site
from tests.support.accounts import PASSWORD, Clients, Person, form_token, make_person
from tests.support.feeds import FeedServer, Route
from tests.support.stack import supervisor, wait_for


def check(browser: Clients, person: Person, url: str) -> httpx.Response:
    client = browser.signed_in(person)
    token = form_token(client, "/kommune/quellen/neu")
    return client.post("/kommune/quellen/pruefen", data={"csrf_token": token, "url": url})


def test_the_dry_run_report_shows_offers_rejections_and_proposed_filters(
    browser: Clients, engine: SearchEngine, feed_server: FeedServer
) -> None:
    person = make_person(engine)
    answer = check(browser, person, serve_site(feed_server) + POSTS)

    assert answer.status_code == 200, answer.text
    page = answer.text
    assert "Erkannt: <strong>wordpress</strong>" in page
    assert "Diese 3 Angebote würden veröffentlicht" in page
    assert "Babymassage für Eltern mit Kindern von 0 bis 12 Monaten" in page
    assert "0–12 Monate" in page and "kostenlos" in page  # fields read from the prose
    assert "3 Beiträge würden nicht übernommen" in page
    assert "Kein Angebot für Familien: Impressum-Seite erkannt" in page
    assert 'href="https://familie.beispielstadt.example/impressum/"' in page
    assert "Ausschließen: „Stellenangebote“ – 1 × kein Angebot." in page
    assert SourceRegistry(engine).list(organisation_id=person.org.id) == []  # nothing registered


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "Adresse"),
        ("ftp://example.org/feed", "https://"),
    ],
)
def test_an_inward_or_odd_url_gets_a_german_reason(
    browser: Clients, engine: SearchEngine, url: str, reason: str
) -> None:
    answer = check(browser, make_person(engine), url)
    assert answer.status_code == 422
    assert reason in answer.text and "Traceback" not in answer.text


@pytest.mark.parametrize(
    ("name", "answer", "reason"),
    [
        (
            "seite.html",
            Route(
                "<!doctype html><html><body><p>Willkommen im Rathaus</p></body></html>",
                content_type="text/html; charset=utf-8",
            ),
            "keinen Feed erkannt (Inhaltstyp: text/html)",
        ),
        (
            "angebote.csv",
            Route(
                "titel;url\nKrabbelgruppe für Kinder;https://x.example/a\n".encode("latin-1"),
                content_type="text/csv",
            ),
            "braucht der Hub eine Zuordnung der Felder",
        ),
        (
            "riesig.bin",
            Route(b"\0" * (50 * 1024 * 1024), content_type="application/octet-stream"),
            "zu groß",
        ),
    ],
)
def test_a_feed_the_hub_cannot_read_gets_a_german_reason(
    browser: Clients,
    engine: SearchEngine,
    feed_server: FeedServer,
    name: str,
    answer: Route,
    reason: str,
) -> None:
    url = feed_server.route(f"/{name}", answer)
    refused = check(browser, make_person(engine), url)
    assert refused.status_code == 422
    assert reason in refused.text
    assert "validation error" not in refused.text and "Traceback" not in refused.text


def own_source(engine: SearchEngine, person: Person) -> Source:
    source_id = f"amt-{uuid.uuid4().hex[:8]}"
    registry = SourceRegistry(engine)
    data = SourceInput(
        id=source_id, ags=person.org.ags, kind="push", url="https://amt.example/feed.json"
    )
    registry.create(data)

    def owned(source: Source) -> None:
        source.organisation_id = person.org.id

    return registry.update(source_id, owned)


def test_a_person_sees_and_changes_only_her_organisations_sources(
    browser: Clients, engine: SearchEngine
) -> None:
    owner, stranger = make_person(engine), make_person(engine)
    source = own_source(engine, owner)
    mine = browser.signed_in(owner)
    theirs = browser.signed_in(stranger)
    path = f"/kommune/quellen/{source.id}"

    assert mine.get(path).status_code == 200
    assert source.id in mine.get("/kommune").text
    assert source.id not in theirs.get("/kommune").text
    refused = theirs.get(path)
    assert refused.status_code == 403 and "gehört nicht zu Ihrer Organisation" in refused.text
    token = form_token(theirs, "/kommune")
    for action, data in (
        ("synchronisieren", {}),
        ("einstellungen", {"interval": "15"}),
        ("api-schluessel", {}),
        ("zurueckziehen", {"confirm": source.id}),
    ):
        answer = theirs.post(f"{path}/{action}", data={"csrf_token": token, **data})
        assert answer.status_code == 403, action
    assert SourceRegistry(engine).get(source.id).interval_minutes == source.interval_minutes


def test_settings_and_record_overrides_land_in_the_sources_filters(
    browser: Clients, engine: SearchEngine
) -> None:
    person = make_person(engine)
    source = own_source(engine, person)
    client = browser.signed_in(person)
    path = f"/kommune/quellen/{source.id}"
    token = form_token(client, path)
    saved = client.post(
        f"{path}/einstellungen",
        data={
            "csrf_token": token,
            "interval": "120",
            "exclude_categories": "Stellenangebote\nPresse",
            "not_offers": "17, 18",
        },
    )
    marked = client.post(
        f"{path}/datensatz", data={"csrf_token": token, "local_id": "18", "is_offer": "ja"}
    )
    bad = client.post(f"{path}/einstellungen", data={"csrf_token": token, "interval": "1"})

    assert saved.status_code == marked.status_code == 200
    assert "zwischen 15 und 10080 Minuten" in bad.text
    stored = SourceRegistry(engine).get(source.id)
    assert stored.interval_minutes == 120
    assert stored.config["offer_filters"]["exclude_categories"] == ["Stellenangebote", "Presse"]
    assert stored.config["offer_filters"]["not_offers"] == ["17"]
    assert stored.config["offer_filters"]["offers"] == ["18"]


@pytest.fixture(scope="module")
def worker(
    engine: SearchEngine, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supervisor]:
    sup = supervisor(settings, Path(tmp_path_factory.mktemp("worker-logs")))
    sup.worker(concurrency=1)
    yield sup
    sup.stop_all()


def test_activation_syncs_in_a_worker_and_withdrawal_removes_every_offer(
    browser: Clients,
    engine: SearchEngine,
    feed_server: FeedServer,
    worker: Supervisor,
) -> None:
    person = make_person(engine)
    client = browser.signed_in(person)
    token = form_token(client, "/kommune/quellen/neu")
    preview = client.post(
        "/kommune/quellen/pruefen",
        data={"csrf_token": token, "url": serve_site(feed_server) + POSTS},
    )
    assert preview.status_code == 200
    source_id = f"beispiel-{uuid.uuid4().hex[:6]}"
    shown = client.post(
        "/kommune/quellen/aktivieren",
        data={"csrf_token": token, "source_id": source_id, "interval": "60", "apply_filters": "ja"},
    )
    assert shown.status_code == 200, shown.text
    assert "nur jetzt sichtbar" in shown.text and "fh_" in shown.text and "whsec_" in shown.text
    key = shown.text.split('id="api-key">')[1].split("<")[0]

    registry = SourceRegistry(engine)
    runs = RunStore(engine)
    wait_for(  # the run is saved after the source is updated: wait for both
        lambda: [r for r in runs.for_source(source_id) if r.status == RunStatus.SUCCEEDED],
        timeout=90,
        what="the first sync by the worker",
    )
    synced = registry.get(source_id)
    assert synced.state == SourceState.ACTIVE
    assert synced.organisation_id == person.org.id and synced.offer_count == 3
    page = client.get(f"/kommune/quellen/{source_id}").text
    assert "erfolgreich" in page and key not in page
    assert "Kategorie „Stellenangebote“ ist ausgeschlossen" in page  # the applied filter
    assert "fh_••••••••" in page
    secret = shown.text.split('id="webhook-secret">')[1].split("<")[0]
    assert secret not in page and f"Kennzeichen {fingerprint(secret)}" in page

    rotated = client.post(
        f"/kommune/quellen/{source_id}/api-schluessel", data={"csrf_token": token}
    )
    new_key = rotated.text.split('id="shown-secret">')[1].split("<")[0]
    assert new_key.startswith("fh_") and new_key != key
    old = client.get(f"/api/v1/sources/{source_id}", headers={"Authorization": f"Bearer {key}"})
    new = client.get(f"/api/v1/sources/{source_id}", headers={"Authorization": f"Bearer {new_key}"})
    assert (old.status_code, new.status_code) == (403, 200)

    gone = client.post(
        f"/kommune/quellen/{source_id}/zurueckziehen",
        data={"csrf_token": token, "confirm": source_id},
    )
    assert gone.status_code == 200 and "3 Angebote wurden aus der Suche entfernt" in gone.text
    assert OfferWriter(engine).count_of_source(source_id) == 0
    with pytest.raises(NotFound):
        registry.get(source_id)


def test_an_editor_may_sync_but_not_touch_secrets_or_withdraw(
    browser: Clients, engine: SearchEngine
) -> None:
    admin = make_person(engine)
    source = own_source(engine, admin)
    editor_user = UserStore(engine).create(
        f"redaktion-{uuid.uuid4().hex[:6]}@amt.example", PASSWORD, admin.org.id, [Role.EDITOR]
    )
    editor = browser.signed_in(Person(admin.org, editor_user))
    path = f"/kommune/quellen/{source.id}"
    token = form_token(editor, path)

    for action, data in (
        ("api-schluessel", {}),
        ("webhook-secret", {}),
        ("zurueckziehen", {"confirm": source.id}),
    ):
        answer = editor.post(f"{path}/{action}", data={"csrf_token": token, **data})
        assert answer.status_code == 403 and "Administratorinnen" in answer.text, action
    saved = editor.post(f"{path}/einstellungen", data={"csrf_token": token, "interval": "30"})
    assert saved.status_code == 200
    assert SourceRegistry(engine).get(source.id).interval_minutes == 30


def test_pending_deletions_are_listed_and_can_be_confirmed(
    browser: Clients, engine: SearchEngine
) -> None:
    person = make_person(engine)
    source = own_source(engine, person)

    def waiting(found: Source) -> None:
        found.pending_deletion.update(
            {"ids": [f"{found.id}:kurs-7", f"{found.id}:kurs-9"], "share": 0.5}
        )

    SourceRegistry(engine).update(source.id, waiting)
    client = browser.signed_in(person)
    path = f"/kommune/quellen/{source.id}"
    page = client.get(path).text
    assert "2 Löschungen warten auf Bestätigung" in page
    assert "<li>kurs-7</li>" in page and "<li>kurs-9</li>" in page
    token = form_token(client, path)
    confirmed = client.post(f"{path}/loeschungen-bestaetigen", data={"csrf_token": token})
    assert confirmed.status_code == 200 and "Die Löschungen sind bestätigt" in confirmed.text
