"""Source operations over the JSON API with the admin token (register, pause, resume, sync)
and the audit entries they leave; an API key of the source cannot pause it."""

from __future__ import annotations

import uuid

from hub.api.app import create_app
from hub.audit import AuditLog, AuditQuery
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from hub.sources.store import SourceRegistry, SourceState
from tests.hub.api.test_accounts import call
from tests.support.feeds import FeedServer


def test_pause_and_resume_over_the_api_are_audited(
    settings: Settings, engine: SearchEngine, feed_server: FeedServer
) -> None:
    app = create_app(settings)
    admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
    source_id = f"api-{uuid.uuid4().hex[:8]}"
    body = {
        "id": source_id,
        "ags": ["05978036"],
        "kind": "push",
        "url": feed_server.url(f"/{source_id}.json"),
    }
    created = call(app, "POST", "/api/v1/sources", json=body, headers=admin)
    assert created.status_code == 201, created.text
    key = {"Authorization": f"Bearer {created.json()['api_key']}"}

    assert call(app, "POST", f"/api/v1/sources/{source_id}/pause", headers=key).status_code == 401
    paused = call(app, "POST", f"/api/v1/sources/{source_id}/pause", headers=admin)
    assert paused.status_code == 200 and paused.json()["state"] == "paused"
    twice = call(app, "POST", f"/api/v1/sources/{source_id}/pause", headers=admin)
    assert twice.status_code == 409 and "bereits pausiert" in twice.json()["detail"]
    resumed = call(app, "POST", f"/api/v1/sources/{source_id}/resume", headers=admin)
    assert resumed.status_code == 200 and resumed.json()["state"] == "pending"
    assert SourceRegistry(engine).get(source_id).state == SourceState.PENDING
    unknown = call(app, "POST", "/api/v1/sources/gibt-es-nicht/pause", headers=admin)
    assert unknown.status_code == 404

    synced = call(app, "POST", f"/api/v1/sources/{source_id}/sync", headers=key)
    assert synced.status_code == 202

    log = AuditLog(engine).search(AuditQuery(source_id=source_id))
    actions = sorted((e.action, e.actor) for e in log.entries)
    assert actions == [
        ("source.pause", "admin-token"),
        ("source.registered", "admin-token"),
        ("source.resume", "admin-token"),
        ("source.sync", "api-key"),
    ]
    (registered,) = [e for e in log.entries if e.action == "source.registered"]
    assert registered.after["access_keys"] == 1
    assert created.json()["api_key"] not in str([e.model_dump() for e in log.entries])
