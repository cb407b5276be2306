"""The hub app on the real engine with a few known offers, read through ASGI like a browser."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hub.api.app import create_app
from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.search.writer import OfferWriter

TOKEN = "Quokkatreff"  # a word only these offers contain, so other tests' data stays out


def sample_offers(source: str) -> list[Offer]:
    common: dict[str, Any] = {"source_id": source, "updated_at": "2026-03-01T10:00:00+01:00"}
    return [
        Offer(
            id=f"{source}:kurs",
            local_id="kurs",
            url="https://www.stadt-koeln.de/familie/quokkatreff-kurs",
            title=f"{TOKEN} Geburtsvorbereitung mit Hebamme",
            summary="Kurs für werdende Eltern </script><script>alert(1)</script>",
            description="Sechs Abende rund um die Geburt.\nMit Partnerin oder Partner.",
            kind="kurs",
            topics=["schwangerschaft_geburt", "hebammen"],
            pregnancy=True,
            languages=["de", "tr"],
            cost="free",
            accessibility=["wheelchair"],
            provider={
                "name": "Familienbildung Köln",
                "phone": "0221 123456",
                "email": "info@fbs.example",
            },
            locations=[
                {
                    "name": "Familienzentrum",
                    "street": "Domstraße 1",
                    "postcode": "50668",
                    "city": "Köln",
                    "ags": "05315000",
                    "lat": 50.9413,
                    "lon": 6.9583,
                }
            ],
            dates=[
                {"start": "2099-05-04T18:00:00+02:00", "end": "2099-05-04T20:00:00+02:00"},
                {"start": "2099-05-11T18:00:00+02:00"},
            ],
            area_ags=["05315000"],
            **common,
        ),
        Offer(
            id=f"{source}:gruppe",
            local_id="gruppe",
            url="https://www.essen.de/familie/quokkatreff-krabbelgruppe",
            title=f"{TOKEN} Krabbelgruppe",
            summary="Offene Krabbelgruppe für Babys und Kleinkinder.",
            kind="gruppe",
            topics=["begegnung"],
            age_min_months=6,
            age_max_months=36,
            extracted=["age_min_months", "age_max_months"],
            provider={"name": "Familienzentrum Essen"},
            locations=[{"city": "Essen", "ags": "05113000", "lat": 51.4556, "lon": 7.0116}],
            **common,
        ),
    ]


@pytest.fixture(scope="session")
def offers(engine: SearchEngine) -> list[Offer]:
    created = sample_offers(f"web-{uuid.uuid4().hex[:8]}")
    OfferWriter(engine).write(created)
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    return created


@pytest.fixture(scope="session")
def app(settings: Settings, engine: SearchEngine) -> Iterator[FastAPI]:
    yield create_app(settings)


def fetch(app: FastAPI, url: str, **headers: str) -> httpx.Response:
    """GET through the ASGI app (no server, no network)."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            return await client.get(url, headers=headers)

    return asyncio.run(go())
