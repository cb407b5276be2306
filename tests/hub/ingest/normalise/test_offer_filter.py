"""The source's own offer filters: per record and per category they win over noise detection,
and they reach the normaliser from the stored config of every path (poll, push, dry run)."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.sdk.base import RawRecord
from connectors.sdk.filters import OfferFilters
from connectors.sdk.registry import connector_class, parse_config, registered_kinds
from hub.core.errors import ConfigError
from hub.ingest.build import connector_for, push_connector_for
from hub.ingest.normalise import normalise_record
from hub.ingest.pipeline import process_record
from hub.sources.store import Source
from tests.support.connectors import local_fetcher

AGS = ("05374012",)


def record(title: str, *categories: str) -> dict[str, Any]:
    return {
        "title": title,
        "url": "https://familie.example/angebot/",
        "updated_at": "2026-11-02T10:00:00Z",
        "description": "<p>Für Eltern mit Babys.</p>",
        "categories": list(categories),
    }


def normalise(mapped: dict[str, Any], local_id: str = "7", **filters: Any) -> tuple[str, str]:
    """(code or "offer", German message) of one record under `filters`."""
    result = normalise_record(
        "gummersbach", local_id, mapped, source_ags=AGS, offer_filters=OfferFilters(**filters)
    )
    if result.offer is not None:
        return "offer", ""
    assert result.rejection is not None
    return result.rejection.code, result.rejection.message_de


def test_noise_becomes_a_not_an_offer_rejection_with_its_categories() -> None:
    result = normalise_record("gummersbach", "1", record("Impressum", "Allgemein"), source_ags=AGS)
    assert result.offer is None and result.rejection is not None
    assert result.rejection.code == "not_an_offer"
    assert result.rejection.message_de == "Kein Angebot für Familien: Impressum-Seite erkannt"
    assert result.rejection.categories == ["Allgemein"]


def test_a_record_marked_as_offer_is_kept_although_it_looks_like_noise() -> None:
    assert normalise(record("Test"), local_id="7")[0] == "not_an_offer"
    assert normalise(record("Test"), local_id="7", offers=["7"]) == ("offer", "")


def test_a_record_marked_as_no_offer_is_rejected() -> None:
    code, message = normalise(record("Babymassage"), local_id="8", not_offers=["8"])
    assert code == "not_an_offer"
    assert message == "Kein Angebot für Familien: von der Kommune als „kein Angebot“ markiert"


def test_an_excluded_category_rejects_whatever_the_text_says() -> None:
    mapped = record("Babymassage", "Familienbildung", "Pressemitteilungen")
    code, message = normalise(mapped, exclude_categories=["pressemitteilungen"])
    assert code == "not_an_offer"
    assert message == "Kein Angebot für Familien: Kategorie „Pressemitteilungen“ ist ausgeschlossen"
    assert normalise(mapped)[0] == "offer"


def test_included_categories_admit_only_their_records_and_overrule_the_detection() -> None:
    filters = {"include_categories": ["Familienbildung", "Kurse für Eltern"]}
    assert normalise(record("Babymassage", "Familienbildung"), **filters)[0] == "offer"
    # Spelling of case and umlauts does not matter; a closure notice in an included category
    # is an offer because the municipality said so.
    assert normalise(record("Betriebsferien", "kurse fuer eltern"), **filters)[0] == "offer"
    code, message = normalise(record("Babymassage", "Aktuelles"), **filters)
    assert (code, message) == (
        "not_an_offer",
        "Kein Angebot für Familien: in keiner der einbezogenen Kategorien",
    )


def test_the_record_rule_wins_over_the_category_rule() -> None:
    mapped = record("Elterncafé", "Pressemitteilungen")
    excluded = {"exclude_categories": ["Pressemitteilungen"]}
    assert normalise(mapped, local_id="9", **excluded)[0] == "not_an_offer"
    assert normalise(mapped, local_id="9", offers=["9"], **excluded)[0] == "offer"


def test_every_connector_kind_accepts_offer_filters_and_refuses_unknown_keys() -> None:
    for kind in registered_kinds():
        assert "offer_filters" in connector_class(kind).config_model.model_fields, kind
    filters = {"offers": ["1"], "exclude_categories": ["Stellenangebote"]}
    for kind, extra in (("wordpress", {}), ("rss", {}), ("typo3", {"shape": "headless_news"})):
        raw = {"url": "https://a.example/", "offer_filters": filters, **extra}
        assert parse_config(kind, raw).offer_filters.exclude_categories == ["Stellenangebote"]
    with pytest.raises(ConfigError):
        parse_config("rss", {"url": "https://a.example/", "offer_filters": {"only": ["x"]}})


def stored_source(kind: str, config: dict[str, Any]) -> Source:
    return Source(
        id="gummersbach", ags=list(AGS), kind=kind, url="https://a.example/", config=config
    )


@pytest.mark.parametrize("build", [connector_for, push_connector_for])
def test_the_stored_filters_reach_the_normaliser_for_polls_and_pushes(build: Any) -> None:
    config = {"offer_filters": {"not_offers": ["42"]}, "topic_overrides": {}}
    fetcher = local_fetcher()
    try:
        connector = build(stored_source("push", config), fetcher)
    finally:
        fetcher.close()
    raw = RawRecord("42", {"local_id": "42", **record("Babymassage")})
    result = process_record(connector, raw)
    assert result.rejection is not None and result.rejection.code == "not_an_offer"


def test_the_push_path_keeps_the_filters_of_a_polled_kind() -> None:
    source = stored_source("rss", {"offer_filters": {"offers": ["5"]}})
    fetcher = local_fetcher()
    try:
        connector = push_connector_for(source, fetcher)
    finally:
        fetcher.close()
    assert connector.kind == "push"
    assert connector.config.offer_filters.offers == ["5"]
