"""Signing in with an administration's OpenID Connect provider, against a minimal provider on
127.0.0.1 (tests/support/oidc.py): only existing accounts, state and nonce checked, tokens
signed by another key refused, a code redeemed once."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from hub.accounts.sessions import COOKIE
from hub.api.app import create_app
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from tests.support.accounts import Clients, PageClient, clients_of, make_person
from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, LocalProvider, running_provider

FAILED = "Die Anmeldung über Ihre Verwaltung hat nicht geklappt."


@pytest.fixture
def provider() -> Iterator[LocalProvider]:
    with running_provider() as found:
        yield found


@pytest.fixture
def oidc_clients(
    settings: Settings, engine: SearchEngine, provider: LocalProvider
) -> Iterator[Clients]:
    configured = settings.model_copy(
        update={
            "oidc_issuer": provider.base_url,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "public_base_url": "http://hub.test",
        }
    )
    yield from clients_of(create_app(configured))


def through_provider(client: PageClient) -> tuple[str, str]:
    """Start at the hub, let the provider answer; the path and query the browser returns with."""
    start = client.get("/anmelden/oidc")
    assert start.status_code == 303, start.text
    answer = httpx.get(start.headers["location"], follow_redirects=False)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    assert back.netloc == "hub.test"
    return back.path, back.query


def test_an_existing_person_signs_in_through_the_provider(
    oidc_clients: Clients, engine: SearchEngine, provider: LocalProvider
) -> None:
    person = make_person(engine)
    provider.email = person.user.email.upper()  # providers do not keep our spelling
    client = oidc_clients()
    assert "Mit dem Konto Ihrer Verwaltung anmelden" in client.get("/anmelden").text
    before = client.cookies[COOKIE]
    path, query = through_provider(client)

    answer = client.get(f"{path}?{query}")

    assert answer.status_code == 303 and answer.headers["location"] == "/kommune"
    assert client.cookies[COOKIE] != before  # the session id rotated
    assert person.org.name in client.get("/kommune").text
    replay = oidc_clients()
    replay.get("/anmelden")
    assert replay.get(f"{path}?{query}").status_code == 400  # not this browser's state


def test_nobody_without_an_account_gets_in(oidc_clients: Clients, provider: LocalProvider) -> None:
    provider.email = "fremd@andere-verwaltung.example"
    client = oidc_clients()
    path, query = through_provider(client)
    answer = client.get(f"{path}?{query}")
    assert answer.status_code == 403 and "gibt es hier kein Konto" in answer.text
    assert client.get("/kommune").status_code == 303


@pytest.mark.parametrize("fault", ["foreign_key", "wrong_nonce", "unverified", "state"])
def test_a_token_or_answer_that_does_not_verify_signs_nobody_in(
    oidc_clients: Clients, engine: SearchEngine, provider: LocalProvider, fault: str
) -> None:
    provider.email = make_person(engine).user.email
    provider.foreign_key = fault == "foreign_key"
    provider.wrong_nonce = fault == "wrong_nonce"
    provider.email_verified = fault != "unverified"
    client = oidc_clients()
    path, query = through_provider(client)
    if fault == "state":
        query = query.replace("state=", "state=x")
    answer = client.get(f"{path}?{query}")
    assert answer.status_code == 400 and FAILED in answer.text
    assert client.get("/kommune").status_code == 303


def test_without_configuration_there_is_no_provider_sign_in(browser: Clients) -> None:
    client = browser()
    assert "Konto Ihrer Verwaltung" not in client.get("/anmelden").text
    assert client.get("/anmelden/oidc").status_code == 404
