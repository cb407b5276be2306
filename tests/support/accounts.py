"""People and organisations for page tests, and a cookie-keeping client for the ASGI app."""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from hub.accounts.organisations import Organisation, OrganisationKind, OrganisationStore
from hub.accounts.users import User, UserStore
from hub.search.engine import SearchEngine

PASSWORD = "ein-langes-test-passwort"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Person:
    org: Organisation
    user: User
    password: str = PASSWORD


def make_person(engine: SearchEngine, *, ministry: bool = False, ags: str = "05315000") -> Person:
    """A fresh organisation (Jugendamt or ministry) with one admin."""
    tag = uuid.uuid4().hex[:8]
    kind = OrganisationKind.MINISTRY if ministry else OrganisationKind.JUGENDAMT
    org = OrganisationStore(engine).create(f"Jugendamt Test {tag}", kind, [] if ministry else [ags])
    user = UserStore(engine).create(f"person-{tag}@amt.example", PASSWORD, org.id)
    return Person(org, user)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "page has no form with a CSRF token"
    return found.group(1)


class PageClient:
    """A browser stand-in over the ASGI app: keeps cookies, does not follow redirects (they
    are asserted), runs on its own event loop so tests stay synchronous."""

    def __init__(self, app: FastAPI) -> None:
        self.loop = asyncio.new_event_loop()
        address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        transport = httpx.ASGITransport(app=app, client=(address, 50000))  # own address each:
        # the per-address sign-in limit must not carry over between tests
        self.client = httpx.AsyncClient(transport=transport, base_url="http://hub.test")

    @property
    def cookies(self) -> httpx.Cookies:
        return self.client.cookies

    def get(self, url: str, **options: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.get(url, **options))

    def post(self, url: str, data: dict[str, str] | None = None) -> httpx.Response:
        return self.loop.run_until_complete(self.client.post(url, data=data or {}))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


class Clients:
    """Makes page clients and closes them all at the end of a test."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.made: list[PageClient] = []

    def __call__(self) -> PageClient:
        client = PageClient(self.app)
        self.made.append(client)
        return client

    def signed_in(self, person: Person) -> PageClient:
        return signed_in(self(), person)

    def close(self) -> None:
        for client in self.made:
            client.close()


def clients_of(app: FastAPI) -> Iterator[Clients]:
    made = Clients(app)
    yield made
    made.close()


def signed_in(client: PageClient, person: Person) -> PageClient:
    token = csrf_of(client.get("/anmelden").text)
    answer = client.post(
        "/anmelden",
        data={"csrf_token": token, "email": person.user.email, "password": person.password},
    )
    assert answer.status_code == 303, answer.text
    return client


def form_token(client: PageClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)
