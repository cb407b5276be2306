"""Sign-in, sessions and CSRF on the real engine and Redis, through the ASGI app."""

from __future__ import annotations

import redis
from pydantic import SecretStr

from hub.accounts.sessions import COOKIE, SessionStore
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from tests.support.accounts import Clients, csrf_of, form_token, make_person

REFUSED = "Das Formular ist abgelaufen oder kam nicht von dieser Seite"


def test_sign_in_rotates_the_session_and_sign_out_ends_it(
    browser: Clients, engine: SearchEngine, settings: Settings
) -> None:
    person = make_person(engine)
    client = browser()
    token = csrf_of(client.get("/anmelden").text)
    anonymous = client.cookies[COOKIE]

    answer = client.post(
        "/anmelden",
        data={"csrf_token": token, "email": person.user.email, "password": person.password},
    )

    assert answer.status_code == 303 and answer.headers["location"] == "/kommune"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    signed = client.cookies[COOKIE]
    assert signed != anonymous
    store = SessionStore(redis.Redis.from_url(settings.redis_url), settings)
    assert store.load(anonymous) is None
    page = client.get("/kommune")
    assert page.status_code == 200 and person.org.name in page.text

    out = client.post("/abmelden", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303
    assert store.load(signed) is None
    client.cookies.clear()
    client.cookies.set(COOKIE, signed)  # the old cookie, replayed
    assert client.get("/kommune").headers["location"] == "/anmelden"


def test_a_form_without_or_with_a_wrong_token_is_refused_in_german(
    browser: Clients, engine: SearchEngine
) -> None:
    person = make_person(engine)
    client = browser.signed_in(person)
    form_token(client, "/kommune/quellen/neu")  # a valid session with a token exists

    for data in ({}, {"csrf_token": "falsch"}):
        answer = client.post("/kommune/quellen/pruefen", data={**data, "url": "https://x.example"})
        assert answer.status_code == 403
        assert REFUSED in answer.text
        assert answer.headers["content-type"].startswith("text/html")
    stranger = browser()  # no session at all: even a token copied from elsewhere fails
    answer = stranger.post("/anmelden", data={"csrf_token": csrf_of(client.get("/kommune").text)})
    assert answer.status_code == 403 and REFUSED in answer.text


def test_wrong_password_and_unknown_address_get_the_same_answer(
    browser: Clients, engine: SearchEngine
) -> None:
    person = make_person(engine)
    answers = []
    for email in (person.user.email, "niemand-hier@amt.example"):
        client = browser()
        token = csrf_of(client.get("/anmelden").text)
        answer = client.post(
            "/anmelden", data={"csrf_token": token, "email": email, "password": "falsch-falsch-1"}
        )
        answers.append(
            (answer.status_code, "E-Mail-Adresse oder Passwort sind falsch." in answer.text)
        )
    assert answers == [(401, True), (401, True)]


def test_sign_in_attempts_are_limited_per_account(browser: Clients, engine: SearchEngine) -> None:
    person = make_person(engine)
    client = browser()
    statuses = []
    for attempt in range(6):
        token = csrf_of(client.get("/anmelden").text)
        password = person.password if attempt == 5 else f"falsch-{attempt}-passwort"
        answer = client.post(
            "/anmelden",
            data={"csrf_token": token, "email": person.user.email, "password": password},
        )
        statuses.append(answer.status_code)
    assert statuses == [401, 401, 401, 401, 401, 429]  # even the right password waits now
    assert "Zu viele Anmeldeversuche" in answer.text


def test_pages_need_a_signed_in_person(browser: Clients) -> None:
    client = browser()
    for path in ("/kommune", "/kommune/quellen/neu", "/ministerium"):
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/anmelden"


def test_the_session_cookie_is_secure_in_production(
    settings: Settings, engine: SearchEngine
) -> None:
    from hub.api.app import create_app
    from tests.support.accounts import clients_of

    production = settings.model_copy(
        update={"environment": "production", "admin_token": SecretStr("x" * 40)}
    )
    for made in clients_of(create_app(production)):
        answer = made().get("/anmelden")
        cookie = answer.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie


def test_an_oversized_form_is_refused_before_it_is_parsed(
    browser: Clients, engine: SearchEngine
) -> None:
    client = browser()
    token = csrf_of(client.get("/anmelden").text)
    answer = client.post("/anmelden", data={"csrf_token": token, "email": "x" * 70_000})
    assert answer.status_code == 413 and "Das Formular ist zu groß." in answer.text
