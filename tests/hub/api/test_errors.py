"""Error answers of the API: one body shape everywhere, German text, no internals in public.

The app runs in-process (ASGI) on the real engine and Redis; the engine outages are real
sockets on 127.0.0.1: a closed port, and a server that accepts and never answers.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hub.api.app import create_app
from hub.core.settings import Settings
from hub.core.signing import sign_headers
from hub.push import recent_sources
from hub.search.engine import SearchEngine
from hub.sources.secrets import rotate_webhook_secret
from hub.sources.store import SourceInput, SourceRegistry, SourceState
from tests.support.stack import free_port, supervisor

SHAPE = {"error", "detail", "request_id"}


def call(app: FastAPI, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request through the ASGI app (no server); app bugs come back as their 500."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


def assert_one_shape(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == SHAPE
    assert body["error"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


@pytest.fixture(scope="module")
def app(settings: Settings, engine: SearchEngine) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def hung_engine() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@contextmanager
def api_process(settings: Settings, log_dir: Path) -> Iterator[tuple[httpx.Client, Path]]:
    """The real API as a child process (uvicorn), a client for it, and its log file."""
    sup = supervisor(settings, log_dir)
    child = sup.api()
    try:
        with httpx.Client(base_url=sup.settings.public_base_url, timeout=60, trust_env=False) as c:
            yield c, child.log_path
    finally:
        sup.stop_all()


def assert_engine_outage_is_private(response: httpx.Response, port: int, log: Path) -> None:
    body = assert_one_shape(response, 503, "engine_unavailable")
    assert "Suchdienst" in body["detail"]
    for internal in ("127.0.0.1", str(port), "Timeout", "Connection", "HTTP", "refused"):
        assert internal not in response.text
    # the internal cause is in the log, under the id the body names
    lines = [line for line in log.read_text().splitlines() if body["request_id"] in line]
    assert any("api.unavailable" in line and f"port={port}" in line for line in lines), lines


@pytest.mark.parametrize("engine_kind", ["closed_port", "never_answers"])
def test_engine_outage_is_503_without_internals_and_logged_under_the_request_id(
    settings: Settings, hung_engine: int, tmp_path: Path, engine_kind: str
) -> None:
    port = hung_engine if engine_kind == "never_answers" else free_port()
    # "opensearch" skips flavour detection: the request itself meets the dead engine
    update = {"search_url": f"http://127.0.0.1:{port}", "search_engine": "opensearch"}
    rid = f"outage-{uuid.uuid4().hex[:8]}"
    with api_process(settings.model_copy(update=update), tmp_path) as (client, log):
        started = time.monotonic()
        response = client.get(
            "/api/v1/offers", params={"q": "hebamme"}, headers={"x-request-id": rid}
        )
        assert time.monotonic() - started < 30  # the serving client's short timeout
        assert response.json()["request_id"] == rid
        assert_engine_outage_is_private(response, port, log)


def test_engine_outage_during_flavour_detection_is_503_without_internals(
    settings: Settings,
) -> None:
    port = free_port()
    app = create_app(settings.model_copy(update={"search_url": f"http://127.0.0.1:{port}"}))
    response = call(app, "GET", "/api/v1/offers", params={"q": "hebamme"})
    assert_one_shape(response, 503, "engine_unavailable")
    assert str(port) not in response.text and "127.0.0.1" not in response.text


def test_search_page_during_an_outage_is_german_html_without_internals(settings: Settings) -> None:
    port = free_port()
    app = create_app(settings.model_copy(update={"search_url": f"http://127.0.0.1:{port}"}))
    response = call(app, "GET", "/", params={"q": "hebamme"})
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "nicht erreichbar" in response.text
    assert str(port) not in response.text and "engine" not in response.text.lower()


def test_unknown_offer_is_404_in_the_one_shape(app: FastAPI) -> None:
    response = call(app, "GET", f"/api/v1/offers/nirgends:{uuid.uuid4().hex}")
    body = assert_one_shape(response, 404, "not_found")
    assert body["detail"] == "Dieses Angebot gibt es nicht (mehr)."


def test_unknown_path_is_404_in_the_one_shape_and_german(app: FastAPI) -> None:
    body = assert_one_shape(call(app, "GET", "/api/v1/gibt-es-nicht"), 404, "not_found")
    assert body["detail"] == "Diese Adresse gibt es nicht."


def test_invalid_parameter_is_422_naming_the_parameter(app: FastAPI) -> None:
    response = call(app, "GET", "/api/v1/offers", params={"size": "viele"})
    body = assert_one_shape(response, 422, "invalid_request")
    assert "size" in body["detail"] and "Bitte prüfen Sie" in body["detail"]
    assert "Input should be" not in response.text  # pydantic's English stays in the log


def test_unknown_place_is_422_in_german(app: FastAPI) -> None:
    response = call(app, "GET", "/api/v1/offers", params={"place": "Atlantis am Meer"})
    body = assert_one_shape(response, 422, "unknown_place")
    assert "Atlantis" in body["detail"]


def test_route_http_exception_keeps_its_german_reason(app: FastAPI) -> None:
    response = call(app, "GET", "/api/v1/offers", params={"after": "kaputt"})
    body = assert_one_shape(response, 422, "invalid_request")
    assert body["detail"] == "Ungültiger Blätter-Cursor (after)."


def test_missing_admin_token_is_401_in_the_one_shape(app: FastAPI) -> None:
    response = call(app, "GET", "/api/v1/sources")
    body = assert_one_shape(response, 401, "unauthorized")
    assert body["detail"] == "Admin-Token fehlt oder ist ungültig."


def test_oversized_webhook_is_413_in_the_one_shape(app: FastAPI, settings: Settings) -> None:
    body = b"a" * (settings.webhook_max_body_bytes + 1)
    response = call(app, "POST", "/api/v1/sources/irgendeine/events", content=body)
    detail = assert_one_shape(response, 413, "too_large")["detail"]
    assert "zu groß" in detail


def test_webhook_refusals_400_401_409_are_in_the_one_shape(
    app: FastAPI, engine: SearchEngine
) -> None:
    source_id = f"err-{uuid.uuid4().hex[:8]}"
    registry = SourceRegistry(engine)
    registry.create(
        SourceInput(id=source_id, ags=["05978036"], kind="push", url="https://www.unna.de/e.json")
    )
    secret = rotate_webhook_secret(registry, source_id).secret
    body = json.dumps({"type": "source.sync_requested"}).encode()
    url = f"/api/v1/sources/{source_id}/events"
    unsigned = call(app, "POST", url, content=body)
    assert_one_shape(unsigned, 400, "missing_headers")
    forged = sign_headers(secret, "msg_forged", int(time.time()), body + b" ")
    assert_one_shape(call(app, "POST", url, content=body, headers=forged), 401, "bad_signature")
    registry.update(source_id, lambda s: setattr(s, "state", SourceState.PAUSED))
    time.sleep(recent_sources.DEFAULT_TTL_SECONDS + 0.2)  # a pause reaches the API's memo
    headers = sign_headers(secret, f"msg_{uuid.uuid4().hex}", int(time.time()), body)
    paused = assert_one_shape(
        call(app, "POST", url, content=body, headers=headers), 409, "conflict"
    )
    assert "pausiert" in paused["detail"]


def test_a_bug_is_500_in_the_one_shape_without_its_message(settings: Settings) -> None:
    app = create_app(settings)

    def broken() -> None:
        raise RuntimeError("secret internals at 10.0.0.7")

    app.add_api_route("/api/v1/kaputt", broken)
    response = call(app, "GET", "/api/v1/kaputt")
    body = assert_one_shape(response, 500, "internal_error")
    assert "interner Fehler" in body["detail"]
    assert "secret" not in response.text and "10.0.0.7" not in response.text
