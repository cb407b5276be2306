"""Where the tests find their files: one place, inside the repository, nothing beside it.

Every path is checked when this module is imported, so a missing file fails the run with its
name instead of a test skipping or an empty parametrisation passing unnoticed.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class MissingTestData(FileNotFoundError):
    """A file or folder the tests read is not in the checkout (it ships with the repository)."""


def required(path: Path) -> Path:
    """`path` if it exists (a folder: and is not empty), else `MissingTestData` naming it."""
    if not path.exists() or (path.is_dir() and not any(path.iterdir())):
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        raise MissingTestData(
            f"test data {where} is missing: it ships with the repository "
            "(see tests/data/README.md); restore it with `git checkout -- tests/data`"
        )
    return path


FIXTURES = required(ROOT / "tests" / "fixtures")
DATA = required(ROOT / "tests" / "data")
DEMO_CORPUS = required(ROOT / "hub" / "dev" / "demo" / "data" / "corpus.jsonl")
WEB_DIR = required(ROOT / "hub" / "web")

HSDS = required(DATA / "hsds" / "openreferral-3.0")
HSDS_SCHEMA = required(HSDS / "schema")
HSDS_SERVICE_EXAMPLE = required(HSDS / "examples" / "service_full.json")
RELEVANCE_CORPUS = required(DATA / "relevance" / "corpus.jsonl")
RELEVANCE_QUERIES = required(DATA / "relevance" / "queries_dev.json")
RELEVANCE_HELDOUT = required(DATA / "relevance" / "queries_heldout.json")
RELEVANCE_HELDOUT2 = required(DATA / "relevance" / "queries_heldout2.json")
RELEVANCE_TUNE2 = required(DATA / "relevance" / "queries_tune2.json")
WEBHOOK_VECTORS = required(DATA / "webhooks" / "test_vectors.json")
SSRF_URLS = required(DATA / "security" / "ssrf_urls.txt")
HOSTILE_XML = required(DATA / "security" / "xml")
DEFUSEDXML = required(HOSTILE_XML / "defusedxml")
