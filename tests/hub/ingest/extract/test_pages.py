"""Extraction over the hand-written municipal pages of every connector kind, as golden files.

The labels beside each page (`tests/fixtures/pages/`) say what a reader sees, and
`hub eval extraction --pages` scores against them. These golden files snapshot what the hub
extracts from each page, so any change to extraction shows up as a diff to review
(`UPDATE_GOLDEN=1` rewrites them).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from hub.dev.extraction_pages import PageCase, load_cases, run_page
from tests.support.golden import assert_golden
from tests.support.paths import FIXTURES

PAGES = FIXTURES / "pages"
EXPECTED = FIXTURES / "pages_extracted"
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)  # year-less dates and open rules start here
CASES = load_cases(PAGES)
FACTS = (
    "kind", "pregnancy", "age_min_months", "age_max_months", "languages", "cost", "cost_note",
    "registration_required", "online", "audiences", "recurrence_text", "extracted",
)  # fmt: skip


@pytest.fixture(scope="module")
def fetcher() -> Iterator[SafeFetcher]:
    client = SafeFetcher(Settings(environment="test"))
    yield client
    client.close()


def expected_path(case: PageCase) -> Path:
    return EXPECTED / case.kind / (case.path.name.split(".", 1)[0] + ".json")


def outcome(case: PageCase, fetcher: SafeFetcher) -> dict[str, Any]:
    result = run_page(case, fetcher, now=NOW)
    if result.offer is None:
        assert result.rejection is not None
        return {"rejected": result.rejection.code, "message_de": result.rejection.message_de}
    doc = result.offer.document()
    return {
        **{key: doc[key] for key in FACTS},
        "locations": [
            {k: loc.get(k) for k in ("name", "street", "postcode", "city", "ags")}
            for loc in doc["locations"]
        ],
        "provider": doc["provider"],
        "dates": [session["start"] for session in doc["dates"]],
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.kind}/{c.path.name}")
def test_page_extraction_matches_its_golden_file(case: PageCase, fetcher: SafeFetcher) -> None:
    path = expected_path(case)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert_golden(path, None, outcome(case, fetcher))


def test_every_golden_file_belongs_to_a_page() -> None:
    wanted = {expected_path(case) for case in CASES}
    assert len(CASES) >= 40
    assert set(EXPECTED.glob("*/*.json")) == wanted
