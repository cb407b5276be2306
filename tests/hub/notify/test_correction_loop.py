"""The loop a report starts: a parent reports a wrong time, the municipality fixes its own feed,
the next sync shows the fix, the report is marked done. The hub itself never edits the offer."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.api.app import create_app
from hub.core.settings import Settings
from hub.ingest.runner import SyncOptions, SyncRunner
from hub.search.engine import SearchEngine
from hub.search.runner import get_offer
from hub.sources.enrolment import register_source
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.asgi import call
from tests.support.feeds import FeedServer, Route

WRONG = "Treffpunkt für Eltern mit Babys, montags von 9 bis 11 Uhr im Familienzentrum."
RIGHT = "Treffpunkt für Eltern mit Babys, dienstags von 9 bis 11 Uhr im Familienzentrum."


def _feed(summary: str, updated: datetime) -> str:
    record: dict[str, Any] = {
        "local_id": "babytreff",
        "title": "Babytreff im Familienzentrum",
        "summary": summary,
        "url": "https://www.example-kommune.de/familie/babytreff",
        "kind": "treffpunkt",
        "topics": ["begegnung"],
        "categories": ["Eltern-Kind-Angebote"],
        "updated_at": updated.isoformat(),
    }
    return json.dumps({"offers": [record]})


def test_fixed_in_the_cms_shown_after_the_next_sync_then_marked_done(
    settings: Settings, engine: SearchEngine, feed_server: FeedServer
) -> None:
    local = settings.model_copy(update={"report_min_seconds": 0})
    then = datetime.now(UTC) - timedelta(days=3)
    url = feed_server.route("/angebote.json", Route(_feed(WRONG, then)))
    source_id = f"kreislauf-{uuid.uuid4().hex[:8]}"
    data = SourceInput(
        id=source_id, name="Jugendamt Kreislauf", ags=["05315000"], kind="push", url=url,
        contact_emails=["fruehe-hilfen@kreislauf.example"],
    )  # fmt: skip
    key = register_source(local, SourceRegistry(engine), data).api_key
    runner = SyncRunner(local, engine)
    runner.run(source_id, SyncOptions(trigger="test", full=True))
    offer_id = f"{source_id}:babytreff"
    assert get_offer(engine, offer_id)["summary"] == WRONG

    app = create_app(local)
    page = call(app, "GET", f"/angebote/{offer_id}")
    token = page.text.split('name="token" value="')[1].split('"')[0]
    fields = {"offer_id": offer_id, "token": token, "category": "zeiten", "message": "dienstags!"}
    assert call(app, "POST", "/fehler-melden", data=fields).status_code == 303
    auth = {"Authorization": f"Bearer {key}"}
    [report] = call(app, "GET", f"/api/v1/sources/{source_id}/reports", headers=auth).json()
    assert get_offer(engine, offer_id)["summary"] == WRONG  # the report changed nothing

    feed_server.route("/angebote.json", Route(_feed(RIGHT, datetime.now(UTC))))
    runner.run(source_id, SyncOptions(trigger="test", full=True))
    assert get_offer(engine, offer_id)["summary"] == RIGHT
    assert "dienstags von 9 bis 11 Uhr" in call(app, "GET", f"/angebote/{offer_id}").text

    done = call(
        app, "POST", f"/api/v1/sources/{source_id}/reports/{report['id']}/done", headers=auth
    )
    assert done.json()["status"] == "erledigt" and done.json()["done_at"]
    open_ones = call(app, "GET", f"/api/v1/sources/{source_id}/reports?status=neu", headers=auth)
    assert open_ones.json() == []
