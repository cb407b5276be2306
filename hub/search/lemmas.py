"""German lemmas and known words from a maintained lexicon (simplemma), for typed words.

"schläft" is a form of "schlafen", "Babys" of "Baby"; a word the lexicon knows ("zähne",
"schulden") is a word, not a typo the spelling suggester should replace. Typed words arrive
folded (ä → ae), so the umlauts are tried back when the folded form is unknown.
"""

from __future__ import annotations

from functools import lru_cache

import simplemma

from hub.core.vocab import fold
from hub.search.analysis import collapse

LANG = "de"
DIGRAPHS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"))


def _spellings(word: str) -> list[str]:
    """The word as typed, then with umlaut digraphs turned back into umlauts."""
    restored = word
    for digraph, umlaut in DIGRAPHS:
        restored = restored.replace(digraph, umlaut)
    return [word] if restored == word else [word, restored]


@lru_cache(maxsize=8192)
def lemma(word: str) -> str:
    """The lemma of a lower-case word, folded and collapsed like query keys; the word itself
    when the lexicon does not know it."""
    for spelling in _spellings(word):
        found = simplemma.lemmatize(spelling, lang=LANG)
        if found.lower() != spelling or simplemma.is_known(spelling, lang=LANG):
            return collapse(fold(found))
    return collapse(fold(word))


@lru_cache(maxsize=8192)
def is_german_word(word: str) -> bool:
    """Whether the lexicon knows the lower-case word (or its spelling with umlauts)."""
    return any(simplemma.is_known(s, lang=LANG) for s in _spellings(word))
