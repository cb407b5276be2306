"""Regenerates `candidates.txt`: the OpenThesaurus synsets that belong to family support.

    apt-get install openthesaurus-de-text
    python mappings/analysis/thesaurus/build.py > mappings/analysis/thesaurus/candidates.txt

A synset is kept when at least two of its one-word members are words of the domain: the
labels and synonyms of mappings/vocab/*.yaml, the domain's own synonyms.txt and the
triggers and words of mappings/analysis/situations.yaml ("Säugling; Baby; Neugeborenes" is
kept, "Gruppe; Band; Combo" is not: only "Gruppe" is ours). Members with a register note
parents do not type (veraltet, derb, vulgär, regional variants, Fachsprache) and members of
several words are dropped. The reviewed result is `synonyms.txt` beside this file;
candidates.txt shows what the review started from. Stand-alone: needs PyYAML only.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
SOURCE = Path("/usr/share/openthesaurus-de/openthesaurus.txt")
DROP_NOTES = (
    "veraltet", "derb", "vulg", "österr", "schweiz", "fachspr", "bayr", "norddt", "regional",
    "selten", "lat.", "engl.", "franz.", "ital.", "geh.", "fig.", "ironisch",
)  # fmt: skip
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
MIN_DOMAIN = 2


def fold(word: str) -> str:
    plain = word.lower().translate(UMLAUTS)
    return "".join(c for c in unicodedata.normalize("NFKD", plain) if c.isascii())


def strings(node: object) -> list[str]:
    """Every string in a YAML tree (labels, synonyms, triggers, words)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return []


def domain_words() -> set[str]:
    files = [*sorted((ROOT / "mappings" / "vocab").glob("*.yaml")),
             ROOT / "mappings" / "analysis" / "situations.yaml"]  # fmt: skip
    texts = [s for f in files for s in strings(yaml.safe_load(f.read_text(encoding="utf-8")))]
    synonyms = ROOT / "mappings" / "analysis" / "synonyms.txt"
    texts += [line for line in synonyms.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    return {w for text in texts for w in re.split(r"[^a-z]+", fold(text)) if len(w) >= 4}


def members(line: str) -> list[str]:
    """The one-word members of a synset line without a register note we drop."""
    out = []
    for raw in line.split(";"):
        notes = " ".join(re.findall(r"\((.*?)\)", raw)).lower()
        word = re.sub(r"\(.*?\)", "", raw).strip()
        if word and " " not in word and word.isalpha() and not any(n in notes for n in DROP_NOTES):
            out.append(word)
    return out


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    domain = domain_words()
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        words = list(dict.fromkeys(members(line)))
        if len(words) >= 2 and sum(fold(w) in domain for w in words) >= MIN_DOMAIN:
            print(", ".join(words))


if __name__ == "__main__":
    main()
