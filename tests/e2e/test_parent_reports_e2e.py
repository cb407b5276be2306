"""Two Jugendämter from zero, with the real API and a Celery worker as processes and an SMTP
server on 127.0.0.1: the ministry issues two links, both municipalities sign up and register
their WordPress sites through the pages; a parent sends "Fehler melden" on an offer of A
through the offer page's form; the report appears on A's page and in A's mail, not on B's page
nor in B's mail; A marks it done."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest

from hub.core.settings import Settings
from hub.dev.demo.fleet import demo_feeds
from hub.dev.processes import Supervisor
from hub.notify.reports import ReportStatus, ReportStore
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.sources.runs import RunStatus
from tests.e2e.test_municipality_enrolment import latest_run, post
from tests.support.accounts import PASSWORD, make_person
from tests.support.demo_site import SwitchableSite
from tests.support.smtp import SmtpServer
from tests.support.stack import supervisor, wait_for

MIN_SECONDS = 1
MESSAGE = "Der Kurs ist donnerstags, nicht mittwochs. <b>Danke</b>"


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def mail_stack(
    engine: SearchEngine,
    settings: Settings,
    smtp: SmtpServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Supervisor]:
    """API and worker that mail to the test's SMTP server and take a report one second after
    the form was shown."""
    local = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "report_min_seconds": MIN_SECONDS,
        }
    )
    sup = supervisor(local, Path(tmp_path_factory.mktemp("logs")))
    sup.api()
    sup.worker()
    yield sup
    sup.stop_all()


@pytest.fixture(scope="module")
def sites() -> Iterator[list[SwitchableSite]]:
    feeds = [f for f in demo_feeds() if f.kind == "wordpress"][:2]
    servers = [SwitchableSite(feed) for feed in feeds]
    yield servers
    for server in servers:
        server.close()


def enrol(
    base: str, office: httpx.Client, site: SwitchableSite, email: str, source_id: str
) -> None:
    """The ministry issues a link; the Jugendamt signs up, checks its feed and activates it."""
    issued = post(
        office,
        "/ministerium/einladungen",
        office.get("/ministerium").text,
        name=site.feed.name,
        ags=" ".join(site.feed.ags),
    )
    link = re.search(r"/registrieren/[A-Za-z0-9_-]+", issued.text)
    assert link, issued.text
    with httpx.Client(base_url=base, timeout=120, trust_env=False) as amt:
        joined = post(
            amt,
            link.group(0),
            amt.get(link.group(0)).text,
            email=email,
            password=PASSWORD,
            password_repeat=PASSWORD,
        )
        assert joined.headers["location"] == "/kommune/quellen/neu"
        feed_url = f"{site.base_url}/wp/{site.feed.source_id}/wp-json/wp/v2/posts"
        preview = post(
            amt, "/kommune/quellen/pruefen", amt.get("/kommune/quellen/neu").text, url=feed_url
        )
        assert preview.status_code == 200, preview.text
        shown = post(
            amt, "/kommune/quellen/aktivieren", preview.text, source_id=source_id, interval="60"
        )
        assert shown.status_code == 200 and "nur jetzt sichtbar" in shown.text


def sign_in(client: httpx.Client, email: str) -> httpx.Client:
    answer = post(client, "/anmelden", client.get("/anmelden").text, email=email, password=PASSWORD)
    assert answer.headers["location"] == "/kommune"
    return client


def an_offer_of(engine: SearchEngine, source_id: str) -> str:
    body = {"size": 1, "query": {"term": {"source_id": source_id}}, "sort": [{"id": "asc"}]}
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    return str(hits[0]["_source"]["id"])


def test_a_parents_report_reaches_its_municipality_only_and_is_marked_done(
    mail_stack: Supervisor, engine: SearchEngine, sites: list[SwitchableSite], smtp: SmtpServer
) -> None:
    base = mail_stack.settings.public_base_url
    tag = uuid.uuid4().hex[:6]
    mail = {"a": f"amt-a-{tag}@stadt-a.example", "b": f"amt-b-{tag}@stadt-b.example"}
    source = {"a": f"eltern-a-{tag}", "b": f"eltern-b-{tag}"}
    ministry = make_person(engine, ministry=True)
    with httpx.Client(base_url=base, timeout=60, trust_env=False) as office:
        post(
            office,
            "/anmelden",
            office.get("/anmelden").text,
            email=ministry.user.email,
            password=ministry.password,
        )
        enrol(base, office, sites[0], mail["a"], source["a"])
        enrol(base, office, sites[1], mail["b"], source["b"])
    for key in ("a", "b"):
        run = wait_for(
            partial(latest_run, engine, source[key], set()),
            timeout=120,
            what=f"the first sync of {key}",
        )
        assert run.status == RunStatus.SUCCEEDED, run.errors
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    offer_id = an_offer_of(engine, source["a"])

    with httpx.Client(base_url=base, timeout=60, trust_env=False) as parent:
        page = parent.get(f"/angebote/{offer_id}")
        assert page.status_code == 200 and "Fehler melden" in page.text
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        assert token
        time.sleep(MIN_SECONDS + 0.5)  # the form's time token: not faster than a person
        sent = parent.post(
            "/fehler-melden",
            data={
                "offer_id": offer_id,
                "token": token.group(1),
                "website": "",
                "category": "zeiten",
                "message": MESSAGE,
                "contact_email": "mutter@example.org",
            },
        )
        assert sent.status_code == 303, sent.text

    [arrived] = wait_for(lambda: smtp.to(mail["a"]), timeout=60, what="the report mail to A")
    assert arrived.rcpt_tos == [mail["a"]]
    assert "donnerstags, nicht mittwochs" in arrived.text()
    assert "mutter@example.org" in arrived.text()
    time.sleep(1)
    assert smtp.to(mail["b"]) == []

    [report] = ReportStore(engine).for_source(source["a"])
    with (
        httpx.Client(base_url=base, timeout=60, trust_env=False) as amt_a,
        httpx.Client(base_url=base, timeout=60, trust_env=False) as amt_b,
    ):
        sign_in(amt_a, mail["a"])
        sign_in(amt_b, mail["b"])
        page_a = amt_a.get("/kommune").text
        assert "donnerstags, nicht mittwochs. &lt;b&gt;Danke&lt;/b&gt;" in page_a
        assert f"/kommune/meldungen/{report.id}/erledigt" in page_a
        page_b = amt_b.get("/kommune").text
        assert "donnerstags" not in page_b and source["a"] not in page_b
        refused = post(amt_b, f"/kommune/meldungen/{report.id}/erledigt", page_b)
        assert refused.status_code == 403

        done = post(amt_a, f"/kommune/meldungen/{report.id}/erledigt", page_a)
        assert done.status_code == 200 and "ist erledigt" in done.text
        assert f"/kommune/meldungen/{report.id}/erledigt" not in done.text
    assert ReportStore(engine).get(report.id).status is ReportStatus.DONE
