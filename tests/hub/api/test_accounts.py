"""Enrolment links over the JSON API: only with the admin token, the URL only once."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from hub.api.app import create_app
from hub.core.settings import Settings
from hub.search.engine import SearchEngine


def call(app: FastAPI, method: str, path: str, **options: object) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            return await client.request(method, path, **options)  # type: ignore[arg-type]

    return asyncio.run(go())


def test_the_admin_token_issues_a_link_whose_url_is_answered_once(
    settings: Settings, engine: SearchEngine
) -> None:
    app = create_app(settings)
    admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
    body = {"organisation_name": "Jugendamt Per Skript", "ags": ["05111000"]}

    issued = call(app, "POST", "/api/v1/enrolment-links", json=body, headers=admin)
    refused = call(app, "POST", "/api/v1/enrolment-links", json=body)
    listed = call(app, "GET", "/api/v1/enrolment-links", headers=admin)
    bad = call(
        app,
        "POST",
        "/api/v1/enrolment-links",
        headers=admin,
        json={"organisation_name": "Jugendamt Bayern", "ags": ["09162000"]},
    )

    assert issued.status_code == 201 and refused.status_code == 401
    link = issued.json()
    assert link["state"] == "open" and "/registrieren/" in link["url"]
    token = link["url"].rsplit("/", 1)[1]
    mine = [entry for entry in listed.json() if entry["id"] == link["id"]]
    assert mine and "url" not in mine[0] and token not in listed.text
    assert call(app, "GET", link["url"].replace(settings.public_base_url, "")).status_code == 200
    assert bad.status_code == 422 and "09162000" in bad.json()["detail"]
