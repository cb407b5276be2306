"""Regenerates `parts.txt`, the compound-part word list, from Debian's `wngerman` word list.

    apt-get install wngerman && pip install wordfreq
    python mappings/analysis/wordlist/build.py /usr/share/dict/ngerman \
        > mappings/analysis/wordlist/parts.txt

Kept: nouns of at least four letters (capitalised entries, plus lower-case entries that begin
at least one capitalised entry: "schlaf" of Schlafanzug, listed lower-case as a verb form),
that occur in German text at least at Zipf frequency 2.0 (wordfreq: drops rare words that
would only ever be false parts), and that are not two listed words joined unless they are
common (Zipf ≥ 4: "Schwangerschaft", "Kindergarten" stay whole; rarer compounds are split
into their parts anyway). Folded like the analyzers fold (ä → ae, ß → ss, é → e).
Stand-alone: no project import, so it runs without the project installed.
"""

from __future__ import annotations

import sys
import unicodedata
from collections import Counter
from pathlib import Path

from wordfreq import zipf_frequency

MIN_PART = 4
MIN_ZIPF = 2.0
MIN_ZIPF_COMPOUND = 4.0
MIN_PREFIX_OF = 1
LINKERS = ("", "s", "n", "en", "e", "es")
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def fold(word: str) -> str:
    """Lower case, umlauts as digraphs, other accents dropped (as the index's analyzers)."""
    plain = word.lower().translate(UMLAUTS)
    return "".join(c for c in unicodedata.normalize("NFKD", plain) if c.isascii())


def is_pair(word: str, known: set[str]) -> bool:
    """The word is two known words joined, with a linking morpheme between them."""
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        if word[:cut] not in known:
            continue
        rest = word[cut:]
        for linker in LINKERS:
            tail = rest[len(linker) :]
            if rest.startswith(linker) and len(tail) >= MIN_PART and tail in known:
                return True
    return False


def build(lines: list[str]) -> list[str]:
    words = [w.strip() for w in lines if w.strip().isalpha()]
    capitalised = [w for w in words if w[0].isupper()]
    starts: Counter[str] = Counter()
    for word in {fold(w) for w in capitalised}:
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            starts[word[:cut]] += 1
    nouns: dict[str, str] = {fold(w): w for w in capitalised if len(w) >= MIN_PART}
    for word in words:
        key = fold(word)
        if word[0].islower() and len(key) >= MIN_PART and starts[key] >= MIN_PREFIX_OF:
            nouns.setdefault(key, word)
    known = set(nouns)
    kept = []
    for key, word in nouns.items():
        if not (key.isascii() and key.isalpha()):
            continue
        frequency = zipf_frequency(word, "de")
        common = frequency >= MIN_ZIPF_COMPOUND
        if frequency >= MIN_ZIPF and (common or not is_pair(key, known)):
            kept.append(key)
    return sorted(kept)


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/dict/ngerman")
    for word in build(source.read_text(encoding="utf-8").splitlines()):
        print(word)


if __name__ == "__main__":
    main()
