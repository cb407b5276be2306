"""The audit log: secrets masked before writing (pure), entries searchable by actor, action,
source and date range, paged (real engine)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from hub.audit import ADMIN_TOKEN, MASK, Actor, AuditLog, AuditQuery, masked, record
from hub.search.engine import SearchEngine


def test_secrets_are_masked_wherever_they_sit() -> None:
    given = {
        "url": "https://essen.example/feed",
        "config": {"password": "hunter2", "nested": [{"api_key": "fh_abc"}], "limit": 5},
        "webhook_secret": "whsec_123",
        "token": "",
        "sealed": "fernet:gAAAA",
        "Authorization": "Bearer x",
    }
    out = masked(given)
    assert out["url"] == given["url"] and out["config"]["limit"] == 5
    assert out["config"]["password"] == MASK
    assert out["config"]["nested"][0]["api_key"] == MASK
    assert out["webhook_secret"] == MASK and out["Authorization"] == MASK
    assert out["sealed"] == MASK
    assert out["token"] == ""  # nothing to hide
    assert "hunter2" not in repr(out) and "whsec_123" not in repr(out)


def test_entries_are_found_by_actor_action_source_and_date_and_paged(
    engine: SearchEngine,
) -> None:
    tag = uuid.uuid4().hex[:8]
    person = Actor.person(f"Ops-{tag}@MKJFGFSI.example", "ministerium")
    for _ in range(5):
        record(engine, person, "source.pause", f"src-{tag}", {"state": "active"},
               {"state": "paused", "secret": "s3cret"}, source_id=f"src-{tag}")  # fmt: skip
    record(engine, ADMIN_TOKEN, "source.sync", f"other-{tag}", source_id=f"other-{tag}")
    log = AuditLog(engine)

    mine = log.search(AuditQuery(actor=f"ops-{tag}", size=2))
    assert mine.total == 5 and mine.pages == 3 and len(mine.entries) == 2
    entry = mine.entries[0]
    assert (
        entry.actor == f"ops-{tag}@mkjfgfsi.example" and entry.actor_organisation == "ministerium"
    )
    assert entry.before == {"state": "active"}
    assert entry.after == {"state": "paused", "secret": MASK}
    last = log.search(AuditQuery(actor=f"ops-{tag}", size=2, page=3))
    assert len(last.entries) == 1
    assert {e.id for e in last.entries}.isdisjoint(e.id for e in mine.entries)

    by_source = log.search(AuditQuery(source_id=f"other-{tag}"))
    assert [e.actor for e in by_source.entries] == ["admin-token"]
    assert log.search(AuditQuery(source_id=f"src-{tag}", action="source.sync")).total == 0
    today = datetime.now(UTC).date()
    assert log.search(AuditQuery(source_id=f"src-{tag}", since=today, until=today)).total == 5
    tomorrow = today + timedelta(days=1)
    assert log.search(AuditQuery(source_id=f"src-{tag}", since=tomorrow)).total == 0
    assert log.search(AuditQuery(source_id=f"src-{tag}", until=date(2020, 1, 1))).total == 0
    assert "source.pause" in log.actions()
