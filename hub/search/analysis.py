"""Builds the engine's index settings from the data in `mappings/` (analysis, synonyms, words).

Everything the analyzers match against (stop words, synonyms, compound parts) is folded here the
way the analyzers fold text before tokenising (ü → ue, ß → ss, accents dropped), so the lists may
be written in plain German. Compound parts come from a real German word list
(`mappings/analysis/wordlist/parts.txt`, derived from Debian's wngerman); the same list drives
the index's decompounder and `split_compound`, the stricter query-side splitter.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from hub.core.settings import MAPPINGS_DIR
from hub.core.vocab import fold

INDEX_DIR = MAPPINGS_DIR / "index"
SYNONYM_FILES = ("synonyms.txt", "foreign_names.txt", "thesaurus/synonyms.txt")
ANALYSIS_DIR = MAPPINGS_DIR / "analysis"
LINKERS = ("", "s", "n", "en", "e", "es")
"""German linking morphemes (Fugen) allowed between compound parts: Geburt-s-vorbereitung."""
ENDINGS = ("", "s", "n", "en", "e", "er", "es", "nen")
"""Inflection endings allowed after the last part: Hebammensprechstunde-n."""
MIN_PART = 4


_DIGRAPH = re.compile(r"(?<![aeiouq])([aou])e")


def collapse(word: str) -> str:
    """A folded word with umlaut digraphs collapsed (fruehfoerderung → fruhforderung), as the
    engine's german_normalization does, so words typed without dots ("fruhforderung") match."""
    return _DIGRAPH.sub(r"\1", word)


_NOT_A_WORD = re.compile(r"[\W_]+")
_LATIN_END = 0x250  # end of Latin Extended-B


