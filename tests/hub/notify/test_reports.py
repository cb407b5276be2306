""" "Fehler melden" end to end on the real engine, Redis and a Celery worker: the form on the
offer page, its spam checks with German reasons and 4xx answers, the report routed by mail to
its own source's addresses only, and the API where the municipality lists and closes it."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi import FastAPI

from hub.api.app import create_app
from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.dev.processes import Supervisor
from hub.notify import formtoken
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, REPORTS
from hub.search.runner import get_offer
from hub.sources.enrolment import register_source
from hub.sources.store import SourceInput, SourceRegistry
from hub.sources.vault import derived_key
from tests.support.asgi import call
from tests.support.smtp import SmtpServer
from tests.support.stack import supervisor, wait_for


@pytest.fixture(scope="module")
def mail_stack(
    settings: Settings, engine: SearchEngine, module_smtp: SmtpServer, tmp_path_factory: Any
) -> Iterator[Settings]:
    """A worker that mails through the module's SMTP server; the settings it runs with."""
    local = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": module_smtp.port, "report_min_seconds": 0}
    )
    sup: Supervisor = supervisor(local, Path(tmp_path_factory.mktemp("logs")))
    sup.worker(concurrency=1)
    yield local
    sup.stop_all()


def _register(settings: Settings, engine: SearchEngine, contact: str) -> tuple[str, str]:
    data = SourceInput(
        id=f"melde-{uuid.uuid4().hex[:8]}",
        name="Jugendamt " + contact.split("@")[0],
        ags=["05315000"],
        kind="rss",
        url="http://127.0.0.1:9/feed.xml",
        contact_emails=[contact],
    )
    registered = register_source(settings, SourceRegistry(engine), data)
    return data.id, registered.api_key


def _offer(source_id: str, title: str) -> Offer:
    return Offer(
        id=f"{source_id}:o1",
        source_id=source_id,
        local_id="o1",
        url=f"https://www.example-kommune.de/{source_id}/o1",
        title=title,
        summary="Offener Treff für Eltern mit Babys.",
        kind="treffpunkt",
        topics=["begegnung"],
        area_ags=["05315000"],
        updated_at="2026-06-01T10:00:00+02:00",
    )


@pytest.fixture(scope="module")
def two(mail_stack: Settings, engine: SearchEngine) -> dict[str, Any]:
    """Two municipalities, each with one source, one offer and its own contact address."""
    from hub.search.writer import OfferWriter

    tag = uuid.uuid4().hex[:6]
    a_id, a_key = _register(mail_stack, engine, f"jugendamt-a-{tag}@stadt-a.example")
    b_id, b_key = _register(mail_stack, engine, f"jugendamt-b-{tag}@stadt-b.example")
    offers = [_offer(a_id, "Babytreff Nord"), _offer(b_id, "Elterncafé Süd")]
    OfferWriter(engine).write(offers)
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    return {
        "a": {
            "id": a_id,
            "key": a_key,
            "offer": offers[0].id,
            "mail": f"jugendamt-a-{tag}@stadt-a.example",
        },
        "b": {
            "id": b_id,
            "key": b_key,
            "offer": offers[1].id,
            "mail": f"jugendamt-b-{tag}@stadt-b.example",
        },
    }


def form_of(app: FastAPI, offer_id: str) -> dict[str, str]:
    """The hidden fields of the form as the offer page renders it."""
    page = call(app, "GET", f"/angebote/{offer_id}")
    assert page.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token and f'name="offer_id" value="{offer_id}"' in page.text
    return {"offer_id": offer_id, "token": token.group(1), "website": ""}


def post(app: FastAPI, fields: dict[str, str], client_ip: str = "198.51.100.7") -> httpx.Response:
    return call(app, "POST", "/fehler-melden?lang=de", client_ip=client_ip, data=fields)


def reports_of(engine: SearchEngine, source_id: str) -> list[dict[str, Any]]:
    engine.request("POST", f"/{engine.name(REPORTS)}/_refresh")
    body = {"query": {"term": {"source_id": source_id}}, "size": 100}
    hits = engine.request("POST", f"/{engine.name(REPORTS)}/_search", body)["hits"]["hits"]
    return [hit["_source"] for hit in hits]


