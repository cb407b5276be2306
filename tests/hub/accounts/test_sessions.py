"""Server-side sessions on the real Redis: expiry, rotation on sign-in, sign-out everywhere."""

from __future__ import annotations

import time

import pytest
import redis

from hub.accounts.sessions import Session, SessionStore
from hub.core.settings import Settings


@pytest.fixture
def client(settings: Settings, services: None) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url)


def test_a_session_expires_after_its_idle_time(settings: Settings, client: redis.Redis) -> None:
    store = SessionStore(client, settings.model_copy(update={"session_hours": 1 / 3600}))
    sid, _ = store.create()
    assert store.load(sid) is not None
    time.sleep(2.2)
    assert store.load(sid) is None


def test_redis_holds_only_a_hash_of_the_session_id(settings: Settings, client: redis.Redis) -> None:
    store = SessionStore(client, settings)
    sid, _ = store.create()
    keys = [k.decode() for k in client.scan_iter(match=f"{store.prefix}*", count=1000)]
    assert keys and not any(sid in key for key in keys)


def test_sign_in_rotates_the_id_and_keeps_the_old_one_dead(
    settings: Settings, client: redis.Redis
) -> None:
    store = SessionStore(client, settings)
    anonymous, before = store.create()
    signed = store.sign_in(anonymous, "u1", "org1")
    assert signed != anonymous
    assert store.load(anonymous) is None
    after = store.load(signed)
    assert after is not None and after.user_id == "u1"
    assert after.csrf_token != before.csrf_token


def test_end_all_signs_a_person_out_everywhere(settings: Settings, client: redis.Redis) -> None:
    store = SessionStore(client, settings)
    first, _ = store.create(Session(user_id="u-everywhere", organisation_id="o"))
    second, _ = store.create(Session(user_id="u-everywhere", organisation_id="o"))
    other, _ = store.create(Session(user_id="u-other", organisation_id="o"))
    assert store.end_all("u-everywhere") == 2
    assert store.load(first) is None and store.load(second) is None
    assert store.load(other) is not None


def test_an_absurd_cookie_is_no_session(settings: Settings, client: redis.Redis) -> None:
    store = SessionStore(client, settings)
    assert store.load("x" * 10_000) is None
    assert store.load(None) is None
