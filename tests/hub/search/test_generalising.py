"""Pure mechanisms that carry the search beyond the words it was tuned on: ages as parents
write them, foreign words by lemma into hints and situations, verbs by their infinitive,
compounds with a dropped e or an unknown part, question words (no engine)."""

from __future__ import annotations

import json

import pytest

from hub.search.ages import age_months, with_decimal_ages, without_ages
from hub.search.analysis import fold_query, split_compound, split_partly, stop_words
from hub.search.foreign import listed_forms, translated, translations
from hub.search.intent import understand
from hub.search.query import build_query, text_clause
from hub.search.request import SearchRequest


@pytest.mark.parametrize(
    ("typed", "months"),
    [
        ("krabbelgruppe 14 monate", 14),
        ("turnen 2 jahre", 24),
        ("spielgruppe 1 bis 3 jahre", 12),  # a range: its lower end
        ("musik ab 1 jahr", 12),
        ("kurs für zwei jahre alte kinder", 24),
        ("baby drei monate", 3),
        ("spielgruppe für zweijährige", 24),
        ("turnen für 3-jährige", 36),
        ("baby ein halbes jahr", 6),
        ("anderthalb jahre", 18),
        ("schlafprobleme kind 2,5 jahre", 30),
        ("hebamme für neugeborene", 0),
        ("eine mutter sucht kontakt", None),
        ("elf freunde", None),
    ],
)
def test_ages_are_read_as_parents_write_them(typed: str, months: int | None) -> None:
    assert age_months(fold_query(with_decimal_ages(typed))) == months
    assert understand(typed, lookup=None).age_months == months


def test_an_age_is_a_hint_not_words_but_age_words_stay() -> None:
    assert without_ages("krabbelgruppe 14 monate").split() == ["krabbelgruppe"]
    assert "zweijaehrige" in without_ages("kurs fuer zweijaehrige")
    assert understand("kleinkind 1,5 jahre", lookup=None).text == "kleinkind"


def test_foreign_members_of_equivalences_translate_one_way() -> None:
    rules = translations()
    assert "stillen" in rules["breastfeeding"]  # English member of an equivalence
    assert "hebamme" in rules["ebe"]  # one-way rule
    assert "kita" not in rules  # German words are never translated


def test_inflected_foreign_words_become_the_listed_form() -> None:
    assert listed_forms(["група", "з", "немовлятами"])[2] == "немовля"
    assert listed_forms(["kinder", "brauchen"]) == ["kinder", "brauchen"]  # German stays
    assert "baby" in translated(["немовлятами"])
    assert "gruppe" in translated(["anne", "bebek", "grubu"])


@pytest.mark.parametrize(
    ("typed", "topic"),
    [
        ("türkçe ebe", "hebammen"),
        ("breastfeeding help", "gesundheit_ernaehrung"),
        ("дитячий садок", "betreuung"),
    ],
)
def test_foreign_words_reach_topic_hints(typed: str, topic: str) -> None:
    assert topic in understand(typed, lookup=None).topics


def test_a_foreign_problem_reaches_its_situation() -> None:
    assert "speech" in understand("speech therapist toddler", lookup=None).situations


def test_inflected_verbs_also_match_as_their_infinitive() -> None:
    assert understand("baby trifft baby", lookup=None).lemma_text == "baby treffen baby"
    assert "sprechen" in understand("mein kind spricht noch nicht", lookup=None).lemma_text
    assert understand("kita anmeldung", lookup=None).lemma_text == ""  # nothing inflected
    assert understand("uebergang schule", lookup=None).lemma_text == ""  # a noun stays
    intent = understand("baby trifft baby", lookup=None)
    clause = json.dumps(text_clause(intent))
    assert '"query": "baby treffen baby"' in clause
    assert build_query(SearchRequest(q="x"), intent)


def test_a_modifier_may_drop_its_final_e() -> None:
    assert split_compound("schulanfaengerelternabend") == ["schule", "anfaenger", "eltern", "abend"]
    assert split_compound("beantragen") == []


def test_a_partly_known_compound_is_split_around_its_known_parts() -> None:
    assert split_partly("babylotsendienst") == ["baby", "lotsen", "dienst"]
    assert split_partly("xyzbabyxyz") == []
    assert understand("babylotsendienst", lookup=None).parts == {
        "babylotsendienst": ["baby", "lotsen", "dienst"]
    }
    assert understand("babybasar", lookup=None).parts["babybasar"] == ["baby", "basar"]
    assert understand("gesundheit", lookup=None).parts == {}  # a known word stays whole


def test_question_words_are_stop_words() -> None:
    assert {"wer", "wann", "warum", "gibt", "tun"} <= set(stop_words())


def test_a_modifier_situation_does_not_override_the_subject() -> None:
    about_midwives = understand("was kostet die hebamme", lookup=None)
    assert "fees" not in about_midwives.situations
    assert "finanzielle_hilfen" not in about_midwives.topics
    assert "hebammen" in about_midwives.topics
    assert "newborn" not in understand("stilltreff mit neugeborenem", lookup=None).situations
    assert "fees" in understand("elternbeitrag", lookup=None).situations  # nothing else named
    assert "fees" in understand("kosten kita ermäßigung", lookup=None).situations  # own offer


def test_years_of_life_and_respite_are_understood() -> None:
    assert understand("kurs im zweiten lebensjahr", lookup=None).age_months == 18
    assert "lebensjahr" in understand("kurs im zweiten lebensjahr", lookup=None).text
    assert "overwhelmed" in understand("ich brauche eine auszeit", lookup=None).situations
    assert "development" in understand("kind entwickelt sich langsam", lookup=None).situations


def test_a_place_in_the_text_is_no_longer_matched_as_words() -> None:
    intent = understand("krabbelgruppe bielefeld")
    assert intent.place is not None and intent.text == "krabbelgruppe"
    assert "bielefeld" not in json.dumps(build_query(SearchRequest(q="x"), intent))
