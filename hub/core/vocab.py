"""Controlled vocabularies (topics, kinds, audiences, age groups, …) loaded from `mappings/vocab/`.

The YAML files are the single source: the schema's enums, German labels, the free-text
category mapping and the search synonyms all come from them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from hub.core.settings import MAPPINGS_DIR

VOCAB_DIR = MAPPINGS_DIR / "vocab"


@dataclass(frozen=True)
class Term:
    """One entry of a vocabulary: a stable code with labels and free-text synonyms."""

    code: str
    label_de: str
    label_en: str
    synonyms: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Vocabulary:
    """A named list of terms, with lookup of free text by folded synonym."""

    name: str
    terms: dict[str, Term]

    @property
    def codes(self) -> list[str]:
        return list(self.terms)

    def label(self, code: str, lang: str = "de") -> str:
        term = self.terms[code]
        return term.label_en if lang == "en" else term.label_de

    def match(self, text: str) -> list[str]:
        """Codes whose code, label or synonym equals the folded text or occurs in it as words."""
        folded = fold(text)
        if not folded:
            return []
        found: list[str] = []
        for term in self.terms.values():
            pattern = _pattern(term)
            if pattern is not None and pattern.search(folded):
                found.append(term.code)
        return found


_NOT_WORD = re.compile(r"[^a-z0-9]+")
FOLD_CACHED_CHARS = 1000  # a sentence or a label: the texts every extractor folds again


def fold(text: str) -> str:
    """Lower-case, umlauts as ue/oe/ae, ß as ss, accents and punctuation dropped (ü = ue).

    Short texts are remembered: the extractors fold the same sentences of a record over and
    over, and sources repeat their boilerplate from record to record."""
    return _fold_cached(text) if len(text) <= FOLD_CACHED_CHARS else _fold(text)


@lru_cache(maxsize=8192)
def _fold_cached(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("ß", "ss").replace("&", " und ")
    if not text.isascii():  # ASCII has no accents to drop (and NFKD leaves it as it is)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", text).strip()


def _phrases(term: Term) -> list[str]:
    raw = [term.code.replace("_", " "), term.label_de, *term.synonyms]
    return [p for p in (fold(r) for r in raw) if len(p) >= 2]


@lru_cache(maxsize=4096)
def _pattern(term: Term) -> re.Pattern[str] | None:
    """One compiled search for all of a term's phrases, each starting at a word boundary (a
    phrase equal to the whole text is found too); built once per term, not per record."""
    phrases = _phrases(term)
    if not phrases:
        return None
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, phrases)) + ")")


def _load(path: Path) -> Vocabulary:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    (name, entries), *_ = data.items()
    terms = {
        code: Term(
            code=code,
            label_de=str(entry["label_de"]),
            label_en=str(entry.get("label_en", entry["label_de"])),
            synonyms=tuple(str(s) for s in entry.get("synonyms", [])),
            extra={k: v for k, v in entry.items() if k not in {"label_de", "label_en", "synonyms"}},
        )
        for code, entry in entries.items()
    }
    return Vocabulary(name=name, terms=terms)


@lru_cache
def vocabulary(name: str) -> Vocabulary:
    """The vocabulary `name` (topics, kinds, audiences, age_groups, accessibility, costs)."""
    path = VOCAB_DIR / f"{name}.yaml"
    if not path.exists():
        raise KeyError(f"no vocabulary {name!r} in {VOCAB_DIR}")
    return _load(path)


def age_groups_for(pregnancy: bool, age_min: int | None, age_max: int | None) -> list[str]:
    """Age-group facet codes an offer belongs to; open ends count as unbounded."""
    groups: list[str] = []
    has_age = age_min is not None or age_max is not None
    for term in vocabulary("age_groups").terms.values():
        if term.extra.get("pregnancy"):
            if pregnancy:
                groups.append(term.code)
            continue
        if not has_age:
            continue
        lo, hi = int(term.extra["min_months"]), int(term.extra["max_months"])  # type: ignore[call-overload]
        # groups are [lo, hi); an offer's upper bound "12 months" means up to the first
        # birthday, so it touches the next group only when the range is that single month
        top = age_max if age_max is None or age_max == age_min else age_max - 0.5
        if (age_min is None or age_min < hi) and (top is None or top >= lo):
            groups.append(term.code)
    return groups
