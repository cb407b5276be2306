"""`hub sources add` registers through the shared use case; the CLI imports no route module."""

from __future__ import annotations

import ast
import uuid

from typer.testing import CliRunner

from hub.cli.sources import app
from hub.search.engine import SearchEngine
from hub.sources.keys import key_matches
from hub.sources.store import SourceRegistry
from tests.support.paths import ROOT


def test_add_prints_a_key_whose_hash_is_stored(engine: SearchEngine) -> None:
    source_id = f"cli-{uuid.uuid4().hex[:8]}"
    args = ["add", source_id, "--kind", "rss", "--url", "http://127.0.0.1:9/f.xml"]
    done = CliRunner().invoke(app, [*args, "--ags", "05978036"])
    assert done.exit_code == 0, done.output
    key = done.output.split("store it safely): ")[1].split()[0]
    assert key_matches(key, SourceRegistry(engine).get(source_id).api_key_hashes)


def test_add_refuses_an_invalid_config_and_registers_nothing(engine: SearchEngine) -> None:
    source_id = f"cli-{uuid.uuid4().hex[:8]}"
    args = ["add", source_id, "--kind", "gopher", "--url", "http://127.0.0.1:9/f.xml"]
    done = CliRunner().invoke(app, [*args, "--ags", "05978036"])
    assert done.exit_code != 0
    assert source_id not in {s.id for s in SourceRegistry(engine).list()}


def test_cli_imports_no_route_module() -> None:
    """Use cases live below the interfaces: a command never reaches into `hub.api`."""
    found = []
    for path in sorted((ROOT / "hub" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [
                f"{path.name}: {n}" for n in names if n == "hub.api" or n.startswith("hub.api.")
            ]
    assert found == []
