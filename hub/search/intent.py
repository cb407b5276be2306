"""What a typed query says besides its words: a place, languages, cost, age, online, topics.

"hebame essen" names the city Essen, "elterncafe türkisch" asks for Turkish, "krabbelgruppe
1 jahr" gives an age. The query builder turns these into boosts, never into hard filters: the
parent did not tick a filter, and an online offer from elsewhere may still help. Everything is
derived from data (gazetteer, vocabularies, `mappings/analysis/`), so no query is special-cased.
Words are compared folded and with umlaut digraphs collapsed, so "munster", "muenster" and
"münster" all name Münster.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from hub.core.places import Place, gazetteer, resolve_place
from hub.core.vocab import fold, vocabulary
from hub.search.ages import age_months, with_decimal_ages, without_ages
from hub.search.analysis import (
    ANALYSIS_DIR,
    collapse,
    dictionary_words,
    fold_query,
    split_compound,
    split_partly,
    stop_words,
    synonym_rules,
)
from hub.search.foreign import listed_forms, translated
from hub.search.lemmas import is_german_word, lemma
from hub.search.situations import Situation, found_in

PlaceLookup = Callable[[str], Place | None]
"""Exact lookup of a folded place name (municipality, district, postcode) → place, else None."""

PREPOSITIONS = frozenset({"in", "bei", "aus", "nahe", "um", "nach", "rund"})
ONLINE_WORDS = frozenset({"online", "digital", "video", "videoberatung", "webinar", "chat"})
POSTCODE = re.compile(r"^\d{5}$")
MAX_PLACE_WORDS = 4
MAX_WORDS = 16  # keeps a pasted paragraph below the engine's clause limit
VOCABS = ("topics", "kinds", "audiences", "costs")


@dataclass(frozen=True)
class QueryIntent:
    """The parts of a query: free text to match plus recognised hints used as boosts."""

    text: str
    strong_text: str = ""
    place: Place | None = None
    place_words: str = ""
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    costs: tuple[str, ...] = ()
    online: bool = False
    age_months: int | None = None
    parts: dict[str, list[str]] = field(default_factory=dict)
    situations: tuple[str, ...] = ()
    situation_words: str = ""
    lemma_text: str = ""


def gazetteer_lookup(name: str) -> Place | None:
    """Exact municipality, district or postcode from the gazetteer; no fuzzy guessing."""
    if POSTCODE.match(name):
        return resolve_place(name)
    gaz = gazetteer()
    ags = gaz.names.get(name) or _collapsed_names().get(collapse(name))
    if ags:
        return resolve_place(ags)
    code = gaz.district_names.get(name)
    return resolve_place(code) if code and (" " in name or "kreis" in name) else None


@lru_cache
def _collapsed_names() -> dict[str, str]:
    """Collapsed municipality names → AGS, only where the collapsed form is unambiguous."""
    found: dict[str, set[str]] = {}
    for name, ags in gazetteer().names.items():
        found.setdefault(collapse(name), set()).add(ags)
    return {key: next(iter(codes)) for key, codes in found.items() if len(codes) == 1}


def understand(query: str, lookup: PlaceLookup | None = gazetteer_lookup) -> QueryIntent:
    """Split a query into the text to match and the hints it carries."""
    words = fold_query(with_decimal_ages(query)).split()
    place, start, end = _find_place(words, lookup) if lookup else (None, 0, 0)
    rest = words[:start] + words[end:] if place else words
    age = age_months(" ".join(rest))
    text_words = listed_forms(without_ages(" ".join(rest)).split()[:MAX_WORDS])
    parts = {w: _parts(w) for w in text_words if len(w) >= 7}
    keys, heads = _phrases(text_words, parts)
    german = translated(text_words)
    german_parts = {w: split_compound(w) for w in german if len(w) >= 7}
    german_keys, german_heads = _phrases(german, german_parts)
    keys, heads = keys | german_keys, heads | german_heads
    unknown_parts = [
        p for w, found in (parts | german_parts).items() if not _data_knows(w) for p in found
    ]
    named_topics = _codes("topics", keys)
    helps = _subjects(found_in([*text_words, *german], unknown_parts), text_words, named_topics)
    return QueryIntent(
        text=" ".join(text_words),
        strong_text=_strong(text_words),
        place=place,
        place_words=" ".join(words[start:end]) if place else "",
        languages=tuple(dict.fromkeys(code for w, code in _language_words().items() if w in keys)),
        topics=_merged(named_topics, (s.topics for s in helps)),
        kinds=_merged(_codes("kinds", keys | heads), (s.kinds for s in helps)),
        audiences=_merged(_codes("audiences", keys | heads), (s.audiences for s in helps)),
        costs=tuple(c for c in _codes("costs", keys) if c != "paid"),
        online=bool({collapse(w) for w in ONLINE_WORDS} & keys),
        age_months=age,
        parts={w: p for w, p in parts.items() if p},
        situations=tuple(s.name for s in helps),
        situation_words=" ".join(dict.fromkeys(w for s in helps for w in s.words.split())),
        lemma_text=_lemmas(text_words),
    )


def _parts(word: str) -> list[str]:
    """The parts of a typed compound; one only partly made of known parts is split around
    them when the word itself is unknown ("babylotsendienst" → baby, lotsen, dienst)."""
    found = split_compound(word)
    if found or _data_knows(word) or is_german_word(word):
        return found
    return split_partly(word)


def _lemmas(words: Sequence[str]) -> str:
    """The infinitives of inflected verbs ("trifft" → treffen, "getragen" → tragen,
    "spricht" → sprechen): the stemmer keeps "trifft", while offers call it a "Treff".
    Nouns of the word list ("schule" is no form of schulen) are left to the stemmer, weak
    and stop words are left out."""
    out = [_verb(w) or w for w in words if w not in stop_words()]
    return " ".join(out) if any(_verb(w) for w in words) else ""


def _verb(word: str) -> str | None:
    """The infinitive of an inflected verb form, else None."""
    if word in stop_words() or word in dictionary_words():
        return None
    found = lemma(word)
    if found == collapse(word) or not found.endswith("en") or found in _weak_words():
        return None
    return found


def _subjects(
    helps: Sequence[Situation], words: Sequence[str], topics: Sequence[str]
) -> tuple[Situation, ...]:
    """The situations that say what the query is about: a modifier (cost, a newborn) only
    when no other content word names a subject ("was kostet die hebamme" is about midwives)
    or the words name a topic it is an offer of its own for ("kita kosten")."""
    content = [w for w in words if w not in stop_words() and collapse(w) not in _weak_words()]
    return tuple(
        s
        for s in helps
        if not s.modifier or set(s.subjects) & set(topics) or all(s.covers(w) for w in content)
    )


def _merged(codes: tuple[str, ...], more: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    """Codes the words name, then those of the situations the query describes, once each."""
    return tuple(dict.fromkeys([*codes, *(code for group in more for code in group)]))


def known_word(word: str) -> bool:
    """A word never 'corrected': one our own data knows (vocabularies, synonyms, languages,
    places), a German word of the lexicon ("zähne", "schulden") or a compound made of
    dictionary words ("babybasar"). Words in other scripts ("логопед") are compared as typed:
    `fold` would leave nothing of them."""
    folded = fold_query(word)
    if not folded:
        return False
    return _data_knows(word) or is_german_word(folded) or bool(split_compound(folded))


def _data_knows(word: str) -> bool:
    key = collapse(fold_query(word))
    return key in _known_terms() or key in _collapsed_names() or key in _synonym_words()


def _find_place(words: Sequence[str], lookup: PlaceLookup) -> tuple[Place | None, int, int]:
    """The longest word run naming a place; an ambiguous name only where a place stands."""
    for size in range(min(MAX_PLACE_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size, -1, -1):
            name = " ".join(words[start : start + size])
            if len(name) < 3 or name in stop_words():
                continue
            place = lookup(name)
            if place and _reads_as_place(name, words, start, start + size):
                return place, start, start + size
    return None, 0, 0


def _reads_as_place(name: str, words: Sequence[str], start: int, end: int) -> bool:
    """'essen' is the city at the end of a query or after a preposition, else the word."""
    if collapse(name) not in _ambiguous_places():
        return True
    after_preposition = start > 0 and words[start - 1] in PREPOSITIONS
    return len(words) == 1 or end == len(words) or after_preposition


def _strong(words: Sequence[str]) -> str:
    """The words without weak ones ("hilfe"), unless a multi-word synonym needs them or
    nothing would be left; empty when no word is weak."""
    text = " ".join(words)
    protected = {
        w for term in _multiword_terms() if f" {term} " in f" {text} " for w in term.split()
    }
    weak = [w for w in words if collapse(w) in _weak_words() and w not in protected]
    strong = [w for w in words if w not in weak]
    return " ".join(strong) if weak and strong else ""


def _phrases(
    words: Sequence[str], parts: dict[str, list[str]]
) -> tuple[frozenset[str], frozenset[str]]:
    """Collapsed words and adjacent pairs/triples to look terms up in, plus the parts of
    compounds no vocabulary knows as a whole: the first parts (what it is about) join the
    keys, the last part (what kind of thing: "…beratung", "…gruppe") only names kinds and
    audiences — "trageberatung" is a Beratung, not a counselling-in-crisis topic."""
    keys = [collapse(w) for w in words]
    grams = {" ".join(keys[i : i + n]) for n in (1, 2, 3) for i in range(len(keys) - n + 1)}
    known = _known_terms()
    split = [found for w, found in parts.items() if found and collapse(w) not in known]
    modifiers = {collapse(p) for found in split for p in found[:-1]}
    heads = {collapse(found[-1]) for found in split}
    return frozenset(grams | modifiers), frozenset(heads)


def _codes(vocab: str, keys: frozenset[str]) -> tuple[str, ...]:
    return tuple(code for code, terms in _vocab_phrases(vocab).items() if terms & keys)


@lru_cache
def _vocab_phrases(vocab: str) -> dict[str, frozenset[str]]:
    """Collapsed code, label and synonyms of every term (at least three letters)."""
    out: dict[str, frozenset[str]] = {}
    for term in vocabulary(vocab).terms.values():
        raw = [term.code.replace("_", " "), term.label_de, *term.synonyms]
        out[term.code] = frozenset(collapse(p) for p in (fold(r) for r in raw) if len(p) >= 3)
    return out


@lru_cache
def _known_terms() -> frozenset[str]:
    terms = {t for v in VOCABS for keys in _vocab_phrases(v).values() for t in keys}
    return frozenset(terms | set(_language_words()))


@lru_cache
def _synonym_words() -> frozenset[str]:
    words = {
        w for rule in synonym_rules() for w in rule.replace("=>", ",").replace(",", " ").split()
    }
    return frozenset(collapse(w) for w in words)


@lru_cache
def _multiword_terms() -> frozenset[str]:
    terms = (t.strip() for rule in synonym_rules() for t in rule.replace("=>", ",").split(","))
    return frozenset(t for t in terms if " " in t)


@lru_cache
def _language_words() -> dict[str, str]:
    """Collapsed language word → ISO 639-1 code, from mappings/analysis/languages.txt."""
    out: dict[str, str] = {}
    for line in _data_lines("languages.txt"):
        code, _, names = line.partition(":")
        for name in names.split(","):
            if fold(name):
                out[collapse(fold(name))] = code.strip()
    return out


@lru_cache
def _weak_words() -> frozenset[str]:
    return frozenset(
        collapse(fold(w)) for line in _data_lines("weak_words.txt") for w in line.split()
    )


@lru_cache
def _ambiguous_places() -> frozenset[str]:
    return frozenset(collapse(fold(line)) for line in _data_lines("ambiguous_places.txt"))


def _data_lines(name: str) -> list[str]:
    path = ANALYSIS_DIR / name
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [s.strip() for s in text.splitlines() if s.strip() and not s.startswith("#")]
