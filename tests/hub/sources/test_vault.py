"""Connector secrets at rest: sealed in the engine's document, masked in every output, opened
only for the connector, which still authenticates against a server demanding basic auth."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from hub.api.app import create_app
from hub.cli.sources import app as sources_cli
from hub.core.errors import ConfigError
from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from hub.ingest.build import connector_for
from hub.search.engine import SearchEngine
from hub.search.indices import SOURCES
from hub.sources.store import SourceInput, SourceRegistry
from hub.sources.vault import (
    MASK,
    SEALED,
    SecretBox,
    has_clear_secrets,
    masked_config,
    open_config,
    reseal_config,
    seal_config,
    secret_paths,
)
from tests.support.asgi import call
from tests.support.connectors import run
from tests.support.feeds import FeedServer, Request, Route
from tests.support.paths import FIXTURES

PASSWORD = "Kennwort-äöü-7f3c9a"
COLLECTION = "/jsonapi/node/angebot"


def test_drupal_password_is_a_secret_path_and_unknown_kinds_have_none() -> None:
    assert ("password",) in secret_paths("drupal")
    assert secret_paths("rss") == ()
    assert secret_paths("gopher") == ()


def test_seal_open_and_mask_round_trip() -> None:
    box = SecretBox([Fernet.generate_key()])
    sealed = seal_config("drupal", {"username": "hub", "password": PASSWORD}, box)
    assert sealed["password"].startswith(SEALED) and PASSWORD not in json.dumps(sealed)
    assert sealed["username"] == "hub"
    assert seal_config("drupal", sealed, box) == sealed  # sealing twice changes nothing
    assert open_config("drupal", sealed, box)["password"] == PASSWORD
    assert masked_config("drupal", sealed)["password"] == MASK
    assert not has_clear_secrets("drupal", sealed)
    assert has_clear_secrets("drupal", {"password": PASSWORD})


def test_rotation_old_key_still_opens_and_reseal_moves_to_the_new_key() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    sealed = seal_config("drupal", {"password": PASSWORD}, SecretBox([old]))
    ring = SecretBox([new, old])
    assert open_config("drupal", sealed, ring)["password"] == PASSWORD
    moved = reseal_config("drupal", sealed, ring)
    assert open_config("drupal", moved, SecretBox([new]))["password"] == PASSWORD
    with pytest.raises(ConfigError) as refused:
        open_config("drupal", sealed, SecretBox([new]))
    assert "entschlüsseln" in (refused.value.message_de or "")


def test_env_reference_is_resolved_at_open_time_and_never_sealed() -> None:
    box = SecretBox([Fernet.generate_key()])
    stored = seal_config("drupal", {"password": "env:DRUPAL_ESSEN_PW"}, box)
    assert stored["password"] == "env:DRUPAL_ESSEN_PW"
    assert masked_config("drupal", stored)["password"] == "env:DRUPAL_ESSEN_PW"
    opened = open_config("drupal", stored, box, environ={"DRUPAL_ESSEN_PW": PASSWORD})
    assert opened["password"] == PASSWORD
    with pytest.raises(ConfigError) as missing:
        open_config("drupal", stored, box, environ={})
    assert "DRUPAL_ESSEN_PW" in (missing.value.message_de or "")


def test_production_refuses_to_start_without_a_secrets_key() -> None:
    with pytest.raises(ValueError, match="HUB_SECRETS_KEY"):
        Settings(environment="production", admin_token="a-real-token")
    key = Fernet.generate_key().decode()
    assert Settings(environment="production", admin_token="t", secrets_key=key).secrets_key


def _raw_doc(engine: SearchEngine, source_id: str) -> str:
    return json.dumps(
        engine.request("GET", engine.doc_path(SOURCES, source_id)), ensure_ascii=False
    )


def _drupal_source(server: FeedServer, **config: str) -> SourceInput:
    return SourceInput(
        id=f"vault-{uuid.uuid4().hex[:8]}",
        name="Kreis Mettmann",
        ags=["05158012"],
        kind="drupal",
        url=server.url(COLLECTION),
        config={"site_url": "https://www.kreis-mettmann.de", **config},
    )


def _serve_protected(server: FeedServer) -> None:
    page = (FIXTURES / "drupal" / "angebote_page2.json").read_text("utf-8")
    expected = "Basic " + base64.b64encode(f"hub:{PASSWORD}".encode()).decode()

    def collection(request: Request) -> Route:
        if request.headers.get("authorization") != expected:
            return Route(b'{"errors": [{"title": "Unauthorized"}]}', status=401)
        return Route(page.replace("{{base}}", server.base_url), content_type="application/json")

    server.route(COLLECTION, collection)


def test_stored_document_holds_no_clear_secret_and_the_connector_still_authenticates(
    engine: SearchEngine, settings: Settings, feed_server: FeedServer
) -> None:
    _serve_protected(feed_server)
    registry = SourceRegistry(engine)
    data = _drupal_source(feed_server, username="hub", password=PASSWORD)
    source = registry.create(data)
    assert PASSWORD not in _raw_doc(engine, data.id)
    assert PASSWORD not in source.model_dump_json()

    fetcher = SafeFetcher(settings)
    try:
        records, _ = run(connector_for(registry.get(data.id), fetcher))
    finally:
        fetcher.close()
    assert records, "the protected collection answered with nodes"

    shown = CliRunner().invoke(sources_cli, ["show", data.id])
    assert shown.exit_code == 0, shown.output
    assert PASSWORD not in shown.output and MASK in shown.output
    admin = {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}
    app = create_app(settings)
    for path in (f"/api/v1/sources/{data.id}", "/api/v1/sources"):
        answer = call(app, "GET", path, headers=admin)
        assert answer.status_code == 200 and data.id in answer.text
        assert PASSWORD not in answer.text and "fernet:" not in answer.text


def test_wrong_password_is_refused_by_the_server(
    engine: SearchEngine, settings: Settings, feed_server: FeedServer
) -> None:
    """The server in the test above really checks the credentials."""
    _serve_protected(feed_server)
    registry = SourceRegistry(engine)
    data = _drupal_source(feed_server, username="hub", password="falsch")
    registry.create(data)
    fetcher = SafeFetcher(settings)
    try:
        with pytest.raises(Exception, match="401"):
            run(connector_for(registry.get(data.id), fetcher))
    finally:
        fetcher.close()


def test_clear_secret_of_an_older_document_is_sealed_by_encrypt_secrets(
    engine: SearchEngine, feed_server: FeedServer
) -> None:
    data = _drupal_source(feed_server, username="hub", password=PASSWORD)
    legacy = {**data.model_dump(mode="json"), "state": "active"}
    engine.request(
        "PUT", engine.doc_path(SOURCES, data.id), legacy, params={"refresh": "true"}
    )  # as written before secrets were sealed
    assert PASSWORD in _raw_doc(engine, data.id)
    shown = CliRunner().invoke(sources_cli, ["show", data.id])
    assert PASSWORD not in shown.output

    done = CliRunner().invoke(sources_cli, ["encrypt-secrets"])
    assert done.exit_code == 0, done.output
    assert PASSWORD not in _raw_doc(engine, data.id)
    assert f"{data.id}: secrets sealed" in done.output


def test_env_reference_stored_as_is_and_read_when_the_connector_is_built(
    engine: SearchEngine,
    settings: Settings,
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _serve_protected(feed_server)
    registry = SourceRegistry(engine)
    data = _drupal_source(feed_server, username="hub", password="env:HUB_TEST_DRUPAL_PW")
    registry.create(data)
    assert '"env:HUB_TEST_DRUPAL_PW"' in _raw_doc(engine, data.id)
    monkeypatch.setenv("HUB_TEST_DRUPAL_PW", PASSWORD)
    fetcher = SafeFetcher(settings)
    try:
        records, _ = run(connector_for(registry.get(data.id), fetcher))
    finally:
        fetcher.close()
    assert records
