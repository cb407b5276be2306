"""Builds the engine's index settings from the data in `mappings/` (analysis, synonyms, words)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hub.settings import MAPPINGS_DIR
from hub.vocab import fold

INDEX_DIR = MAPPINGS_DIR / "index"
ANALYSIS_DIR = MAPPINGS_DIR / "analysis"


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def load_json(name: str) -> dict[str, Any]:
    """A JSON file of `mappings/index/` without its `_comment` keys."""
    data = json.loads((INDEX_DIR / name).read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return dict(data)


def synonym_rules() -> list[str]:
    """Solr-format synonym rules, folded like the analyzers fold (ü → ue)."""
    return [", ".join(fold(term) for term in rule.split(",")) for rule in _lines(
        ANALYSIS_DIR / "synonyms.txt"
    )]


def compound_words() -> list[str]:
    """The decompounder's word list (folded)."""
    return sorted({fold(word) for word in _lines(ANALYSIS_DIR / "compounds.txt")})


def offer_index_body(replicas: int) -> dict[str, Any]:
    """Settings and mappings of a new offer index, with the analysis filled from data."""
    body = load_json("offers.json")
    analysis = load_json("analysis.json")["analysis"]
    analysis["filter"]["compound_split"]["word_list"] = compound_words()
    analysis["filter"]["offer_synonyms"]["synonyms"] = synonym_rules()
    body["settings"] = {**body["settings"], "number_of_replicas": replicas, "analysis": analysis}
    return body
