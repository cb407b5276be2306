"""The webhook receiver on the real engine and Redis: who may push, what is queued, and once."""

from __future__ import annotations

import base64
import json
import os
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from celery import Celery

from hub.core.errors import BrokerUnavailable
from hub.core.settings import Settings
from hub.core.signing import sign_headers
from hub.dev.processes import Supervisor
from hub.push.backlog import PushedEvent, backlog_key
from hub.push.receiver import WebhookReceiver, dedupe_key
from hub.search.engine import SearchEngine
from hub.search.indices import SOURCES
from hub.sources.secrets import rotate_webhook_secret
from hub.sources.store import SourceInput, SourceRegistry, SourceState
from tests.support.stack import free_port, supervisor

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
QUEUE = os.environ["HUB_QUEUE_NAME"]  # set per test session in tests/conftest.py
SESSION = Settings()  # the session's settings (tests/conftest.py), for key and queue names


def offer(local_id: str, updated: str = "2026-03-01T10:00:00+01:00") -> dict[str, Any]:
    return {
        "local_id": local_id,
        "title": "Babytreff",
        "url": f"https://www.unna.de/{local_id}",
        "kind": "treffpunkt",
        "topics": ["begegnung"],
        "updated_at": updated,
        "locations": [{"city": "Unna", "postcode": "59423", "ags": "05978036"}],
    }


def event(local_id: str = "a", event_type: str = "offer.upserted") -> bytes:
    return json.dumps({"type": event_type, "data": offer(local_id)}).encode()


def signed(
    secret: str, body: bytes, msg_id: str | None = None, at: int | None = None
) -> dict[str, str]:
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    return {
        **sign_headers(secret, msg_id, at or int(time.time()), body),
        "content-type": "application/json",
    }


@contextmanager
def running_api(settings: Settings, log_dir: Path) -> Iterator[httpx.Client]:
    """The real API as a child process (uvicorn), and a client for it."""
    sup: Supervisor = supervisor(settings, log_dir)
    sup.api()
    try:
        with httpx.Client(base_url=sup.settings.public_base_url, timeout=30, trust_env=False) as c:
            yield c
    finally:
        sup.stop_all()


@pytest.fixture(scope="module")
def api_settings(settings: Settings) -> Settings:
    """The session settings with a Redis database of this module alone, so no worker of a
    concurrent test session consumes the queued events before they are counted."""
    private = settings.redis_url.rsplit("/", 1)[0] + f"/{random.randint(8, 15)}"
    return settings.model_copy(update={"redis_url": private})


