"""Pure parts of the German analysis: the word list splitter, lemmas, the situation lexicon,
the spelling guard and folding of typed text in any script (no engine)."""

from __future__ import annotations

import pytest
import yaml

from hub.core.vocab import fold, vocabulary
from hub.search.analysis import (
    ANALYSIS_DIR,
    dictionary_words,
    fold_query,
    split_compound,
    synonym_rules,
)
from hub.search.intent import known_word, understand
from hub.search.lemmas import is_german_word, lemma
from hub.search.situations import found_in, situations


def _names(query: str) -> tuple[str, ...]:
    return understand(query, lookup=None).situations


def test_new_compounds_split_into_dictionary_words() -> None:
    assert split_compound("babybasar") == ["baby", "basar"]
    assert split_compound("elterntreff") == ["eltern", "treff"]
    assert split_compound("schuldnerberatung") == ["schuldner", "beratung"]
    assert split_compound("kinderbasar") == ["kinder", "basar"]
    assert split_compound("beantragen") == []  # "trage" is no part of the word list


def test_the_word_list_is_folded_and_holds_parts_not_rare_compounds() -> None:
    words = dictionary_words()
    assert 10_000 < len(words) < 60_000
    assert all(w.isascii() and w.isalpha() and len(w) >= 4 and w == w.lower() for w in words)
    assert {"basar", "baby", "schlaf", "schulden", "hebamme", "cafe"} <= words


def test_lemmas_reduce_inflected_and_umlaut_less_forms() -> None:
    assert lemma("schläft") == lemma("schlaeft") == "schlafen"
    assert lemma("babys") == "baby"
    assert lemma("xyzzyq") == "xyzzyq"


@pytest.mark.parametrize(
    ("query", "situation"),
    [
        ("baby schläft nicht", "sleeping"),
        ("baby schlaeft nicht", "sleeping"),
        ("mein baby will nicht schlafen", "sleeping"),
        ("schlafprobleme", "sleeping"),
        ("baby schreit viel", "crying"),
        ("wir haben schulden", "money"),
        ("kein kita platz", "childcare_place"),
        ("mein kind spricht noch nicht", "speech"),
        ("überfordert mit zwei kindern", "overwhelmed"),
        ("angst vor der geburt", "birth_fear"),
        ("was kostet eine tagesmutter", "fees"),
    ],
)
def test_a_described_situation_is_recognised(query: str, situation: str) -> None:
    assert situation in _names(query)


def test_a_situation_brings_its_topics_and_the_names_of_the_help() -> None:
    intent = understand("baby schläft nicht", lookup=None)
    assert "gesundheit_ernaehrung" in intent.topics
    assert "schreiambulanz" in intent.situation_words


def test_a_compound_our_vocabulary_knows_does_not_trigger_through_its_parts() -> None:
    assert "money" not in _names("elterngeld beratung")  # "geld" inside Elterngeld
    assert found_in(["hebamme"]) == ()


def test_every_situation_names_vocabulary_codes_and_has_triggers() -> None:
    raw = yaml.safe_load((ANALYSIS_DIR / "situations.yaml").read_text(encoding="utf-8"))
    assert len(raw) == len(situations()) >= 15
    for entry in situations():
        assert entry.triggers and all(entry.triggers), entry.name
        assert set(entry.topics) <= set(vocabulary("topics").terms), entry.name
        assert set(entry.kinds) <= set(vocabulary("kinds").terms), entry.name
        assert set(entry.audiences) <= set(vocabulary("audiences").terms), entry.name


def test_german_words_are_not_typos_but_misspellings_are() -> None:
    assert known_word("zaehne") and known_word("schulden") and known_word("babybasar")
    assert is_german_word("fruehe") and not is_german_word("hebame")
    assert not known_word("hebame") and not known_word("krabelgruppe")


def test_typed_text_in_any_script_keeps_its_words() -> None:
    assert fold_query("дитячий садок") == "дитячий садок"
    assert fold_query("قابلة") == "قابلة"
    for text in ("Hebamme in Münster!", "Café & Kuchen", "title:* AND OR ("):
        assert fold_query(text) == fold(text)
    assert understand("дитячий садок", lookup=None).text == "дитячий садок"


def test_synonyms_lead_foreign_names_to_the_german_ones() -> None:
    rules = synonym_rules()
    assert any(r.startswith("дитячий садок") and r.endswith("=> kita") for r in rules)
    assert any("lehrgang" in r and "kurs" in r for r in rules)  # from the thesaurus
    assert not any("zwergencafe" in r for r in rules)  # named one café
