"""The held-out pages: every page is labelled, labels validate, every page maps through its
connector. (Only the files' shape is checked here; what extraction finds is measured by
`hub eval extraction --pages`, never asserted, so the pages stay an unseen evaluation set.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from connectors.sdk.registry import connector_class
from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from hub.dev.extraction_pages import (
    LABEL_SUFFIX,
    NOT_AN_OFFER,
    RECORD_READERS,
    PageLabels,
    label_path,
    load_cases,
    page_files,
    run_page,
)
from tests.support.paths import FIXTURES

PAGES = FIXTURES / "pages"


def test_every_page_has_a_label_file_and_every_label_file_a_page() -> None:
    pages = page_files(PAGES)
    labels = sorted(PAGES.glob(f"*/*{LABEL_SUFFIX}"))

    assert [label_path(p) for p in pages] == labels


@pytest.mark.parametrize("label", sorted(PAGES.glob(f"*/*{LABEL_SUFFIX}")), ids=lambda p: p.name)
def test_label_file_validates_against_the_schema(label: Path) -> None:
    PageLabels.model_validate_json(label.read_bytes())


def test_pages_cover_every_prose_connector_kind_with_offers_and_noise() -> None:
    cases = load_cases(PAGES)
    kinds = {case.kind for case in cases}

    assert kinds == set(RECORD_READERS)
    assert all(connector_class(kind).kind == kind for kind in kinds)
    assert sum(not c.labels.not_an_offer for c in cases) >= 30
    assert sum(c.labels.not_an_offer for c in cases) >= 6
    assert len(cases) >= 40


def test_label_schema_refuses_an_offer_without_facts_and_unknown_codes() -> None:
    with pytest.raises(ValidationError):
        PageLabels.model_validate({"source_ags": "05915000"})
    with pytest.raises(ValidationError):
        PageLabels.model_validate({"source_ags": "05915000", "facts": {"kind": "party"}})
    with pytest.raises(ValidationError):
        PageLabels.model_validate({"source_ags": "05915000", "facts": {"languages": ["deu"]}})


def test_every_page_maps_through_its_connector() -> None:
    fetcher = SafeFetcher(Settings(environment="test"))
    try:
        outcomes = {case.path.name: run_page(case, fetcher) for case in load_cases(PAGES)}
    finally:
        fetcher.close()

    problems = {
        name: (result.rejection.code, result.rejection.message)
        for name, result in outcomes.items()
        if result.rejection is not None and result.rejection.code != NOT_AN_OFFER
    }
    assert problems == {}
