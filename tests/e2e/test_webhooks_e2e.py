"""Signed pushes through the real API into a real Celery worker: once, in order, never lost."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import httpx

from hub.core.signing import sign_headers
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from tests.support.feeds import FeedServer, Route
from tests.support.stack import wait_for

T1, T2, T3 = "2026-03-01T10:00:00+00:00", "2026-03-02T10:00:00+00:00", "2026-03-03T10:00:00+00:00"


def offer(local_id: str, updated: str, title: str = "Babytreff") -> dict[str, Any]:
    return {
        "local_id": local_id,
        "title": title,
        "url": f"https://www.hamm.de/{local_id}",
        "kind": "treffpunkt",
        "topics": ["begegnung"],
        "updated_at": updated,
        "locations": [{"city": "Hamm", "postcode": "59065", "ags": "05915000"}],
    }


def push_source(
    api: httpx.Client, admin: dict[str, str], feed_server: FeedServer, *records: dict[str, Any]
) -> tuple[str, str]:
    """A push source whose polled feed (served locally) holds `records`; and its secret."""
    source_id = f"e2e-push-{uuid.uuid4().hex[:6]}"
    url = feed_server.route(f"/{source_id}.json", Route(json.dumps({"offers": list(records)})))
    body = {"id": source_id, "ags": ["05915000"], "kind": "push", "url": url}
    assert api.post("/api/v1/sources", json=body, headers=admin).status_code == 201
    secret = api.post(f"/api/v1/sources/{source_id}/webhook-secret", headers=admin)
    assert secret.status_code == 201, secret.text
    return source_id, str(secret.json()["secret"])


def deliver(
    api: httpx.Client, source_id: str, secret: str, document: dict[str, Any], msg_id: str = ""
) -> httpx.Response:
    body = json.dumps(document).encode()
    headers = sign_headers(secret, msg_id or f"msg_{uuid.uuid4().hex}", int(time.time()), body)
    return api.post(f"/api/v1/sources/{source_id}/events", content=body, headers=headers)


def _get(engine: SearchEngine, doc_id: str) -> dict[str, Any] | None:
    body = {"query": {"ids": {"values": [doc_id]}}, "version": True}
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    return {**hits[0]["_source"], "_version": hits[0]["_version"]} if hits else None


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def webhook_runs(api: httpx.Client, source_id: str, admin: dict[str, str]) -> list[dict[str, Any]]:
    runs = api.get(f"/api/v1/sources/{source_id}/runs", headers=admin).json()
    return [r for r in runs if r["trigger"] == "webhook" and r["status"] != "running"]


def applied(api: httpx.Client, source_id: str, admin: dict[str, str]) -> list[str]:
    """The webhook-ids the finished event runs of a source applied (a batch lists several)."""
    return [i for run in webhook_runs(api, source_id, admin) for i in run["webhook_ids"]]


def test_same_event_delivered_five_times_concurrently_is_applied_once(
    api: httpx.Client,
    admin: dict[str, str],
    engine: SearchEngine,
    feed_server: FeedServer,
) -> None:
    source_id, secret = push_source(api, admin, feed_server)
    event = {"type": "offer.upserted", "data": offer("a", T2)}
    msg_id = f"msg_{uuid.uuid4().hex}"
    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: deliver(api, source_id, secret, event, msg_id), range(5)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 200, 200, 200, 202], [a.text for a in answers]
    assert sum(a.json()["status"] == "duplicate" for a in answers) == 4
    doc = wait_for(lambda: _get(engine, f"{source_id}:a"), what="pushed offer indexed")
    assert doc["_version"] == ms(T2)
    wait_for(lambda: webhook_runs(api, source_id, admin), what="webhook run")
    time.sleep(1.0)  # would a second copy have been consumed meanwhile?
    assert applied(api, source_id, admin) == [msg_id]
    assert len(webhook_runs(api, source_id, admin)) == 1


def test_out_of_order_pushes_leave_the_newest_version(
    api: httpx.Client, admin: dict[str, str], engine: SearchEngine, feed_server: FeedServer
) -> None:
    source_id, secret = push_source(api, admin, feed_server)
    sent = []
    for updated, title in ((T3, "Neueste"), (T1, "Älteste"), (T2, "Mittlere")):
        event = {"type": "offer.upserted", "data": offer("a", updated, title)}
        sent.append(f"msg_{uuid.uuid4().hex}")
        assert deliver(api, source_id, secret, event, sent[-1]).status_code == 202
    # in one batch or several
    wait_for(lambda: sorted(applied(api, source_id, admin)) == sorted(sent), what="all applied")
    doc = _get(engine, f"{source_id}:a")
    assert doc is not None
    assert (doc["title"], doc["_version"]) == ("Neueste", ms(T3))


def test_pushed_delete_then_late_older_upsert_stays_deleted(
    api: httpx.Client, admin: dict[str, str], engine: SearchEngine, feed_server: FeedServer
) -> None:
    source_id, secret = push_source(api, admin, feed_server)
    assert (
        deliver(
            api, source_id, secret, {"type": "offer.upserted", "data": offer("a", T1)}
        ).status_code
        == 202
    )
    wait_for(lambda: _get(engine, f"{source_id}:a"), what="offer indexed")
    delete = {"type": "offer.deleted", "data": {"local_id": "a", "deleted_at": T2}}
    assert deliver(api, source_id, secret, delete).status_code == 202
    wait_for(lambda: _get(engine, f"{source_id}:a") is None, what="offer deleted")
    late = {"type": "offer.upserted", "data": offer("a", T1, "Verspätet")}
    late_id = f"msg_{uuid.uuid4().hex}"
    assert deliver(api, source_id, secret, late, late_id).status_code == 202
    wait_for(lambda: late_id in applied(api, source_id, admin), what="late upsert applied")
    assert len(applied(api, source_id, admin)) == 3
    assert _get(engine, f"{source_id}:a") is None


def test_sync_requested_by_webhook_runs_a_sync(
    api: httpx.Client, admin: dict[str, str], engine: SearchEngine, feed_server: FeedServer
) -> None:
    source_id, secret = push_source(api, admin, feed_server, offer("a", T1), offer("b", T1))
    assert deliver(api, source_id, secret, {"type": "source.sync_requested"}).status_code == 202
    run = wait_for(lambda: webhook_runs(api, source_id, admin), what="sync run")[0]
    assert run["mode"] == "full"  # a real sync of the feed, not an event run
    assert (run["status"], run["counts"]["created"]) == ("succeeded", 2)
    assert _get(engine, f"{source_id}:b") is not None
