"""`hub doctor` against the real services: all green with a worker and beat running, and the
failing check with its advice when the engine URL is wrong, the mapping is old, or no worker
and no beat serve the queue."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from hub.core.errors import EngineRequestError
from hub.core.settings import Settings
from hub.dev.processes import Supervisor, settings_env
from hub.ops.doctor import Doctor, Finding, _guarded
from hub.ops.heartbeat import beat_age
from hub.search.analysis import offer_index_body
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, drop_prefixed, ensure_registry_index, swap_alias
from tests.support.paths import ROOT
from tests.support.stack import free_port, supervisor, wait_for

pytestmark = pytest.mark.services


def doctor_cli(settings: Settings, *args: str) -> tuple[int, dict[str, Any]]:
    """`hub doctor --json` as its own process with `settings` in its environment."""
    done = subprocess.run(
        [sys.executable, "-c", "from hub.cli.main import main; main()", "doctor", "--json", *args],
        cwd=ROOT, env=settings_env(settings), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    return done.returncode, json.loads(done.stdout)


def by_check(result: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {row["check"]: row for row in result["checks"]}


@pytest.fixture(scope="module")
def running(
    engine: object, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supervisor]:
    sup = supervisor(settings, Path(tmp_path_factory.mktemp("doctor-logs")))
    sup.worker(f"doctor-{uuid.uuid4().hex[:6]}", concurrency=1)
    sup.beat()
    client = redis.Redis.from_url(settings.redis_url)
    wait_for(lambda: beat_age(client, settings) is not None, what="beat heartbeat")
    wait_for(lambda: Doctor(settings).check_workers().status == "ok", what="worker replies")
    yield sup
    sup.stop_all()


def test_a_healthy_deployment_passes_every_check(running: Supervisor, settings: Settings) -> None:
    code, result = doctor_cli(settings, "--lang", "en")
    checks = by_check(result)
    assert code == 0, result
    assert result["ok"] is True
    assert set(checks) == {
        "engine",
        "redis",
        "alias",
        "mapping",
        "clock",
        "disk",
        "beat",
        "workers",
    }
    for name in ("engine", "redis", "alias", "mapping", "clock", "beat", "workers"):
        assert checks[name]["status"] == "ok", checks[name]
    assert checks["engine"]["detail"].startswith("opensearch 3.")
    assert "doctor-" in checks["workers"]["detail"]
    # the local node runs with disk watermarks off (hub/dev/services): noted, not failed
    assert checks["disk"]["status"] == "warn" and "(off)" in checks["disk"]["detail"]


def test_a_wrong_engine_url_fails_with_advice_in_german(
    running: Supervisor, settings: Settings
) -> None:
    wrong = settings.model_copy(update={"search_url": f"http://127.0.0.1:{free_port()}"})
    code, result = doctor_cli(wrong)
    checks = by_check(result)
    assert code == 1 and result["ok"] is False
    assert checks["engine"]["status"] == "fail"
    assert "HUB_SEARCH_URL" in checks["engine"]["advice"]
    assert checks["engine"]["advice"].startswith("Läuft die Suchmaschine?")
    assert {checks[n]["status"] for n in ("alias", "mapping", "clock", "disk")} == {"skip"}
    assert checks["redis"]["status"] == "ok", checks["redis"]
    assert checks["workers"]["status"] == "ok", checks["workers"]


def test_an_index_built_from_older_mappings_is_named_with_its_missing_fields(
    engine: SearchEngine, settings: Settings
) -> None:
    own = settings.model_copy(
        update={"index_prefix": f"{settings.index_prefix}old-{uuid.uuid4().hex[:6]}-"}
    )
    old_engine = SearchEngine(own)
    body = offer_index_body(0)
    body["mappings"]["_meta"]["definition_hash"] = "built-before-an-upgrade"
    del body["mappings"]["properties"]["languages"]
    try:
        old_engine.request("PUT", f"/{old_engine.name(OFFERS)}-1", body)
        swap_alias(old_engine, old_engine.name(OFFERS) + "-1")
        ensure_registry_index(old_engine, "hub-sources", update_mapping=False)
        mapping = by_check({"checks": [f.as_dict("en") for f in Doctor(own).run()]})["mapping"]
    finally:
        drop_prefixed(old_engine)
        old_engine.close()
    assert mapping["status"] == "fail"
    assert "missing fields: languages" in mapping["detail"]
    assert "hub index reindex --if-stale" in mapping["advice"]


def test_a_queue_nobody_serves_fails_beat_and_workers(engine: object, settings: Settings) -> None:
    lonely = settings.model_copy(update={"queue_name": f"nobody-{uuid.uuid4().hex[:6]}"})
    found = {f.check: f for f in Doctor(lonely, timeout=1.0).run()}
    assert found["beat"].status == "fail" and "hub beat" in found["beat"].advice.de
    assert found["workers"].status == "fail"
    assert "HUB_QUEUE_NAME" in found["workers"].advice("en")


def test_only_the_checks_asked_for_run(running: Supervisor, settings: Settings) -> None:
    code, result = doctor_cli(settings, "--check", "beat", "--check", "workers")
    assert code == 0
    assert [row["check"] for row in result["checks"]] == ["beat", "workers"]
    wrong = settings.model_copy(update={"search_url": f"http://127.0.0.1:{free_port()}"})
    code, result = doctor_cli(wrong, "--check", "alias")
    assert code == 1  # the engine's failure is named as the cause, the alias check skipped
    assert [(r["check"], r["status"]) for r in result["checks"]] == [
        ("engine", "fail"),
        ("alias", "skip"),
    ]


def test_a_question_the_engine_refuses_fails_that_check_alone() -> None:
    def refused() -> Finding:
        raise EngineRequestError(403, {"error": "action [cluster:monitor/nodes/stats] denied"})

    finding = _guarded("disk", refused)
    assert finding.status == "fail" and "403" in finding.detail.en
    assert "HUB_SEARCH_USERNAME" in finding.advice.de