def fresh_ip() -> str:
    return f"203.0.113.{uuid.uuid4().int % 250 + 1}"


def test_a_report_reaches_its_own_municipality_and_nowhere_else(
    mail_stack: Settings, engine: SearchEngine, two: dict[str, Any], module_smtp: SmtpServer
) -> None:
    app = create_app(mail_stack)
    a, b = two["a"], two["b"]
    before = get_offer(engine, a["offer"])
    fields = {
        **form_of(app, a["offer"]),
        "category": "zeiten",
        "message": "Der Treff ist dienstags, nicht montags. <script>alert(1)</script>",
        "contact_email": "mutter@example.org",
    }
    sent = post(app, fields, fresh_ip())
    assert sent.status_code == 303
    assert sent.headers["location"].endswith("gemeldet=1#melden")
    thanks = call(app, "GET", sent.headers["location"])
    assert "Danke! Ihre Meldung ist an die zuständige Kommune weitergeleitet." in thanks.text

    [stored] = reports_of(engine, a["id"])
    assert stored["offer_id"] == a["offer"] and stored["status"] == "neu"
    assert stored["message"].endswith("<script>alert(1)</script>")  # kept as text
    assert reports_of(engine, b["id"]) == []
    assert "198.51.100" not in str(stored) and "203.0.113" not in str(stored)
    assert get_offer(engine, a["offer"]) == before  # a report never edits the offer

    wait_for(lambda: module_smtp.to(a["mail"]), timeout=60, what="the report mail")
    [mail] = module_smtp.to(a["mail"])
    assert mail.rcpt_tos == [a["mail"]]
    assert "Babytreff Nord" in mail.message["Subject"]
    assert "dienstags, nicht montags" in mail.text() and "mutter@example.org" in mail.text()
    assert "&lt;script&gt;" in mail.html() and "<script>" not in mail.html()
    assert module_smtp.to(b["mail"]) == []

    # the municipality lists and closes it with its own key; the other one cannot
    listed = call(app, "GET", f"/api/v1/sources/{a['id']}/reports", headers=_bearer(a["key"]))
    assert [r["id"] for r in listed.json()] == [stored["id"]]
    foreign = call(app, "GET", f"/api/v1/sources/{a['id']}/reports", headers=_bearer(b["key"]))
    assert foreign.status_code == 403
    sideways = call(
        app, "POST", f"/api/v1/sources/{b['id']}/reports/{stored['id']}/done",
        headers=_bearer(b["key"]),
    )  # fmt: skip
    assert sideways.status_code == 404
    done = call(
        app, "POST", f"/api/v1/sources/{a['id']}/reports/{stored['id']}/done",
        headers=_bearer(a["key"]),
    )  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "erledigt"
    still_new = call(
        app, "GET", f"/api/v1/sources/{a['id']}/reports?status=neu", headers=_bearer(a["key"])
    )
    assert still_new.json() == []


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_report_on_the_other_source_goes_only_to_the_other_address(
    mail_stack: Settings, engine: SearchEngine, two: dict[str, Any], module_smtp: SmtpServer
) -> None:
    app = create_app(mail_stack)
    a, b = two["a"], two["b"]
    before_a = len(module_smtp.to(a["mail"]))
    fields = {**form_of(app, b["offer"]), "category": "beendet", "message": ""}
    assert post(app, fields, fresh_ip()).status_code == 303
    wait_for(lambda: module_smtp.to(b["mail"]), timeout=60, what="the report mail to B")
    assert [m.rcpt_tos for m in module_smtp.to(b["mail"])] == [[b["mail"]]]
    time.sleep(0.5)
    assert len(module_smtp.to(a["mail"])) == before_a


