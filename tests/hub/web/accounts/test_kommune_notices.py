"""Parents' reports and stale offers on the municipality's page (real engine and Redis): shown
to the owning organisation only, the message as text, new reports first, "erledigt" with CSRF,
and another organisation's attempt to close a report refused with 403."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.notify.reports import Report, ReportStatus, ReportStore
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.search.writer import OfferWriter
from hub.sources.enrolment import register_source
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.accounts import Clients, csrf_of, make_person

SCRIPT = "Montags geschlossen! <script>alert('x')</script>"


def _source(settings: Settings, engine: SearchEngine, org_id: str) -> str:
    data = SourceInput(
        id=f"seite-{uuid.uuid4().hex[:8]}",
        name=f"Familienportal {uuid.uuid4().hex[:4]}",
        ags=["05315000"],
        kind="rss",
        url="http://127.0.0.1:9/feed.xml",
    )
    register_source(settings, SourceRegistry(engine), data, organisation_id=org_id)
    return data.id


def _offer(source_id: str, local: str, updated: datetime) -> Offer:
    return Offer(
        id=f"{source_id}:{local}",
        source_id=source_id,
        local_id=local,
        url=f"https://cms.stadt-a.example/{local}",
        title=f"Elterncafé {local}",
        kind="treffpunkt",
        area_ags=["05315000"],
        updated_at=updated.isoformat(),
    )


def _report(source_id: str, local: str, message: str, age_days: int) -> Report:
    return Report(
        id=uuid.uuid4().hex,
        offer_id=f"{source_id}:{local}",
        source_id=source_id,
        offer_title=f"Elterncafé {local}",
        offer_url=f"https://cms.stadt-a.example/{local}",
        category="zeiten",
        message=message,
        contact_email="vater@example.org" if age_days else None,
        created_at=datetime.now(UTC) - timedelta(days=age_days),
    )


@pytest.fixture
def two(settings: Settings, engine: SearchEngine) -> dict[str, Any]:
    a, b = make_person(engine), make_person(engine)
    a_source, b_source = _source(settings, engine, a.org.id), _source(settings, engine, b.org.id)
    now = datetime.now(UTC)
    OfferWriter(engine).write(
        [
            _offer(a_source, "nord", now - timedelta(days=800)),
            _offer(a_source, "sued", now - timedelta(days=5)),
            _offer(b_source, "west", now - timedelta(days=900)),
        ]
    )
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    store = ReportStore(engine)
    older = store.add(_report(a_source, "nord", "Die Adresse ist falsch.", 3))
    newer = store.add(_report(a_source, "sued", SCRIPT, 0))
    store.mark_done(a_source, older.id)
    other = store.add(_report(b_source, "west", "Gibt es nicht mehr.", 1))
    return {"a": a, "b": b, "a_source": a_source, "b_source": b_source,
            "older": older, "newer": newer, "other": other}  # fmt: skip


def test_the_page_lists_the_organisations_reports_and_stale_offers_only(
    browser: Clients, settings: Settings, two: dict[str, Any]
) -> None:
    page = browser.signed_in(two["a"]).get("/kommune").text
    reports = page.split('id="meldungen-von-eltern"')[1].split("</section>")[0]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in reports  # text, never HTML
    assert "<script>" not in reports
    assert reports.index("Elterncafé sued") < reports.index("Elterncafé nord")  # new first
    assert f'href="/angebote/{two["a_source"]}:sued"' in reports
    assert 'href="https://cms.stadt-a.example/sued"' in reports
    assert (
        "Zeiten oder Termine stimmen nicht" in reports
        and "vater@example.org" not in (reports.split("Elterncafé nord")[0])
    )
    assert f"/kommune/meldungen/{two['newer'].id}/erledigt" in reports
    assert f"/kommune/meldungen/{two['older'].id}/erledigt" not in reports  # already done
    assert "Gibt es nicht mehr" not in page and two["b_source"] not in page

    stale = page.split('id="veraltete-angebote"')[1].split("</section>")[0]
    assert "nicht aktualisiert seit mehr als 12 Monaten" in stale
    assert "Elterncafé nord" in stale and "vor 2 Jahren" in stale
    assert "Elterncafé sued" not in stale and "Elterncafé west" not in stale
    assert 'href="https://cms.stadt-a.example/nord"' in stale
    assert "<caption>" in stale and 'scope="col"' in stale

    source_page = browser.signed_in(two["a"]).get(f"/kommune/quellen/{two['a_source']}").text
    assert "Meldungen von Eltern" in source_page and "Elterncafé nord" in source_page


def test_a_person_of_the_organisation_marks_a_report_done(
    browser: Clients, engine: SearchEngine, two: dict[str, Any]
) -> None:
    client = browser.signed_in(two["a"])
    token = csrf_of(client.get("/kommune").text)
    path = f"/kommune/meldungen/{two['newer'].id}/erledigt"
    assert client.post(path).status_code == 403  # no CSRF token
    done = client.post(path, data={"csrf_token": token, "back": "quelle"})
    assert done.status_code == 200
    assert "ist erledigt" in done.text and "Zustand" in done.text  # back on the source page
    assert ReportStore(engine).get(two["newer"].id).status is ReportStatus.DONE


def test_another_organisation_cannot_close_a_report(
    browser: Clients, engine: SearchEngine, two: dict[str, Any]
) -> None:
    intruder = browser.signed_in(two["b"])
    token = csrf_of(intruder.get("/kommune").text)
    answer = intruder.post(
        f"/kommune/meldungen/{two['newer'].id}/erledigt", data={"csrf_token": token}
    )
    assert answer.status_code == 403
    assert "gehört nicht zu Ihrer Organisation" in answer.text
    assert "Elterncafé" not in answer.text
    assert ReportStore(engine).get(two["newer"].id).status is ReportStatus.NEW
    unknown = intruder.post("/kommune/meldungen/nicht-da/erledigt", data={"csrf_token": token})
    assert unknown.status_code == 404
    anonymous = browser().post(f"/kommune/meldungen/{two['other'].id}/erledigt")
    assert anonymous.status_code == 403