def fold_query(text: str) -> str:
    """`fold` for typed text in any script: Latin text folds exactly like `fold` (ü → ue,
    accents dropped), Cyrillic or Arabic words are kept lower-cased instead of dropped
    ("дитячий садок" must not become an empty query)."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = unicodedata.normalize("NFKC", text.replace("ß", "ss").replace("&", " und "))
    return _NOT_A_WORD.sub(" ", "".join(map(_unaccented, text))).strip()


def _unaccented(char: str) -> str:
    """A Latin letter without its accents (é → e); letters of other scripts stay as typed."""
    if ord(char) >= _LATIN_END:
        return char
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def load_json(name: str) -> dict[str, Any]:
    """A JSON file of `mappings/index/` without its `_comment` keys."""
    data = json.loads((INDEX_DIR / name).read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return dict(data)


def _fold_rule(rule: str) -> str:
    if "=>" in rule:
        left, right = rule.split("=>", 1)
        return f"{_fold_rule(left)} => {_fold_rule(right)}"
    return ", ".join(term for term in (fold_query(t) for t in rule.split(",")) if term)


@lru_cache
def synonym_rules() -> tuple[str, ...]:
    """Solr-format synonym rules, folded like the analyzers fold (ü → ue): the domain's own
    (`synonyms.txt`), the services' names in the families' languages (`foreign_names.txt`,
    one-way) and the reviewed OpenThesaurus selection (`thesaurus/synonyms.txt`)."""
    files = [ANALYSIS_DIR / name for name in SYNONYM_FILES]
    return tuple(_fold_rule(rule) for path in files for rule in _lines(path))


@lru_cache
def one_way_rules() -> dict[str, tuple[str, ...]]:
    """Folded left-hand term of every one-way synonym rule (`a, b => x, y`: the foreign names
    of `foreign_names.txt`) → the German terms it stands for, for hints and situations that
    compare German words."""
    out: dict[str, tuple[str, ...]] = {}
    for rule in synonym_rules():
        left, arrow, right = rule.partition(" => ")
        if not arrow:
            continue
        targets = tuple(t.strip() for t in right.split(",") if t.strip())
        for term in (t.strip() for t in left.split(",")):
            if term:
                out[term] = tuple(dict.fromkeys([*out.get(term, ()), *targets]))
    return out


@lru_cache
def equivalence_rules() -> tuple[tuple[str, ...], ...]:
    """The folded terms of every equivalence rule (`a, b, c`: words meaning the same)."""
    return tuple(
        tuple(t.strip() for t in rule.split(",") if t.strip())
        for rule in synonym_rules()
        if "=>" not in rule
    )


@lru_cache
def dictionary_words() -> frozenset[str]:
    """Compound parts from a real German word list (`wordlist/parts.txt`, derived from
    Debian's wngerman by `wordlist/build.py`), folded, at least four letters."""
    words = {fold(word) for word in _lines(ANALYSIS_DIR / "wordlist" / "parts.txt")}
    return frozenset(w for w in words if len(w) >= MIN_PART)


def compound_words() -> tuple[str, ...]:
    """The index decompounder's word list: the dictionary's parts, sorted."""
    return tuple(sorted(dictionary_words()))


@lru_cache
def stop_words() -> tuple[str, ...]:
    """Folded stop words (one or more per line)."""
    words = {fold(w) for line in _lines(ANALYSIS_DIR / "stopwords.txt") for w in line.split()}
    return tuple(sorted(w for w in words if w))


@lru_cache
def modifier_words() -> frozenset[str]:
    """Query-only parts: matched as word beginnings, never given to the index's decompounder."""
    words = {fold(word) for word in _lines(ANALYSIS_DIR / "compound_modifiers.txt")}
    return frozenset(w for w in words if len(w) >= MIN_PART)


@lru_cache
def query_parts() -> frozenset[str]:
    """Parts the query splitter knows: the dictionary plus query-only modifiers."""
    return dictionary_words() | modifier_words()


def split_compound(word: str) -> list[str]:
    """Known parts covering a folded word completely (at least two), else an empty list.

    Stricter than the engine's decompounder, which finds a part anywhere in a word: a query
    word is split only when the parts, joined by linking morphemes, make up the whole word.
    """
    parts = _split(word, query_parts()) or _split(collapse(word), _collapsed_parts())
    return parts if parts and len(parts) >= 2 else []


def split_partly(word: str) -> list[str]:
    """A compound only partly made of known parts ("babylotsendienst" → baby, lotsen,
    dienst): the longest known first part and the longest known last part, with what lies
    between kept as a part of its own (at least three letters). Empty unless both ends are
    known; for words `split_compound` cannot cover, so they still find their known parts."""
    known = query_parts()
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        if word[:cut] in known:
            rest = word[cut:]
            for start in range(len(rest) - MIN_PART + 1):
                tail = rest[start:]
                middle = rest[:start]
                if tail in known and (not middle or len(middle) >= 3):
                    inner = split_compound(middle) if len(middle) >= 2 * MIN_PART else []
                    return [word[:cut], *(inner or ([middle] if middle else [])), tail]
            break
    return []


@lru_cache
def _collapsed_parts() -> frozenset[str]:
    return frozenset(collapse(word) for word in query_parts())


def _split(word: str, known: frozenset[str]) -> list[str] | None:
    """Fewest-parts segmentation, trying longer parts first."""
    best: list[str] | None = None
    for end in range(len(word), MIN_PART - 1, -1):
        head, rest = word[:end], word[end:]
        if head not in known:
            if rest and head + "e" in known:  # the modifier's final e dropped: Schul-anfänger
                tail = _split(rest, known)
                if tail and (best is None or len(tail) + 1 < len(best)):
                    best = [head + "e", *tail]
            continue
        if rest in ENDINGS:
            return [head]
        for linker in LINKERS:
            if not rest.startswith(linker) or len(rest) - len(linker) < MIN_PART:
                continue
            tail = _split(rest[len(linker) :], known)
            if tail and (best is None or len(tail) + 1 < len(best)):
                best = [head, *tail]
    return best


def offer_index_body(replicas: int) -> dict[str, Any]:
    """Settings and mappings of a new offer index, with the analysis filled from data."""
    body = load_json("offers.json")
    analysis = load_json("analysis.json")["analysis"]
    filters = analysis["filter"]
    filters["compound_split"]["word_list"] = list(compound_words())
    filters["offer_synonyms"]["synonyms"] = list(synonym_rules())
    filters["german_stop"]["stopwords"] = list(stop_words())
    body["settings"] = {**body["settings"], "number_of_replicas": replicas, "analysis": analysis}
    body["mappings"]["_meta"] = {"definition_hash": definition_hash(body)}
    return body


def definition_hash(body: dict[str, Any]) -> str:
    """Fingerprint of mappings + analysis (replicas aside): tells a stale live index apart."""
    settings = {k: v for k, v in body["settings"].items() if k != "number_of_replicas"}
    mappings = {k: v for k, v in body["mappings"].items() if k != "_meta"}
    canonical = json.dumps({"settings": settings, "mappings": mappings}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
