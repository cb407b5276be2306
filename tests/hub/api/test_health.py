"""`/readyz` on the real stack: 200 while the engine and Redis answer, 503 with the reason when
either does not. The app runs in-process, pointed at a closed port on 127.0.0.1 for the one
service that is "down"; the shared services are never stopped."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from hub.api.app import create_app
from hub.core.settings import Settings
from tests.support.stack import free_port

pytestmark = pytest.mark.services


def ready(settings: Settings, path: str = "/readyz") -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(settings), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            return await client.get(path)

    return asyncio.run(go())


def engine_errors(settings: Settings) -> float:
    """`hub_engine_errors_total{kind="unavailable"}` of this process, scraped via `/metrics`."""
    scrape = ready(settings, "/metrics").text
    for family in text_string_to_metric_families(scrape):
        for sample in family.samples:
            if sample.name == "hub_engine_errors_total" and sample.labels == {
                "kind": "unavailable"
            }:
                return sample.value
    return 0.0


def test_ready_when_engine_and_redis_answer(engine: object, settings: Settings) -> None:
    answer = ready(settings)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": "ready", "checks": {"search": True, "redis": True}}


def test_503_names_the_engine_when_it_does_not_answer(engine: object, settings: Settings) -> None:
    closed = settings.model_copy(
        update={"search_url": f"http://admin:s3cret@127.0.0.1:{free_port()}"}
    )
    errors_before = engine_errors(settings)
    answer = ready(closed)
    assert answer.status_code == 503
    assert engine_errors(settings) == errors_before + 1
    body = answer.json()
    assert body["status"] == "unavailable"
    assert body["checks"] == {"search": False, "redis": True}
    assert set(body["reasons"]) == {"search"}
    assert "not reachable" in body["reasons"]["search"]
    assert "s3cret" not in answer.text


def test_503_names_redis_when_it_does_not_answer(engine: object, settings: Settings) -> None:
    closed = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    answer = ready(closed)
    assert answer.status_code == 503
    body = answer.json()
    assert body["checks"] == {"search": True, "redis": False}
    assert set(body["reasons"]) == {"redis"}
    assert "redis not reachable" in body["reasons"]["redis"]
