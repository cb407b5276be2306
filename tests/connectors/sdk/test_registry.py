"""The connector registry is entry points: every registration imports, and outsiders can add one."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from connectors.sdk.base import Connector
from connectors.sdk.registry import GROUP, connector_class, registered_kinds
from hub.core.settings import Settings
from hub.ingest.dryrun import dry_run
from tests.support.feeds import FeedServer, Route

OUTSIDE_MODULE = '''
from typing import Any, ClassVar
from connectors.sdk.base import Connector, ConnectorConfig, Cursor, FetchGenerator, RawRecord


class LineConnector(Connector[ConnectorConfig]):
    """One offer per line: 'id|title|url'."""

    kind: ClassVar[str] = "lines"
    config_model: ClassVar[type[ConnectorConfig]] = ConnectorConfig

    def fetch(self, cursor: Cursor) -> FetchGenerator:
        response = self.fetcher.get(str(self.config.url))
        for line in response.text().splitlines():
            local_id, title, url = line.split("|")
            yield RawRecord(local_id=local_id, payload={"title": title, "url": url})
        return Cursor()

    def to_offer(self, record: RawRecord) -> dict[str, Any]:
        return {**record.payload, "updated_at": "2026-01-01T00:00:00+00:00"}
'''

OUTSIDE_PYPROJECT = """
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "familienhub-lines-connector"
version = "0.1.0"

[project.entry-points."familienhub.connectors"]
lines = "hub_lines.connector:LineConnector"

[tool.setuptools]
packages = ["hub_lines"]
"""


def test_every_registered_kind_imports_and_declares_its_kind() -> None:
    kinds = registered_kinds()
    assert {"push", "json_feed"} <= set(kinds)
    for kind in kinds:
        cls = connector_class(kind)
        assert issubclass(cls, Connector)
        assert cls.kind == kind
        assert cls.__module__ == f"connectors.{kind}"


def test_every_connector_module_is_registered() -> None:
    helpers = {
        "base",
        "fetcher",
        "registry",
        "detect",
        "dryrun",
        "paging",
        "mapping",
        "robots",
        "ratelimit",
        "addresses",
        "xmlsafe",
        "jsonld",
        "hsds_tabular",
        "recurrence",
    }
    modules = {p.stem for p in Path("connectors").glob("*.py") if not p.stem.startswith("_")}
    assert modules - helpers <= set(registered_kinds())


@pytest.fixture
def outside_package(tmp_path: Path) -> Iterator[Path]:
    """A tiny connector package built and installed by pip into a target folder."""
    source = tmp_path / "src"
    (source / "hub_lines").mkdir(parents=True)
    (source / "hub_lines" / "__init__.py").write_text("")
    (source / "hub_lines" / "connector.py").write_text(textwrap.dedent(OUTSIDE_MODULE))
    (source / "pyproject.toml").write_text(OUTSIDE_PYPROJECT)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
    )
    sys.path.insert(0, str(target))
    connector_class.cache_clear()
    yield target
    sys.path.remove(str(target))
    sys.modules.pop("hub_lines.connector", None)
    sys.modules.pop("hub_lines", None)
    connector_class.cache_clear()


def test_outside_package_adds_a_connector_the_hub_uses(
    outside_package: Path, feed_server: FeedServer
) -> None:
    assert "lines" in {ep.name for ep in entry_points(group=GROUP)}
    url = feed_server.route(
        "/offers.txt",
        Route(
            "a1|Babytreff am Markt|https://www.example-stadt.de/babytreff\n"
            "a2||https://www.example-stadt.de/leer",
            content_type="text/plain",
        ),
    )
    settings = Settings(environment="test", fetch_allow_hosts=["127.0.0.1"])
    report = dry_run(settings, "lines", {"url": url}, source_id="outside", ags=("05962004",))
    assert [o.title for o in report.offers] == ["Babytreff am Markt"]
    assert report.offers[0].id == "outside:a1"
    assert [r.local_id for r in report.rejections] == ["a2"]
    assert report.rejections[0].message_de.startswith("Titel")
