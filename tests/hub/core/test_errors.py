"""The one exception tree: every exception class of the project lives in `hub.core.errors`,
appears in the tree its docstring draws, and says when it is raised."""

from __future__ import annotations

import ast
import inspect

from hub.core import errors
from tests.support.paths import ROOT

PACKAGES = ("hub", "connectors", "workers")
ERRORS_MODULE = ROOT / "hub" / "core" / "errors.py"


def _exception_classes_outside_errors() -> list[str]:
    """Classes whose bases name an exception (…Error, …Exception, HubError, Unavailable …)."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ERRORS_MODULE or "node_modules" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.ClassDef) and any(_is_exception(b) for b in node.bases):
                    found.append(f"{path.relative_to(ROOT)}:{node.name}")
    return found


def _is_exception(base: ast.expr) -> bool:
    name = ast.unparse(base).rsplit(".", 1)[-1]
    return name.endswith(("Error", "Exception", "Unavailable")) or name in _tree_names()


def _tree_names() -> set[str]:
    return {name for name, _ in _hub_errors()}


def _hub_errors() -> list[tuple[str, type[errors.HubError]]]:
    return [
        (name, cls)
        for name, cls in vars(errors).items()
        if inspect.isclass(cls) and issubclass(cls, errors.HubError)
    ]


def test_no_exception_class_is_defined_outside_the_errors_module() -> None:
    assert _exception_classes_outside_errors() == []


def test_every_error_class_is_drawn_in_the_tree() -> None:
    tree = errors.__doc__ or ""
    drawn = {line.split("── ")[-1].split()[0] for line in tree.splitlines() if "── " in line}
    drawn.add("HubError")
    assert _tree_names() - drawn == set()
    assert drawn - _tree_names() == set()


def test_every_error_class_says_when_it_is_raised() -> None:
    undocumented = [name for name, cls in _hub_errors() if not (cls.__doc__ or "").strip()]
    assert undocumented == []


def test_subclasses_in_the_drawing_are_subclasses_in_code() -> None:
    """Indentation in the drawing is the inheritance: each class sits under its parent."""
    parents: list[str] = []
    for line in (errors.__doc__ or "").splitlines():
        if "── " not in line:
            continue
        prefix, rest = line.split("── ", 1)
        depth = (len(prefix) - len("    ├")) // 4 + 1
        name = rest.split()[0]
        parents[depth - 1 :] = [name]
        parent = parents[depth - 2] if depth > 1 else "HubError"
        assert getattr(errors, parent) in getattr(errors, name).__mro__[1:2], (name, parent)