@pytest.fixture(scope="module")
def client(
    engine: SearchEngine, api_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    with running_api(api_settings, tmp_path_factory.mktemp("api-logs")) as api:
        yield api


@pytest.fixture(scope="module")
def broker(api_settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(api_settings.redis_url)


def celery_enqueue(app: Celery) -> Any:
    """An `Enqueue` publishing through a real Celery app (with its broker, up or down)."""

    def enqueue(source_id: str, event_type: str, data: Any, webhook_id: str, at: int) -> str:
        from kombu.exceptions import OperationalError

        kwargs = {
            "source_id": source_id,
            "event_type": event_type,
            "data": data,
            "webhook_id": webhook_id,
            "webhook_timestamp": at,
        }
        try:
            task = app.send_task(
                "workers.events.apply_event", kwargs=kwargs, queue=QUEUE, retry=False
            )
        except (OperationalError, OSError) as exc:
            raise BrokerUnavailable(str(exc)) from exc
        return str(task.id)

    return enqueue


@pytest.fixture
def source(engine: SearchEngine) -> tuple[str, str]:
    """A registered push source and its webhook secret."""
    source_id = f"wh-{uuid.uuid4().hex[:8]}"
    registry = SourceRegistry(engine)
    registry.create(
        SourceInput(id=source_id, ags=["05978036"], kind="push", url="https://www.unna.de/f.json")
    )
    return source_id, rotate_webhook_secret(registry, source_id).secret


def queued(broker: redis.Redis, webhook_id: str) -> list[dict[str, Any]]:
    """Events with `webhook_id` waiting for a worker (removed after reading): in a source's
    backlog, which then has a drain task in the real events queue, or sent as a task of
    their own (`celery_enqueue`)."""
    found = []
    prefix = backlog_key(SESSION, "")
    for key in broker.scan_iter(match=prefix + "*"):
        source_id = key.decode()[len(prefix) :]
        for raw in broker.lrange(key, 0, -1):
            stored = PushedEvent.loads(raw)
            if stored.webhook_id == webhook_id:
                assert source_id in drains(broker)
                found.append({"source_id": source_id, **asdict(stored)})
                broker.lrem(key, 1, raw)
    for raw in broker.lrange(QUEUE, 0, -1):
        message = json.loads(raw)
        _args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        if kwargs.get("webhook_id") == webhook_id:
            assert message["headers"]["task"] == "workers.events.apply_event"
            found.append({**kwargs, "timestamp": kwargs.pop("webhook_timestamp")})
            broker.lrem(QUEUE, 1, raw)
    return found


def drains(broker: redis.Redis) -> set[str]:
    """Sources with a drain task waiting in the real events queue."""
    messages = (json.loads(raw) for raw in broker.lrange(SESSION.events_queue, 0, -1))
    return {
        json.loads(base64.b64decode(m["body"]))[1]["source_id"]
        for m in messages
        if m["headers"]["task"] == "workers.events.drain_events"
    }


def post(client: httpx.Client, source_id: str, body: bytes, headers: dict[str, str]) -> Any:
    return client.post(f"/api/v1/sources/{source_id}/events", content=body, headers=headers)


def test_signed_event_is_queued_once_and_answered_202(client, broker, source) -> None:
    source_id, secret = source
    body = event("a")
    headers = signed(secret, body)
    response = post(client, source_id, body, headers)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    [kwargs] = queued(broker, headers["webhook-id"])
    assert kwargs["source_id"] == source_id
    assert kwargs["event_type"] == "offer.upserted"
    assert kwargs["data"]["local_id"] == "a"
    assert kwargs["timestamp"] == int(headers["webhook-timestamp"])


def test_replayed_webhook_id_is_a_duplicate_and_queues_nothing(client, broker, source) -> None:
    source_id, secret = source
    body = event("a")
    headers = signed(secret, body)
    answers = [post(client, source_id, body, headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [202, 200, 200, 200]
    assert {a.json()["status"] for a in answers[1:]} == {"duplicate"}
    assert len(queued(broker, headers["webhook-id"])) == 1


@pytest.mark.parametrize(
    "forge",
    ["wrong_secret", "tampered_body", "no_v1", "garbage_signature", "signature_of_other_id"],
)
def test_forged_signature_is_refused_with_401(client, broker, source, forge: str) -> None:
    source_id, secret = source
    body = event("a")
    headers = signed(secret, body)
    if forge == "wrong_secret":
        headers = signed("whsec_" + base64.b64encode(b"x" * 32).decode(), body)
    elif forge == "tampered_body":
        body = body.replace(b"Babytreff", b"Babytrefe")
    elif forge == "no_v1":
        headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v2,")
    elif forge == "garbage_signature":
        headers["webhook-signature"] = "v1,AAAA v1,!!!"
    else:
        other = signed(secret, body)
        headers["webhook-signature"] = other["webhook-signature"]
    response = post(client, source_id, body, headers)
    assert response.status_code == 401, response.text
    assert response.json()["detail"]  # German explanation
    assert queued(broker, headers["webhook-id"]) == []


@pytest.mark.parametrize("skew", [-301, 301, -100_000])
def test_timestamp_outside_tolerance_is_refused(client, broker, source, skew: int) -> None:
    source_id, secret = source
    body = event("a")
    headers = signed(secret, body, at=int(time.time()) + skew)
    response = post(client, source_id, body, headers)
    assert response.status_code == 401
    assert "Sekunden" in response.json()["detail"]
    assert queued(broker, headers["webhook-id"]) == []


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_a_bad_request(client, source, missing: str) -> None:
    source_id, secret = source
    body = event("a")
    headers = signed(secret, body)
    del headers[missing]
    assert post(client, source_id, body, headers).status_code == 400


def test_non_numeric_timestamp_is_a_bad_request(client, source) -> None:
    source_id, secret = source
    headers = signed(secret, event())
    headers["webhook-timestamp"] = "gestern"
    assert post(client, source_id, event(), headers).status_code == 400


def test_oversized_body_is_refused_413_by_declared_length(client, settings, source) -> None:
    source_id, secret = source
    body = (
        b'{"type": "offer.upserted", "data": {"x": "'
        + b"a" * settings.webhook_max_body_bytes
        + b'"}}'
    )
    response = post(client, source_id, body, signed(secret, body))
    assert response.status_code == 413
    assert "zu groß" in response.json()["detail"]


def test_oversized_chunked_body_is_refused_413_while_streaming(client, settings, source) -> None:
    source_id, secret = source
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(4):
            sent.append(1)
            yield b"a" * (settings.webhook_max_body_bytes // 2)

    headers = signed(secret, b"")
    response = client.post(f"/api/v1/sources/{source_id}/events", content=chunks(), headers=headers)
    assert response.status_code == 413


def test_paused_source_refuses_events_so_the_sender_retries_later(
    client, broker, source, engine
) -> None:
    source_id, secret = source
    SourceRegistry(engine).update(source_id, lambda s: setattr(s, "state", SourceState.PAUSED))
    body = event()
    headers = signed(secret, body)
    response = post(client, source_id, body, headers)
    assert response.status_code == 409
    assert "pausiert" in response.json()["detail"]
    assert queued(broker, headers["webhook-id"]) == []
    SourceRegistry(engine).update(source_id, lambda s: setattr(s, "state", SourceState.ACTIVE))
    again = post(client, source_id, body, headers)  # the sender's retry, same webhook-id
    assert again.status_code == 202
    assert len(queued(broker, headers["webhook-id"])) == 1


def test_unknown_source_is_404(client) -> None:
    body = event()
    response = post(client, "gibt-es-nicht", body, signed(VECTOR_SECRET, body))
    assert response.status_code == 404
    assert "nicht registriert" in response.json()["detail"]


def test_a_municipality_cannot_push_to_another_source_with_its_own_secret(
    client, broker, source, engine
) -> None:
    own_id, own_secret = source
    other_id = f"wh-other-{uuid.uuid4().hex[:6]}"
    registry = SourceRegistry(engine)
    registry.create(
        SourceInput(id=other_id, ags=["05978036"], kind="push", url="https://www.unna.de/o.json")
    )
    rotate_webhook_secret(registry, other_id)
    body = event("a")
    headers = signed(own_secret, body)
    response = post(client, other_id, body, headers)
    assert response.status_code == 401
    assert queued(broker, headers["webhook-id"]) == []
    assert post(client, own_id, body, headers).status_code == 202  # valid only where it belongs
    assert len(queued(broker, headers["webhook-id"])) == 1


def test_source_without_secret_refuses_every_event(client, engine) -> None:
    source_id = f"wh-nosecret-{uuid.uuid4().hex[:6]}"
    SourceRegistry(engine).create(
        SourceInput(id=source_id, ags=["05978036"], kind="push", url="https://www.unna.de/n.json")
    )
    body = event()
    response = post(client, source_id, body, signed(VECTOR_SECRET, body))
    assert response.status_code == 401
    assert "kein Webhook-Geheimnis" in response.json()["detail"]


def test_standard_webhooks_vector_secret_and_signature_pass_verification(
    client, engine, api_settings, tmp_path
) -> None:
    """The published vector verbatim (old timestamp): with a wide tolerance it passes the
    signature check and only fails the event shape (422), not authentication (401)."""
    wide = api_settings.model_copy(update={"webhook_tolerance_seconds": 10**10})
    source_id = f"wh-vector-{uuid.uuid4().hex[:6]}"
    registry = SourceRegistry(engine)
    registry.create(
        SourceInput(id=source_id, ags=["05978036"], kind="push", url="https://www.unna.de/v.json")
    )
    rotate_webhook_secret(registry, source_id, secret=VECTOR_SECRET)
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    body = b'{"test": 2432232314}'
    with running_api(wide, tmp_path) as wide_client:
        response = post(wide_client, source_id, body, headers)
        assert response.status_code == 422
        assert "Ereignistyp" in response.json()["detail"]
        headers["webhook-signature"] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF="
        assert post(wide_client, source_id, body, headers).status_code == 401
    headers["webhook-signature"] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert post(client, source_id, body, headers).status_code == 401  # its age: a replay


def test_vector_secret_signs_fresh_events(client, broker, engine) -> None:
    source_id = f"wh-vecfresh-{uuid.uuid4().hex[:6]}"
    registry = SourceRegistry(engine)
    registry.create(
        SourceInput(id=source_id, ags=["05978036"], kind="push", url="https://www.unna.de/v.json")
    )
    rotate_webhook_secret(registry, source_id, secret=VECTOR_SECRET)
    body = event("v")
    headers = signed(VECTOR_SECRET, body)
    assert post(client, source_id, body, headers).status_code == 202
    assert len(queued(broker, headers["webhook-id"])) == 1


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        (b"kein json", "kein gültiges JSON"),
        (b"[1, 2]", "JSON-Objekt"),
        (b'{"type": "offer.exploded", "data": {}}', "Unbekannter Ereignistyp"),
        (b'{"type": "offer.upserted", "data": [1]}', "„data“"),
        (b'{"type": "offer.upserted"}', "„data“"),
        (b'{"type": "offer.deleted", "data": {"title": "x"}}', "local_id"),
    ],
)
def test_bad_event_shape_is_422_in_german_and_releases_the_id(
    client, broker, source, document: bytes, fragment: str
) -> None:
    source_id, secret = source
    headers = signed(secret, document)
    response = post(client, source_id, document, headers)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    good = event("a")
    retry = signed(secret, good, msg_id=headers["webhook-id"])
    assert post(client, source_id, good, retry).status_code == 202  # the id was not burnt
    assert len(queued(broker, headers["webhook-id"])) == 1


def test_sync_request_and_delete_events_are_queued(client, broker, source) -> None:
    source_id, secret = source
    for document in (
        {"type": "source.sync_requested"},
        {"type": "offer.deleted", "data": {"local_id": "a", "deleted_at": "2026-03-02T10:00:00Z"}},
    ):
        body = json.dumps(document).encode()
        headers = signed(secret, body)
        assert post(client, source_id, body, headers).status_code == 202
        [kwargs] = queued(broker, headers["webhook-id"])
        assert kwargs["event_type"] == document["type"]


def test_broker_refusal_releases_the_dedupe_key(
    engine, settings, api_settings, broker, source
) -> None:
    """A broker that is down (a real Celery app on a closed port) must not burn the id."""
    source_id, secret = source
    dead = Celery("dead", broker=f"redis://127.0.0.1:{free_port()}/0")
    dead.conf.broker_connection_timeout = 1
    live = Celery("live", broker=api_settings.redis_url)

    body = event("a")
    headers = signed(secret, body)
    down = WebhookReceiver(settings, SourceRegistry(engine), broker, celery_enqueue(dead))
    with pytest.raises(BrokerUnavailable):
        down.receive(source_id, headers, body, int(time.time()))
    assert broker.get(dedupe_key(settings, source_id, headers["webhook-id"])) is None
    up = WebhookReceiver(settings, SourceRegistry(engine), broker, celery_enqueue(live))
    assert up.receive(source_id, headers, body, int(time.time())).status == "queued"
    assert len(queued(broker, headers["webhook-id"])) == 1


def test_rotated_secret_overlaps_then_the_old_one_is_refused(
    client, broker, source, settings
) -> None:
    source_id, old = source
    admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
    rotated = client.post(
        f"/api/v1/sources/{source_id}/webhook-secret",
        params={"overlap_hours": 3 / 3600},
        headers=admin,
    )
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != old
    assert rotated.json()["previous_valid_until"]
    for secret in (old, new):  # both valid during the overlap
        body = event("r")
        headers = signed(secret, body)
        assert post(client, source_id, body, headers).status_code == 202
        assert len(queued(broker, headers["webhook-id"])) == 1
    time.sleep(3.5)
    body = event("r")
    assert post(client, source_id, body, signed(old, body)).status_code == 401
    headers = signed(new, body)
    assert post(client, source_id, body, headers).status_code == 202
    assert len(queued(broker, headers["webhook-id"])) == 1


def test_rotation_needs_the_sources_own_key_or_admin(client, source, engine, settings) -> None:
    source_id, _ = source
    admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
    key = client.post(f"/api/v1/sources/{source_id}/api-key", headers=admin).json()["api_key"]
    own = {"Authorization": f"Bearer {key}"}
    other_id = f"wh-o2-{uuid.uuid4().hex[:6]}"
    SourceRegistry(engine).create(
        SourceInput(id=other_id, ags=["05978036"], kind="push", url="https://www.unna.de/o.json")
    )
    assert client.post(f"/api/v1/sources/{other_id}/webhook-secret", headers=own).status_code == 403
    assert client.post(f"/api/v1/sources/{other_id}/api-key", headers=own).status_code == 403
    assert client.post(f"/api/v1/sources/{source_id}/webhook-secret").status_code == 403
    assert (
        client.post(f"/api/v1/sources/{source_id}/webhook-secret", headers=own).status_code == 201
    )


def test_api_key_rotation_invalidates_the_old_key_at_once(client, source, settings) -> None:
    source_id, _ = source
    admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
    first = client.post(f"/api/v1/sources/{source_id}/api-key", headers=admin).json()["api_key"]
    old = {"Authorization": f"Bearer {first}"}
    assert client.get(f"/api/v1/sources/{source_id}", headers=old).status_code == 200
    second = client.post(f"/api/v1/sources/{source_id}/api-key", headers=old)
    assert second.status_code == 201
    new = {"Authorization": f"Bearer {second.json()['api_key']}"}
    assert client.get(f"/api/v1/sources/{source_id}", headers=old).status_code == 403
    assert client.get(f"/api/v1/sources/{source_id}", headers=new).status_code == 200


def test_secrets_never_appear_in_source_output(client, source, settings) -> None:
    source_id, secret = source
    admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
    shown = client.get(f"/api/v1/sources/{source_id}", headers=admin).text
    assert secret not in shown and "whsec_" not in shown


def test_cli_rotates_webhook_secret_with_overlap_and_api_key(source, engine) -> None:
    from typer.testing import CliRunner

    from hub.cli.keys import app
    from hub.sources.keys import key_matches
    from hub.sources.secrets import active_secrets

    source_id, old = source
    runner = CliRunner()
    done = runner.invoke(app, ["rotate-webhook-secret", source_id, "--overlap-hours", "1"])
    assert done.exit_code == 0, done.output
    new = done.output.split("(shown once): ")[1].split()[0]
    assert active_secrets(SourceRegistry(engine).get(source_id), engine.settings) == [new, old]
    stored = engine.request("GET", engine.doc_path(SOURCES, source_id))["_source"]
    sealed = [entry["secret"] for entry in stored["webhook_secrets"]]
    assert all(value.startswith("fernet:") for value in sealed)
    assert new not in json.dumps(stored) and old not in json.dumps(stored)
    done = runner.invoke(app, ["rotate-api-key", source_id])
    assert done.exit_code == 0, done.output
    key = done.output.split("(shown once): ")[1].split()[0]
    assert key_matches(key, SourceRegistry(engine).get(source_id).api_key_hashes)
