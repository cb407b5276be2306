"""Words in the families' other languages → the German words offers use.

`mappings/analysis/foreign_names.txt` lists the services' names in English, Turkish, Arabic,
Ukrainian and Russian with common inflected forms; the engine's synonym filter expands exactly
those forms. A parent types others too ("немовлятами", "babies", "grubu"), so a typed word is
also compared by its lemma (simplemma, the lexicon the German analysis uses) with the lemmas
of the listed terms, and replaced by the listed form it shares a lemma with. The German words
a foreign term stands for feed the topic hints and situations, which compare German words.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import simplemma

from hub.search.analysis import dictionary_words, equivalence_rules, one_way_rules, split_compound
from hub.search.lemmas import is_german_word

LATIN_LANGS = ("en", "tr")
CYRILLIC_LANGS = ("uk", "ru")
MAX_TERM_WORDS = 3


def foreign_lemma(word: str) -> str:
    """The lemma of a word in English or Turkish (Latin script) or Ukrainian or Russian
    (Cyrillic), the word itself when no lexicon knows it."""
    langs = CYRILLIC_LANGS if any("\u0400" <= c <= "\u04ff" for c in word) else LATIN_LANGS
    for lang in langs:
        if simplemma.is_known(word, lang=lang):
            return str(simplemma.lemmatize(word, lang=lang)).lower()
    return word


def is_german(term: str) -> bool:
    """Whether a word of the term is German: in the word list, known to the German lexicon,
    or a compound of listed words."""
    return any(
        w in dictionary_words() or is_german_word(w) or split_compound(w) for w in term.split()
    )


@lru_cache
def translations() -> dict[str, tuple[str, ...]]:
    """Foreign term → German terms: the one-way rules, plus the foreign members of the
    equivalences ("breastfeeding, stillen"; a term none of whose words is German)."""
    out = dict(one_way_rules())
    for terms in equivalence_rules():
        german = tuple(t for t in terms if is_german(t))
        for term in terms:
            if german and not is_german(term):
                out[term] = tuple(dict.fromkeys([*out.get(term, ()), *german]))
    return out


@lru_cache
def _by_lemma() -> dict[str, str]:
    """Lemmas of a listed foreign term → the term as listed (the first listed wins)."""
    out: dict[str, str] = {}
    for term in translations():
        out.setdefault(_lemmas(term.split()), term)
    return out


def _lemmas(words: Sequence[str]) -> str:
    return " ".join(foreign_lemma(w) for w in words)


def listed_forms(words: Sequence[str]) -> list[str]:
    """The words with each foreign word the rules do not list replaced by the listed form it
    shares a lemma with ("немовлятами" → немовля, "babies" → baby); German words and listed
    forms stay as typed."""
    rules, by_lemma = translations(), _by_lemma()
    out = []
    for word in words:
        listed = word in rules or is_german(word)
        found = None if listed else by_lemma.get(foreign_lemma(word))
        out.append(found if found and " " not in found else word)
    return out


def translated(words: Sequence[str]) -> list[str]:
    """The German words of the foreign terms in the text ("türkçe ebe" → hebamme, "baby
    swimming" → babyschwimmen), as listed or by lemma ("anne bebek grubu" → gruppe)."""
    rules, by_lemma = translations(), _by_lemma()
    found: list[str] = []
    for n in range(MAX_TERM_WORDS, 0, -1):
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            term = " ".join(gram)
            if term not in rules and not is_german(term):
                term = by_lemma.get(_lemmas(gram), "")
            for german in rules.get(term, ()):
                found += german.split()
    return list(dict.fromkeys(w for w in found if w not in words))
