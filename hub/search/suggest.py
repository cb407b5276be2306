"""Suggestions while typing and "Meinten Sie …?" as pure DSL builders and answer parsers.

`hub.search.runner` sends them (`complete`, `did_you_mean`); the correction found there is part
of the prepared search, so the list, the map and the exports all run with it.

Completion uses the `title.suggest` search_as_you_type field (any word of a title may be typed
first: "massage" completes "Babymassage-Kurs"). The misspelling check is a phrase suggester over
the folded shingle field `spell` (filled from title, summary, description and categories), so
"hebame essen" becomes "hebamme essen" only when the corrected phrase is likelier than the typed
one in the offers themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.core.vocab import fold
from hub.search.intent import known_word

Body = dict[str, Any]
SUGGEST_FIELDS = ("title.suggest", "title.suggest._2gram", "title.suggest._3gram")
SPELL_NAME = "meinten_sie"
MIN_LENGTH = 4


def completion_body(prefix: str, size: int = 8) -> Body:
    """Titles matching the typed words, the last one as a prefix; one hit per title. No
    total is counted, so the engine may stop early once no better title can come."""
    return {
        "size": size,
        "track_total_hits": False,
        "_source": ["id", "title"],
        "query": {
            "multi_match": {
                "query": prefix,
                "type": "bool_prefix",
                "operator": "and",
                "fields": list(SUGGEST_FIELDS),
            }
        },
        "collapse": {"field": "title.keyword"},
    }


def did_you_mean_body(text: str, *, confidence: float = 1.0) -> Body:
    """Phrase suggester on `spell`: a correction only when likelier than the typed phrase."""
    generator = {
        "field": "spell.words",
        "suggest_mode": "always",
        "min_word_length": MIN_LENGTH,
        "prefix_length": 1,
        "max_edits": 2,
    }
    phrase = {
        "field": "spell",
        "size": 1,
        "gram_size": 2,
        "confidence": confidence,
        "max_errors": 2,
        "direct_generator": [generator],
        "highlight": {"pre_tag": "<em>", "post_tag": "</em>"},
    }
    return {"size": 0, "suggest": {"text": fold(text), SPELL_NAME: {"phrase": phrase}}}


def parse_completions(answer: Mapping[str, Any]) -> list[str]:
    """The titles of a completion answer, in order."""
    return [str(hit["_source"]["title"]) for hit in answer.get("hits", {}).get("hits", [])]


def parse_did_you_mean(answer: Mapping[str, Any], text: str) -> str | None:
    """The corrected phrase, or None when the typed one is as good as any."""
    entries = answer.get("suggest", {}).get(SPELL_NAME, [])
    options = entries[0].get("options", []) if entries else []
    if not options:
        return None
    corrected = str(options[0]["text"])
    return corrected if corrected != fold(text) else None


def corrections(text: str, corrected: str | None) -> dict[str, str]:
    """Word-by-word changes between the folded typed text and its correction, leaving alone
    words our vocabularies, synonyms and gazetteer know ("english", "frühchen", "münster")."""
    if not corrected:
        return {}
    typed, fixed = fold(text).split(), corrected.split()
    if len(typed) != len(fixed):
        return {}
    return {a: b for a, b in zip(typed, fixed, strict=True) if a != b and not known_word(a)}


def corrected_query(text: str, corrected: str | None) -> str | None:
    """The typed text with the accepted corrections applied, or None when none applies."""
    changes = corrections(text, corrected)
    if not changes:
        return None
    return " ".join(changes.get(word, word) for word in fold(text).split())


def worth_checking(text: str) -> bool:
    """Whether any word is long enough for the suggester to correct (saves a round trip)."""
    return any(len(word) >= MIN_LENGTH for word in fold(text).split())
