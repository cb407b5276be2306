"""`hub sync ID --reconcile` as an operator runs it: a real `hub` process on the real engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from hub.search.engine import SearchEngine
from hub.search.writer import OfferWriter
from hub.sources.runs import RunStore
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.feeds import FeedServer, Route

HUB = str(Path(sys.executable).parent / "hub")


def run_hub(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([HUB, *args], env=env, capture_output=True, text=True, timeout=120)


def feed(*local_ids: str) -> Route:
    offers = [
        {"local_id": local_id, "title": "Krabbelgruppe", "url": f"https://www.hamm.de/{local_id}",
         "updated_at": "2026-11-01T10:00:00+01:00", "topics": ["begegnung"],
         "locations": [{"city": "Hamm", "postcode": "59065"}]}
        for local_id in local_ids
    ]  # fmt: skip
    return Route(json.dumps({"offers": offers}))


def test_reconcile_from_the_command_line_deletes_what_the_feed_dropped(
    engine: SearchEngine, feed_server: FeedServer
) -> None:
    source_id = f"cli-{uuid.uuid4().hex[:8]}"
    url = feed_server.route(f"/{source_id}.json", feed(*[f"k{i}" for i in range(10)]))
    SourceRegistry(engine).create(SourceInput(id=source_id, ags=["05915000"], kind="push", url=url))
    assert run_hub("sync", source_id).returncode == 0
    feed_server.route(f"/{source_id}.json", feed(*[f"k{i}" for i in range(1, 10)]))

    done = run_hub("sync", source_id, "--reconcile")

    assert done.returncode == 0, done.stderr
    assert "(reconcile): succeeded" in done.stdout and "deleted 1" in done.stdout
    assert len(OfferWriter(engine).ids_of_source(source_id)) == 9
    assert RunStore(engine).for_source(source_id, 1)[0].mode == "reconcile"
    assert SourceRegistry(engine).get(source_id).last_reconciled_at is not None


def test_log_lines_go_to_stderr_and_leave_stdout_to_the_result(
    engine: SearchEngine, feed_server: FeedServer
) -> None:
    """Scripts read stdout (`--json`, JSON lines); the structured log goes to stderr."""
    source_id = f"cli-{uuid.uuid4().hex[:8]}"
    url = feed_server.route(f"/{source_id}.json", feed("a", "b"))
    SourceRegistry(engine).create(SourceInput(id=source_id, ags=["05915000"], kind="push", url=url))

    done = run_hub("sync", source_id)

    assert done.returncode == 0, done.stderr
    assert "sync.done" in done.stderr and source_id in done.stderr
    assert "sync.done" not in done.stdout and "(full): succeeded" in done.stdout
