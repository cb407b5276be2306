"""Registering thousands of sources at once: bulk writes a page at a time, every valid source
registered with its own key, every invalid or taken one refused with a German reason; and
`hub sources import` on top of it, keys to a new private file."""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli.sources import app
from hub.core.settings import Settings
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import drop_prefixed, ensure_indices
from hub.sources.enrolment import register_sources
from hub.sources.keys import key_matches
from hub.sources.store import SourceInput, SourceRegistry

COUNT = 2_100  # three bulk pages


def source_input(source_id: str, kind: str = "json_feed") -> SourceInput:
    return SourceInput(
        id=source_id,
        ags=["05978036"],
        kind=kind,
        url=f"http://127.0.0.1:9/{source_id}.json",
        config={"mapping": "demo-json.yaml"} if kind == "json_feed" else {},
    )


@pytest.fixture
def registry(services: None, settings: Settings) -> Iterator[SourceRegistry]:
    own = settings.model_copy(update={"index_prefix": f"{settings.index_prefix}bulk-"})
    engine = get_engine(own)
    ensure_indices(engine)
    try:
        yield SourceRegistry(engine)
    finally:
        drop_prefixed(engine)


def test_thousands_register_in_bulk_and_the_bad_ones_are_refused_with_reasons(
    registry: SourceRegistry,
) -> None:
    settings = registry.engine.settings
    register_sources(settings, registry, [source_input("b00007")])  # taken before the bulk
    inputs = [source_input(f"b{n:05d}") for n in range(COUNT)]
    inputs[1500] = source_input("b01500", kind="gopher")

    done = register_sources(settings, registry, iter(inputs), organisation_id="org-kreis")

    refused = dict(done.refused)
    assert set(refused) == {"b00007", "b01500"}
    assert "gibt es bereits" in refused["b00007"]
    assert "gopher" in refused["b01500"]
    assert len(done.registered) == COUNT - 2
    listed = {s.id: s for s in registry.list()}
    assert len(listed) == COUNT - 1  # the one taken before and the new ones
    some_id, some_key = done.registered[-1]
    assert key_matches(some_key, listed[some_id].api_key_hashes)
    assert listed[some_id].organisation_id == "org-kreis"
    assert listed["b00007"].organisation_id is None  # the earlier one stays as it was


def test_import_writes_keys_to_a_new_private_file_and_names_refused_lines(
    engine: SearchEngine, tmp_path: Path
) -> None:
    good, taken = f"imp-{uuid.uuid4().hex[:6]}", f"imp-{uuid.uuid4().hex[:6]}"
    lines = [
        source_input(good).model_dump_json(),
        '{"id": "imp-broken", "kind": "rss"}',
        source_input(taken).model_dump_json(),
        source_input(taken).model_dump_json(),
    ]
    path = tmp_path / "sources.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    keys = tmp_path / "keys.tsv"

    done = CliRunner().invoke(app, ["import", str(path), "--keys", str(keys)])

    assert done.exit_code == 1, done.output
    assert "line 2 refused" in done.output and "registered 2, refused 2" in done.output
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    written = dict(line.split("\t") for line in keys.read_text().splitlines())
    assert set(written) == {good, taken}
    registry = SourceRegistry(engine)
    assert key_matches(written[good], registry.get(good).api_key_hashes)
    assert "steht mehrfach in der Liste" in done.output
    kept = keys.read_text()
    again = CliRunner().invoke(app, ["import", str(path), "--keys", str(keys)])
    assert again.exit_code != 0 and keys.read_text() == kept  # never overwrites a keys file
