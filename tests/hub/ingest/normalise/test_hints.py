"""Hint keys (`age_text`, `kind_text`, `audience_text`, `cost_text`, `language_text`) → fields."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hub.core.languages import parse_language_text
from hub.core.schema import HINT_KEYS
from hub.ingest.extract.phrases import best_code, matched_codes, parse_cost_text
from hub.ingest.normalise import normalise_record
from hub.ingest.normalise.hints import resolve_hints
from tests.support.paths import RELEVANCE_CORPUS

BASE = {
    "url": "https://www.unna.de/familie/angebot",
    "title": "Angebot",
    "updated_at": "2026-02-01T09:00:00+01:00",
}


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Deutsch, Türkisch", ["de", "tr"]),
        ("Türkisch und Arabisch", ["tr", "ar"]),
        ("Englisch / Ukrainisch / Russisch", ["en", "uk", "ru"]),
        ("Bulgarisch; Rumänisch; Polnisch; Französisch; Persisch", ["bg", "ro", "pl", "fr", "fa"]),
        ("auf Arabisch", ["ar"]),
        ("arabischsprachig", ["ar"]),
        ("Farsi/Dari", ["fa"]),
        ("Türkçe/Deutsch", ["tr", "de"]),
        ("Українська, Русский", ["uk", "ru"]),
        ("de, tr, ar", ["de", "tr", "ar"]),
        ("DE/EN", ["de", "en"]),
        ("tur;ara", ["tr", "ar"]),
        ("Angebot in Türkisch", ["tr"]),
        ("Gebärdensprache", []),
        ("", []),
    ],
)
def test_language_names_and_codes_become_iso_639_1(text: str, codes: list[str]) -> None:
    assert parse_language_text(text) == codes


@pytest.mark.parametrize(
    ("text", "cost"),
    [
        ("kostenlos", "free"),
        ("Eintritt frei", "free"),
        ("Kassenleistung", "free"),
        ("45 € für 5 Termine", "paid"),
        ("Monatsbeitrag 24 €", "paid"),
        ("12 Euro", "paid"),
        ("2 € pro Treffen, ermäßigt frei", "reduced"),
        ("40 €, mit Familienpass 20 €", "reduced"),
        ("Spende von 2 € pro Treffen erbeten", "reduced"),
        ("einkommensabhängig", "unknown"),
        ("nach Absprache", "unknown"),
    ],
)
def test_cost_notes(text: str, cost: str) -> None:
    assert parse_cost_text(text) == cost


def test_cost_rule_agrees_with_the_corpus_cost_notes() -> None:
    lines = [json.loads(line) for line in RELEVANCE_CORPUS.read_text(encoding="utf-8").splitlines()]
    agreed = sum(parse_cost_text(o["cost_note"]) == o["cost"] for o in lines)
    share = agreed / len(lines)
    print(f"cost notes: {agreed}/{len(lines)} agree with the corpus ({share:.1%})")
    assert share >= 0.97


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Kurs", "kurs"),
        ("Krabbelgruppe", "gruppe"),
        ("Offener Treff", "treffpunkt"),
        ("Infoabend", "veranstaltung"),
        ("Beratung und Kurs", "beratung"),
        ("Hausbesuche", "hausbesuch"),
        ("Online-Kurs", "online"),
        ("Sonstiges", None),
    ],
)
def test_kind_is_the_earliest_named_form(text: str, kind: str | None) -> None:
    assert best_code("kinds", text) == kind


def test_longer_audience_phrases_hide_the_shorter_ones_inside_them() -> None:
    assert matched_codes("audiences", "Werdende Eltern, werdende Väter") == ["werdende_eltern"]
    assert matched_codes("audiences", "Mütter und Väter, Großeltern") == [
        "eltern",
        "vaeter",
        "grosseltern",
    ]


def test_hints_fill_empty_fields_and_are_removed() -> None:
    data: dict[str, Any] = {
        "age_text": "0–3 Jahre",
        "kind_text": "<b>Offener Treff</b>",
        "audience_text": ["Eltern", "Alleinerziehende"],
        "cost_text": "2 € pro Treffen, ermäßigt frei",
        "language_text": "Deutsch, Türkisch",
    }
    resolve_hints(data)
    assert data == {
        "age_min_months": 0,
        "age_max_months": 36,
        "kind": "treffpunkt",
        "audiences": ["eltern", "alleinerziehende"],
        "cost": "reduced",
        "cost_note": "2 € pro Treffen, ermäßigt frei",
        "languages": ["de", "tr"],
    }
    assert not set(HINT_KEYS) & set(data)


def test_explicit_values_win_over_hints() -> None:
    data: dict[str, Any] = {
        "age_min_months": 6,
        "age_max_months": None,
        "pregnancy": False,
        "kind": "kurs",
        "audiences": ["vaeter"],
        "cost": "paid",
        "cost_note": "30 €",
        "languages": ["de"],
        "age_text": "werdende Eltern, 0–3 Jahre",
        "kind_text": "Beratung",
        "audience_text": "Großeltern",
        "cost_text": "kostenlos",
        "language_text": "Arabisch",
    }
    resolve_hints(data)
    assert data == {
        "age_min_months": 6,
        "age_max_months": None,
        "pregnancy": False,
        "kind": "kurs",
        "audiences": ["vaeter"],
        "cost": "paid",
        "cost_note": "30 €",
        "languages": ["de"],
    }


def test_unknown_cost_is_refined_by_the_hint() -> None:
    data: dict[str, Any] = {"cost": "unknown", "cost_text": "kostenfrei"}
    assert resolve_hints(data) == {"cost": "free", "cost_note": "kostenfrei"}


def test_pregnancy_hint_sets_the_flag_only() -> None:
    data: dict[str, Any] = {"age_text": "für Schwangere"}
    assert resolve_hints(data) == {
        "age_min_months": None,
        "age_max_months": None,
        "pregnancy": True,
    }


def test_unrecognised_hints_leave_the_defaults() -> None:
    data: dict[str, Any] = {"age_text": "für alle", "kind_text": "Sonstiges", "language_text": "?"}
    assert resolve_hints(data) == {}


def test_normaliser_resolves_hints_before_validation() -> None:
    record = {
        **BASE,
        "categories": ["Rund um die Geburt"],
        "age_text": "Schwangerschaft bis 1 Jahr",
        "kind_text": "Sprechstunde",
        "audience_text": "werdende Eltern",
        "cost_text": "kostenfrei",
        "language_text": "Deutsch, Englisch",
    }
    result = normalise_record("unna", "h-1", record)
    assert result.offer is not None, result.rejection
    offer = result.offer
    assert (offer.pregnancy, offer.age_min_months, offer.age_max_months) == (True, 0, 12)
    assert (offer.kind, offer.cost, offer.cost_note) == ("sprechstunde", "free", "kostenfrei")
    assert offer.audiences == ["werdende_eltern"]
    assert offer.languages == ["de", "en"]
    assert offer.topics == ["schwangerschaft_geburt"]
    assert {"schwangerschaft", "baby_0_1"} <= set(offer.age_groups)


def test_records_already_in_the_common_schema_pass_unchanged() -> None:
    record = {
        **BASE,
        "kind": "kurs",
        "pregnancy": False,
        "age_min_months": 4,
        "age_max_months": 12,
        "languages": ["de"],
        "cost": "paid",
        "cost_note": "45 €",
        "topics": ["gesundheit_ernaehrung"],
    }
    result = normalise_record("unna", "s-1", record)
    assert result.offer is not None
    dumped = result.offer.model_dump(mode="json")
    assert {k: dumped[k] for k in record if k != "updated_at"} == {
        k: v for k, v in record.items() if k != "updated_at"
    }
