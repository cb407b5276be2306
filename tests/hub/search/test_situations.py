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
    stop_words,
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


@pytest.mark.parametrize(
    ("query", "situation"),
    [
        ("wir erwarten unser erstes baby", "expecting"),  # schwangerschaft_geburt
        ("unser baby kam zu früh", "premature"),
        ("hebamme für das wochenbett", "postpartum"),  # hebammen
        ("keine hebamme gefunden", "midwife_search"),
        ("wann ist die u5", "checkups"),  # gesundheit_ernaehrung
        ("karies bei kleinkindern", "teeth"),
        ("kind verschluckt sich", "accidents"),
        ("spielideen für babys", "play_movement"),  # entwicklung_foerderung
        ("ich gehe wieder arbeiten wer betreut mein baby", "childcare_work"),  # betreuung
        ("eingewöhnung in der krippe", "settling_in"),
        ("wie viel handy ist ok für kleinkinder", "media"),  # erziehung_alltag
        ("eifersucht auf das geschwisterchen", "siblings"),
        ("töpfchen training", "potty_training"),
        ("ich werde vater", "fathers"),
        ("spielkameraden für mein kind", "playmates"),  # begegnung
        ("junge mama sucht kontakt", "young_parents"),
        ("meine frau ist psychisch krank", "parent_illness"),  # beratung_krisen
        ("mein partner trinkt zu viel alkohol", "addiction"),
        ("wir verlieren unsere wohnung", "housing"),
        ("gebrauchte babysachen", "baby_equipment"),  # finanzielle_hilfen
        ("vater zahlt keinen unterhalt", "maintenance"),
        ("zuschuss klassenfahrt", "education_participation"),
        ("unser baby ist gerade geboren", "newborn"),  # willkommensbesuch
        ("ist zweisprachig erziehen gut", "multilingual"),  # sprache_integration
        ("ich spreche kein deutsch", "newcomers"),
        ("kind mit pflegegrad", "disability"),  # inklusion
        ("verdacht auf vernachlässigung beim nachbarskind", "child_at_risk"),  # kinderschutz
        ("schulranzen kaufen", "school_start"),  # uebergang_schule
        ("hort nach der schule", "school_childcare"),
    ],
)
def test_every_topic_family_has_situations_in_everyday_words(query: str, situation: str) -> None:
    assert situation in _names(query)


def test_the_situations_cover_every_topic_of_the_vocabulary() -> None:
    covered = {code for entry in situations() for code in entry.topics}
    assert covered == set(vocabulary("topics").terms)


@pytest.mark.parametrize(
    ("query", "situation"),
    [
        ("kind in der grundschule anmelden", "child_at_risk"),  # melden ≠ reporting a risk
        ("mit dem kinderwagen unterwegs", "playmates"),  # "kinder" only inside the compound
        ("wer sucht eine hebamme", "addiction"),  # "sucht" is a form of suchen
        ("barrierefreie toilette", "potty_training"),
    ],
)
def test_everyday_words_do_not_trigger_unrelated_situations(query: str, situation: str) -> None:
    assert situation not in _names(query)


def _one_way_targets(typed: str) -> set[str]:
    """German words a one-way rule turns the typed foreign term into."""
    term = fold_query(typed)
    targets: set[str] = set()
    for rule in synonym_rules():
        left, arrow, right = rule.partition(" => ")
        if arrow and term in (t.strip() for t in left.split(",")):
            targets |= {t.strip() for t in right.split(",")}
    return targets


@pytest.mark.parametrize(
    ("typed", "german"),
    [
        ("baby swimming", "babyschwimmen"),  # English
        ("single mum", "alleinerziehend"),
        ("çocuk bakımı", "kinderbetreuung"),  # Turkish, the hub's own label
        ("ebeler", "hebamme"),
        ("الأطفال", "kind"),  # Arabic, with the article
        ("رعاية الأطفال", "kinderbetreuung"),
        ("логопед", "logopaedie"),  # Ukrainian and Russian
        ("рання допомога", "fruehfoerderung"),
        ("алименты", "unterhaltsvorschuss"),
        ("киндергельд", "kindergeld"),
    ],
)
def test_foreign_names_lead_one_way_to_the_german_ones(typed: str, german: str) -> None:
    assert german in _one_way_targets(typed)
    assert known_word(fold_query(typed).split()[0])  # never "corrected" by the suggester


def test_foreign_rules_replace_no_german_word_and_stay_small() -> None:
    lines = (ANALYSIS_DIR / "foreign_names.txt").read_text(encoding="utf-8").splitlines()
    rules = [line for line in lines if line.strip() and not line.startswith("#")]
    assert len(rules) > 300
    german = dictionary_words()
    for rule in rules:
        left, arrow, right = rule.partition("=>")
        assert arrow, rule  # one-way only
        assert len(right.split(",")) <= 4, rule
        for term in (fold_query(t) for t in left.split(",")):
            assert " " in term or term not in german, rule
            assert not set(term.split()) & set(stop_words()), rule
