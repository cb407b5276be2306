"""Backup and restore through the engine's snapshot API, on a real node with a filesystem
repository: a synced feed comes back after its indices were deleted or changed, and a
repository the engine may not or cannot write to is refused in German with nothing lost.

The node must allow the repository folder in `path.repo`, which it reads at start only. The
local node started by `hub services up` allows `<state_dir>/opensearch/snapshots`
(hub/dev/services); when the configured engine does not allow this session's folder (it was
started before that setting, or from another checkout) the module starts a node of its own
through the same service code, on a free port with its own state folder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.core.errors import BackupError
from hub.core.settings import Settings
from hub.dev import services
from hub.dev.processes import settings_env
from hub.ingest.runner import SyncOptions, SyncRunner
from hub.ops.backup import Backups, default_location
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, SOURCES, SYNC_RUNS, drop_prefixed, ensure_indices
from hub.sources.runs import RunStore
from hub.sources.store import SourceInput, SourceRegistry
from tests.e2e.test_pipeline import corpus_feed
from tests.support.feeds import FeedServer, Route
from tests.support.paths import ROOT
from tests.support.stack import free_search_port

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def node(
    engine: SearchEngine, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings of an engine that allows this module's repository folder."""
    folder = f"{default_location(settings)}/{settings.index_prefix}backups"
    if Backups(engine, folder)._allowed():
        yield settings.model_copy(update={"backup_location": folder})
        shutil.rmtree(folder, ignore_errors=True)  # the node is local: leave no files behind
        return
    state = tmp_path_factory.mktemp("backup-node")
    own = settings.model_copy(
        update={
            "search_url": f"http://127.0.0.1:{free_search_port(9280)}",
            "state_dir": state,
            "opensearch_heap": "512m",
            "backup_location": str(state / "opensearch" / "snapshots" / "backups"),
        }
    )
    services.start_search(own)
    try:
        yield own
    finally:
        services.stop_search(own)


@pytest.fixture
def deployment(node: Settings) -> Iterator[tuple[Settings, SearchEngine]]:
    """One test's own indices (own prefix and repository name) on the node."""
    own = node.model_copy(update={"index_prefix": f"{node.index_prefix}bk-{uuid.uuid4().hex[:6]}-"})
    eng = SearchEngine(own)
    ensure_indices(eng)
    yield own, eng
    repository = Backups(eng).repository
    for snapshot in Backups(eng).snapshots():
        eng.request("DELETE", f"/_snapshot/{repository}/{snapshot.name}")
    if Backups(eng)._registered() is not None:
        eng.request("DELETE", f"/_snapshot/{repository}")
    drop_prefixed(eng)
    eng.close()


def synced_source(settings: Settings, eng: SearchEngine, feed: FeedServer) -> tuple[str, int]:
    records = corpus_feed("bielefeld")
    url = feed.route("/backup.json", Route(json.dumps({"offers": records})))
    source_id = f"backup-{uuid.uuid4().hex[:6]}"
    SourceRegistry(eng).create(SourceInput(id=source_id, ags=["05711000"], kind="push", url=url))
    run = SyncRunner(settings, eng).run(source_id, SyncOptions(trigger="test", full=True))
    assert run.counts.created == len(records) > 0
    eng.request("POST", f"/{eng.name(OFFERS)},{eng.name(SOURCES)},{eng.name(SYNC_RUNS)}/_refresh")
    return source_id, len(records)


def offers(eng: SearchEngine) -> int:
    if not eng.exists(f"/{eng.name(OFFERS)}"):
        return 0
    eng.request("POST", f"/{eng.name(OFFERS)}/_refresh")
    return int(eng.request("GET", f"/{eng.name(OFFERS)}/_count")["count"])


def test_restore_brings_back_deleted_offers_sources_and_runs(
    deployment: tuple[Settings, SearchEngine], feed_server: FeedServer
) -> None:
    settings, eng = deployment
    source_id, count = synced_source(settings, eng, feed_server)
    backups = Backups(eng)
    snapshot = backups.create()
    assert snapshot.state == "SUCCESS"
    assert snapshot.offer_index and snapshot.offer_index.startswith(eng.name("offers-"))

    for index in (snapshot.offer_index, eng.name(SOURCES), eng.name(SYNC_RUNS)):
        eng.request("DELETE", f"/{index}")
    assert offers(eng) == 0
    ensure_indices(eng)  # as a restarted hub would: empty indices, a new offer index
    assert offers(eng) == 0 and SourceRegistry(eng).list() == []

    restored = backups.restore(snapshot.name)
    assert offers(eng) == count
    assert SourceRegistry(eng).get(source_id).id == source_id
    runs = RunStore(eng).for_source(source_id)
    assert [run.counts.created for run in runs] == [count]
    assert restored.documents[snapshot.offer_index] == count
    assert restored.safety_snapshot in {s.name for s in backups.snapshots()}
    # the alias points at the restored index alone; the empty one it replaced is gone
    assert list(eng.request("GET", f"/_alias/{eng.name(OFFERS)}")) == [snapshot.offer_index]


