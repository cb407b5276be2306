"""Problems in a parent's words → the help that fits (`mappings/analysis/situations.yaml`).

"baby schläft nicht" names no offer, but a situation (sleeping) whose topics and words the
lexicon knows. Query words are reduced to their lemma (`hub.search.lemmas`: schläft →
schlafen, Babys → Baby) and folded before they are compared with the triggers, so inflected
and umlaut-less forms ("schlaeft") reach the same entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import yaml

from hub.core.vocab import fold
from hub.search.analysis import ANALYSIS_DIR, collapse
from hub.search.lemmas import lemma


@dataclass(frozen=True)
class Situation:
    """One entry: trigger lemmas (each a set of words that must all occur) → what helps."""

    name: str
    triggers: tuple[frozenset[str], ...]
    topics: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    words: str = ""
    modifier: bool = False
    """Says something about another subject ("was kostet die hebamme", "mit neugeborenem"):
    with other content words in the query, only they decide what the offer is …"""
    subjects: tuple[str, ...] = ()
    """… unless they name one of these topics, for which the modifier is an offer of its own
    (the fees of childcare are the youth office's Elternbeiträge)."""

    def covers(self, word: str) -> bool:
        """Whether the word (or its lemma) belongs to one of the triggers."""
        keys = query_keys([word])
        return any(keys & trigger for trigger in self.triggers)


def _key(word: str) -> str:
    return collapse(fold(word))


@lru_cache
def situations() -> tuple[Situation, ...]:
    """The lexicon, triggers folded and collapsed like query keys."""
    data = yaml.safe_load((ANALYSIS_DIR / "situations.yaml").read_text(encoding="utf-8"))
    return tuple(
        Situation(
            name=str(item["situation"]),
            triggers=tuple(
                frozenset(_key(w) for w in str(t).split()) for t in item.get("triggers", [])
            ),
            topics=tuple(item.get("topics", [])),
            kinds=tuple(item.get("kinds", [])),
            audiences=tuple(item.get("audiences", [])),
            words=str(item.get("words", "")),
            modifier=bool(item.get("modifier", False)),
            subjects=tuple(item.get("subjects", [])),
        )
        for item in data
    )


def query_keys(words: Sequence[str], parts: Iterable[str] = ()) -> frozenset[str]:
    """What a query is compared with: its words, their lemmas and the parts of its compounds."""
    keys = {_key(w) for w in words} | {lemma(w.lower()) for w in words}
    keys |= {_key(p) for p in parts} | {lemma(p) for p in parts}
    return frozenset(k for k in keys if k)


def found_in(words: Sequence[str], parts: Iterable[str] = ()) -> tuple[Situation, ...]:
    """The situations the query describes (any trigger whose words all occur)."""
    keys = query_keys(words, parts)
    return tuple(s for s in situations() if any(t <= keys for t in s.triggers))
