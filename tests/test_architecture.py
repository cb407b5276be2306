"""The import rules between the layers hold, so no arrow points back up.

Checked over the `ast` of every module of `hub/`, `connectors/` and `workers/`, imports inside
functions and `TYPE_CHECKING` blocks included, and by importing every `hub` module in a fresh
interpreter:

- the kernel `hub/core/` imports nothing of the project outside itself;
- `connectors/` imports only the kernel, its SDK `connectors/sdk/` and its own modules, and
  the SDK only the kernel and itself (no SDK module leans on a concrete connector);
- the runtime never imports the dev tooling `hub/dev/` (only the CLI starts it);
- nothing outside `workers/` (the Celery entry points) imports `workers`, and importing any
  `hub` module neither imports `workers` nor builds a Celery app with tasks.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import ROOT

PACKAGES = ("hub", "connectors", "workers")


@dataclass(frozen=True)
class Edge:
    """One import of a project module: who imports what, on which line."""

    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}"


def module_files() -> dict[str, Path]:
    """Every module of the product packages by dotted name; folders without `__init__.py`
    (such as `hub/web/node_modules`) are no packages and are left out."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if all((ROOT / folder / "__init__.py").exists() for folder in relative.parents[:-1]):
                name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
                found[name] = path
    return found


def absolute(name: str, level: int, module: str, is_package: bool) -> str:
    """The absolute module a (possibly relative) `from … import` names."""
    if level == 0:
        return name
    anchor = module.split(".") if is_package else module.split(".")[:-1]
    anchor = anchor[: len(anchor) - (level - 1)]
    return ".".join([*anchor, name] if name else anchor)


def imported(
    tree: ast.AST, module: str, is_package: bool, known: Collection[str]
) -> Iterator[tuple[str, int]]:
    """(module, line) for every import anywhere in the tree; `from a import b` names `a.b` when
    that is a module, else `a`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = absolute(node.module or "", node.level, module, is_package)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield (candidate if candidate in known else base), node.lineno


MODULES = module_files()


def project_edges() -> list[Edge]:
    """Every import of a project module by a project module."""
    edges = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for target, line in imported(tree, name, path.name == "__init__.py", MODULES):
            if target.split(".")[0] in PACKAGES:
                edges.append(Edge(name, target, line))
    return edges


EDGES = project_edges()


def within(module: str, *prefixes: str) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def violations(sources: tuple[str, ...], allowed: tuple[str, ...]) -> list[str]:
    """Imports by modules under `sources` of project modules outside `allowed`."""
    assert any(within(name, *sources) for name in MODULES), f"no module under {sources}"
    return [str(e) for e in EDGES if within(e.source, *sources) and not within(e.target, *allowed)]


def test_the_scan_sees_every_package_and_imports_inside_functions() -> None:
    assert {"hub.core.settings", "connectors.sdk.base", "workers.app", "hub"} <= set(MODULES)
    tree = ast.parse(
        "def late():\n    from workers.app import create_app\n"
        "if TYPE_CHECKING:\n    from hub import queue\n"
        "class C:\n    def m(self):\n        from .sibling import x\n"
    )
    found = {target for target, _ in imported(tree, "hub.core.places", False, MODULES)}
    assert found == {"workers.app", "hub.queue", "hub.core.sibling"}


def test_kernel_imports_nothing_of_the_project_outside_itself() -> None:
    # The package `hub` itself runs whenever the kernel is imported, so it counts as kernel.
    assert violations(("hub.core",), ("hub.core",)) == []
    assert [str(e) for e in EDGES if e.source == "hub"] == []


def test_connectors_import_only_the_kernel_and_connectors() -> None:
    assert violations(("connectors",), ("hub.core", "connectors")) == []


def test_the_sdk_imports_only_the_kernel_and_itself() -> None:
    assert violations(("connectors.sdk",), ("hub.core", "connectors.sdk")) == []


def test_only_the_cli_and_the_dev_tooling_import_the_dev_tooling() -> None:
    users = [e for e in EDGES if within(e.target, "hub.dev") and not within(e.source, "hub.dev")]
    assert [str(e) for e in users if not within(e.source, "hub.cli")] == []


def test_nothing_outside_workers_imports_workers() -> None:
    outside = [e for e in EDGES if within(e.target, "workers") and not within(e.source, "workers")]
    assert [str(e) for e in outside] == []


PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
from celery import Celery, _state
Celery("probe", set_as_current=False)  # shared tasks defined anywhere would bind to it
apps = [
    {"main": app.main, "include": list(app.conf.include or ()),
     "tasks": sorted(t for t in app.tasks if not t.startswith("celery."))}
    for app in list(_state._apps)
]
workers = sorted(m for m in sys.modules if m == "workers" or m.startswith("workers."))
print(json.dumps({"imported": len(sys.argv) - 1, "workers": workers, "apps": apps}))
"""


def test_importing_every_hub_module_never_imports_workers_nor_builds_a_task_app() -> None:
    names = sorted(name for name in MODULES if within(name, "hub"))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"hub.core.settings", "hub.api.app", "hub.cli", "hub.queue"} <= set(names)
    assert result["imported"] == len(names)
    assert result["workers"] == []
    assert [app for app in result["apps"] if app["tasks"] or app["include"]] == []
