"""Where the tests find their files: one place, inside the repository, nothing beside it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
DEMO_CORPUS = ROOT / "hub" / "dev" / "demo" / "data" / "corpus.jsonl"
WEB_DIR = ROOT / "hub" / "web"
