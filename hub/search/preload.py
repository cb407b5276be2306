"""Everything a search reads from data files, loaded when a serving process starts.

The lexicons (simplemma: German, and English, Turkish, Ukrainian and Russian for words typed in
those languages), the vocabularies, the synonym and word lists and the gazetteer are loaded on
first use and kept. A first use in the middle of serving holds the interpreter for 0.3–0.7 s
per lexicon, and every request of that worker waits (seen as stalls of ~1.4 s at p99 in
`hub bench search`), so the API loads them before it takes requests.
"""

from __future__ import annotations

import simplemma

from hub.core.places import resolve_place
from hub.search.facets import language_names
from hub.search.foreign import CYRILLIC_LANGS, LATIN_LANGS
from hub.search.intent import known_word, understand
from hub.search.lemmas import LANG
from hub.search.query import weights

TEXTS = (
    "hebamme in essen",
    "krabbelgruppe 1 jahr kostenlos online",
    "elterncafe türkisch",
    "playgroup english",
    "логопед для дитини",
    "wo trifft sich die stillgruppe",
    "babylotsendienst",
)
"""Texts that take every path of `understand` (place, age, cost, languages, compounds, verbs)."""
PLACES = ("Essen", "Kreis Unna", "58762", "Muenster")


def preload() -> None:
    """Load every lexicon, vocabulary, word list and the gazetteer of this process now."""
    for lang in (LANG, *LATIN_LANGS, *CYRILLIC_LANGS):
        simplemma.is_known("familie", lang=lang)
    for text in TEXTS:
        understand(text)
        for word in text.split():
            known_word(word)
    for place in PLACES:
        resolve_place(place)
    weights()
    language_names()