def test_restore_replaces_changed_indices_in_place(
    deployment: tuple[Settings, SearchEngine], feed_server: FeedServer
) -> None:
    settings, eng = deployment
    source_id, count = synced_source(settings, eng, feed_server)
    backups = Backups(eng)
    snapshot = backups.create("before-the-accident")
    eng.request(
        "POST", f"/{eng.name(OFFERS)}/_delete_by_query", {"query": {"match_all": {}}},
        params={"refresh": "true"},
    )  # fmt: skip
    eng.request("DELETE", eng.doc_path(SOURCES, source_id), params={"refresh": "true"})
    assert offers(eng) == 0

    backups.restore(snapshot.name, safety_snapshot=False)
    assert offers(eng) == count
    assert SourceRegistry(eng).get(source_id).id == source_id


def test_an_unwritable_repository_is_refused_in_german_and_nothing_is_lost(
    deployment: tuple[Settings, SearchEngine], feed_server: FeedServer
) -> None:
    settings, eng = deployment
    synced_source(settings, eng, feed_server)
    good = Backups(eng)
    first = good.create()
    before = offers(eng)
    # a file where the repository folder should be: the engine cannot create it (root ignores
    # permission bits, so a read-only folder would not stop it on a test machine)
    blocker = Path(good.location).parent / f"blocked-{uuid.uuid4().hex[:6]}"
    blocker.write_text("not a folder")
    try:
        with pytest.raises(BackupError) as refused:
            Backups(eng, f"{blocker}/repo").create()
    finally:
        blocker.unlink()
    assert "kann nicht in den Sicherungsordner" in refused.value.message_de
    assert "nichts gelöscht" in refused.value.message_de
    assert offers(eng) == before
    assert [s.name for s in good.snapshots()] == [first.name]  # the good repository is kept


def test_a_folder_outside_path_repo_is_refused_in_german(
    deployment: tuple[Settings, SearchEngine], tmp_path: Path
) -> None:
    _, eng = deployment
    with pytest.raises(BackupError) as refused:
        Backups(eng, str(tmp_path / "elsewhere")).create()
    assert "nicht freigegeben (path.repo)" in refused.value.message_de
    assert Backups(eng).snapshots() == []


def test_restoring_an_unknown_snapshot_changes_nothing(
    deployment: tuple[Settings, SearchEngine], feed_server: FeedServer
) -> None:
    settings, eng = deployment
    synced_source(settings, eng, feed_server)
    backups = Backups(eng)
    backups.create()
    before = offers(eng)
    with pytest.raises(BackupError) as refused:
        backups.restore("no-such-snapshot")
    assert "gibt es nicht" in refused.value.message_de
    assert offers(eng) == before and len(backups.snapshots()) == 1


def test_the_cli_creates_lists_and_explains_a_refusal(
    deployment: tuple[Settings, SearchEngine], tmp_path: Path
) -> None:
    settings, _ = deployment

    def hub(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from hub.cli.main import main; main()", "backup", *args],
            cwd=ROOT, env=settings_env(settings, **extra), capture_output=True, text=True,
            timeout=120, check=False,
        )  # fmt: skip

    made = hub("create", "--name", "cli-made")
    assert made.returncode == 0, made.stderr
    assert "Sicherung cli-made geschrieben" in made.stdout
    assert "cli-made" in hub("list").stdout
    restored = hub("restore", "cli-made", "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "Sicherung cli-made zurückgespielt" in restored.stdout
    assert "Stand davor: Sicherung pre-restore-" in restored.stdout
    refused = hub("create", HUB_BACKUP_LOCATION=str(tmp_path / "elsewhere"))
    assert refused.returncode == 1
    assert "nicht freigegeben" in refused.stderr and "Traceback" not in refused.stderr
