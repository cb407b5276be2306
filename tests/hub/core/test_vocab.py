"""Vocabularies from mappings/vocab/: codes, German labels, free-text category matching."""

from __future__ import annotations

import pytest

from hub.core.vocab import FOLD_CACHED_CHARS, fold, vocabulary
from hub.ingest.normalise.record import categories_to_topics
from tests.support.paths import DEMO_CORPUS

TOPICS = {
    "schwangerschaft_geburt",
    "hebammen",
    "gesundheit_ernaehrung",
    "entwicklung_foerderung",
    "betreuung",
    "erziehung_alltag",
    "begegnung",
    "beratung_krisen",
    "finanzielle_hilfen",
    "willkommensbesuch",
    "sprache_integration",
    "inklusion",
    "kinderschutz",
    "uebergang_schule",
}


def test_topic_vocabulary_has_the_design_codes_with_german_labels() -> None:
    topics = vocabulary("topics")
    assert set(topics.codes) == TOPICS
    assert topics.label("hebammen") == "Hebammen"
    assert topics.label("hebammen", "en") == "Midwives"


def test_kinds_match_the_schema() -> None:
    assert set(vocabulary("kinds").codes) == {
        "beratung",
        "kurs",
        "gruppe",
        "hausbesuch",
        "treffpunkt",
        "sprechstunde",
        "veranstaltung",
        "online",
        "finanzielle_hilfe",
        "information",
    }


def test_folding_treats_umlauts_and_their_spellings_alike() -> None:
    assert fold("Übergang & Schule") == fold("Uebergang und Schule") == "uebergang und schule"
    assert fold("Straße") == "strasse"
    assert fold("Elterncafé") == "elterncafe"


def test_long_texts_fold_like_short_ones() -> None:
    sentence = "Café für Väter – 5 € "
    long_text = sentence * (FOLD_CACHED_CHARS // len(sentence) + 1)
    assert len(long_text) > FOLD_CACHED_CHARS
    assert fold(long_text) == " ".join([fold(sentence)] * (len(long_text) // len(sentence)))
    assert fold(sentence) == fold(sentence) == "cafe fuer vaeter 5"


@pytest.mark.parametrize(
    ("category", "topic"),
    [
        ("Rund um die Geburt", "schwangerschaft_geburt"),
        ("Schwangerschaft & Geburt", "schwangerschaft_geburt"),
        ("Eltern-Café", "begegnung"),
        ("Familienhebammen", "hebammen"),
        ("KiTa und Tagespflege", "betreuung"),
        ("Finanzielle Hilfen", "finanzielle_hilfen"),
        ("Uebergang Kita Schule", "uebergang_schule"),
    ],
)
def test_free_text_categories_map_to_topics(category: str, topic: str) -> None:
    assert topic in categories_to_topics([category], {})


def test_source_overrides_win_over_synonyms() -> None:
    assert categories_to_topics(["Treffs"], {"Treffs": "kinderschutz"}) == ["kinderschutz"]


def test_unknown_category_maps_to_nothing() -> None:
    assert categories_to_topics(["Sonstiges"], {}) == []


def test_corpus_categories_mostly_map_to_the_topics_the_corpus_assigns() -> None:
    import json

    corpus = DEMO_CORPUS
    agree = total = 0
    for line in corpus.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        mapped = set(categories_to_topics(record["categories_free_text"], {}))
        total += 1
        agree += bool(mapped & set(record["topics"]))
    assert agree / total >= 0.8, f"{agree}/{total} offers got at least one right topic"
