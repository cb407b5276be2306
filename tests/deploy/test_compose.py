"""deploy/compose.yaml, checked without a Docker engine (none runs here): its services, health
checks and start order hang together, every `hub` command it runs exists, every HUB_* variable
is a setting, and both engines (OpenSearch, Elasticsearch 8) allow the backup folder."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.api.app import create_app
from hub.core.settings import Settings
from tests.deploy.commands import hub_command_exists
from tests.support.paths import ROOT

COMPOSE = ROOT / "deploy" / "compose.yaml"
ENGINES = ("opensearch", "elasticsearch")
HUB_SERVICES = ("init", "api", "worker", "events", "beat")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def hub_commands(command: list[str] | str) -> list[list[str]]:
    """The `hub …` invocations of a service command or health check (`sh -c` split at &&)."""
    argv = command if isinstance(command, list) else shlex.split(command)
    if argv[:1] in (["CMD"], ["CMD-SHELL"]):
        argv = argv[1:] if argv[0] == "CMD" else shlex.split(argv[1])
    if argv[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in argv[2].split("&&") if part.split()[0] == "hub"]
    return [argv] if argv[:1] == ["hub"] else []


def test_the_services_and_their_profiles(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {*ENGINES, "redis", *HUB_SERVICES}
    assert {name: services[name]["profiles"] for name in ENGINES} == {e: [e] for e in ENGINES}
    assert all("profiles" not in services[name] for name in ("redis", *HUB_SERVICES))
    default = (ROOT / "deploy" / ".env").read_text(encoding="utf-8")
    assert "COMPOSE_PROFILES=opensearch" in default.splitlines()
    assert services["elasticsearch"]["image"].split(":")[-1].startswith("8.")


def test_every_long_running_service_has_a_health_check_others_wait_for(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name, service in services.items():
        if name != "init":
            assert service["healthcheck"]["test"], name
        for target, condition in service.get("depends_on", {}).items():
            assert target in services, f"{name} depends on unknown {target}"
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target}'s health"
    for name in ("api", "worker", "events", "beat"):
        assert services[name]["depends_on"] == {
            "init": {"condition": "service_completed_successfully"}
        }
    # either engine may be the one running: the init job needs whichever is there
    assert {e: services["init"]["depends_on"][e]["required"] for e in ENGINES} == {
        e: False for e in ENGINES
    }


def test_the_first_start_creates_the_indices(compose: dict[str, Any]) -> None:
    commands = hub_commands(compose["services"]["init"]["command"])
    assert ["hub", "index", "create"] in commands
    assert ["hub", "index", "reindex", "--if-stale"] in commands


def test_every_hub_command_and_health_check_exists(compose: dict[str, Any]) -> None:
    found = []
    for service in compose["services"].values():
        found += hub_commands(service.get("command", []))
        found += hub_commands(service.get("healthcheck", {}).get("test", []))
    assert len(found) >= 6
    assert [argv for argv in found if not hub_command_exists(argv)] == []


def test_the_api_health_check_asks_a_route_of_the_app(compose: dict[str, Any]) -> None:
    test = " ".join(compose["services"]["api"]["healthcheck"]["test"])
    assert "/readyz" in test and "/readyz" in create_app(Settings()).openapi()["paths"]


def test_every_hub_variable_is_a_setting(compose: dict[str, Any]) -> None:
    known = {f"HUB_{name.upper()}" for name in Settings.model_fields}
    env = compose["x-hub-env"]
    assert sorted(v for v in env if v.startswith("HUB_") and v not in known) == []
    for name in HUB_SERVICES:
        assert compose["services"][name]["environment"] == env


def test_both_engines_allow_the_backup_folder_and_share_the_metrics_folder(
    compose: dict[str, Any],
) -> None:
    env = compose["x-hub-env"]
    backups = Path(env["HUB_BACKUP_LOCATION"])
    for engine in ENGINES:
        service = compose["services"][engine]
        repo = Path(service["environment"]["path.repo"])
        assert backups.is_relative_to(repo)
        assert f"snapshots:{repo}" in service["volumes"]
        assert service["networks"]["default"]["aliases"] == ["search"]
    assert env["HUB_SEARCH_URL"] == "http://search:9200"
    metrics = env["PROMETHEUS_MULTIPROC_DIR"]
    for name in HUB_SERVICES:
        assert f"metrics:{metrics}" in compose["services"][name]["volumes"]
    assert f"{metrics}/*.db" in compose["services"]["init"]["command"][-1]