@pytest.mark.parametrize(
    ("change", "status", "german"),
    [
        ({"website": "http://spam.example"}, 400, "nicht angenommen"),
        ({"token": "1700000000.deadbeef"}, 403, "Formular ist ungültig"),
        ({"token": ""}, 403, "Formular ist ungültig"),
        ({"category": "werbung"}, 422, "wählen Sie aus"),
        ({"category": "sonstiges", "message": "x"}, 422, "beschreiben Sie kurz"),
        ({"message": "ä" * 2001}, 422, "zu lang"),
        ({"contact_email": "keine-adresse"}, 422, "E-Mail-Adresse ist ungültig"),
    ],
)
def test_refused_reports_answer_4xx_with_a_german_reason_and_store_nothing(
    mail_stack: Settings,
    engine: SearchEngine,
    two: dict[str, Any],
    change: dict[str, str],
    status: int,
    german: str,
) -> None:
    app = create_app(mail_stack)
    a = two["a"]
    count = len(reports_of(engine, a["id"]))
    fields = {**form_of(app, a["offer"]), "category": "ort", "message": "Falsche Straße", **change}
    answer = post(app, fields, fresh_ip())
    assert answer.status_code == status
    assert german in answer.text
    assert 'id="report-error"' in answer.text and 'name="token"' in answer.text  # form again
    assert len(reports_of(engine, a["id"])) == count


def test_token_of_another_offer_an_old_token_and_a_too_quick_post_are_refused(
    mail_stack: Settings, engine: SearchEngine, two: dict[str, Any]
) -> None:
    a, b = two["a"], two["b"]
    app = create_app(mail_stack)
    key = derived_key(mail_stack, "report-form")
    borrowed = {**form_of(app, b["offer"]), "offer_id": a["offer"], "category": "ort"}
    assert post(app, borrowed, fresh_ip()).status_code == 403
    old = formtoken.issue(key, a["offer"], time.time() - 13 * 3600)
    expired = post(app, {"offer_id": a["offer"], "token": old, "category": "ort"}, fresh_ip())
    assert expired.status_code == 400 and "abgelaufen" in expired.text

    patient = create_app(mail_stack.model_copy(update={"report_min_seconds": 30}))
    quick = post(patient, {**form_of(patient, a["offer"]), "category": "ort"}, fresh_ip())
    assert quick.status_code == 400 and "zu schnell" in quick.text


def test_rate_limits_per_client_and_per_offer_keep_no_raw_address(
    mail_stack: Settings, engine: SearchEngine, two: dict[str, Any]
) -> None:
    strict = mail_stack.model_copy(update={"report_limit_per_ip": 2, "report_limit_per_offer": 3})
    app = create_app(strict)
    a, b = two["a"], two["b"]
    ip = fresh_ip()
    answers = [
        post(app, {**form_of(app, b["offer"]), "category": "link"}, ip).status_code
        for _ in range(3)
    ]
    assert answers == [303, 303, 429]
    client = redis.Redis.from_url(strict.redis_url)
    names = [k.decode() for k in client.scan_iter(match=f"hub:{strict.index_prefix}report:*")]
    assert names and not [n for n in names if ip in n or "203.0.113" in n]
    assert all(0 < client.ttl(name) <= 24 * 3600 for name in names)

    # per offer: a third client in a row still passes, the fourth is over the offer's day
    statuses = [
        post(app, {**form_of(app, a["offer"]), "category": "ort"}, fresh_ip()).status_code
        for _ in range(4)
    ]
    assert statuses[-1] == 429
    refused = post(app, {**form_of(app, a["offer"]), "category": "ort"}, fresh_ip())
    assert "Zu diesem Angebot" in refused.text


def test_unknown_offer_and_oversized_body_are_answered_plainly(
    mail_stack: Settings, two: dict[str, Any]
) -> None:
    app = create_app(mail_stack)
    key = derived_key(mail_stack, "report-form")
    ghost = "nirgendwo:nichts"
    token = formtoken.issue(key, ghost, time.time())
    missing = post(app, {"offer_id": ghost, "token": token, "category": "ort"}, fresh_ip())
    assert missing.status_code == 404
    huge = post(app, {"offer_id": two["a"]["offer"], "message": "x" * 40_000}, fresh_ip())
    assert huge.status_code == 413 and "zu lang" in huge.text
    empty = post(app, {"category": "ort"}, fresh_ip())
    assert empty.status_code == 400
