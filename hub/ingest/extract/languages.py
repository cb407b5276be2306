"""Languages an offer is held in ("Sprachen: Deutsch, Türkisch", "auf Arabisch").

A language name alone says little on a family page: "Deutschkurs", "Deutsch als Zweitsprache",
"Sprachförderung" or "Sprachentwicklung" name a topic, not the language spoken. So a name
counts only where a phrase says the offer is held in it: a labelled value ("Sprachen:"), "auf
Türkisch", "in arabischer Sprache", "wir sprechen auch Russisch", "es wird Ukrainisch
gesprochen", "englischsprachig", "mehrsprachig (…)", "Dolmetscherin für Farsi", a paragraph
headed by a language's own name ("Türkçe: …") or written in another script. A German page
that names other languages means German too (unless it says "nur"/"ausschließlich"); a page
that names none returns [] and the schema's default (German) applies.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping
from functools import cache

from hub.core.languages import LANGUAGE_NAMES, parse_language_text
from hub.core.vocab import fold
from hub.ingest.extract.page import Page, sentences_of

LANGUAGE_LABELS = ("sprache", "sprachen", "angebotssprache", "in welcher sprache", "language")
MAX_RUN = 12  # tokens read after a trigger: a list of languages is short, the scan stays linear
_SUFFIXES = ("", "e", "en", "er", "es", "em")
_FILLERS = {"auch", "und", "oder", "sowie", "bzw", "z", "b", "fuer", "in", "gerne", "gern"}
_ONLY = re.compile(r"\b(?:nur|ausschliesslich|ausschlie[ßs]lich)\b")
_TRIGGERS = {"auf", "sprechen", "spricht", "mehrsprachig", "dolmetscher", "dolmetscherin"}
_PAIR = re.compile(r"\b(\w+)\s*/\s*(\w+)\b")
_SCRIPT_LANGUAGE = {"ARABIC": "ar", "CYRILLIC": "ru", "GREEK": "el"}
_PERSIAN_LETTERS = set("پچژگی")
_UKRAINIAN_LETTERS = set("іїєґІЇЄҐ")
_TURKISH_LETTERS = set("ğışİĞŞ")


def extract_languages(page: Page) -> list[str]:
    """ISO 639-1 codes of the languages the page says the offer is held in (empty: unsaid)."""
    labelled = parse_language_text(page.labelled(*LANGUAGE_LABELS))
    if labelled:
        return labelled
    found: list[str] = []
    only = False
    for text in (page.title, page.summary, *page.lines, *page.categories):
        for sentence in sentences_of(text):
            named = _named(fold(sentence))
            only = only or bool(named and _ONLY.search(fold(sentence)))
            found.extend(named)
        found.extend(_own_language(text))
        found.extend(_pairs(text))
    codes = list(dict.fromkeys(found))
    if codes and "de" not in codes and not only:
        codes.insert(0, "de")  # a German page naming other languages offers German too
    return codes


def _named(folded: str) -> list[str]:
    """Languages a sentence says the offer is held in (see module doc for the phrases)."""
    tokens = folded.split()
    found: list[str] = []
    for i, token in enumerate(tokens):
        if token in _TRIGGERS or token.startswith("dolmetsch"):
            found.extend(_run(tokens[i + 1 : i + 1 + MAX_RUN])[0])
        elif token == "in":
            codes, length = _run(tokens[i + 1 : i + 1 + MAX_RUN])
            if codes and tokens[i + 1 + length : i + 2 + length] == ["sprache"]:
                found.extend(codes)
        elif token in ("gesprochen", "angeboten") and i:
            before = tokens[max(0, i - MAX_RUN) : i][::-1]  # "Türkisch und Arabisch gesprochen"
            found.extend(reversed(_run(before)[0]))
        elif "sprachig" in token and not token.startswith(("mehr", "fremd", "zwei")):
            code = _code(token.split("sprachig")[0])
            found.extend([code] if code else [])
    return found


def _run(tokens: list[str]) -> tuple[list[str], int]:
    """The language names heading `tokens` (joined by "und", "oder", commas folded away) and
    how many tokens they take; "Deutsch als Zweitsprache" is a subject, not a language held in.
    """
    codes: list[str] = []
    for index, token in enumerate(tokens):
        code = _code(token)
        if code and tokens[index + 1 : index + 2] != ["als"]:
            codes.append(code)
        elif token not in _FILLERS:
            return codes, index
    return codes, len(tokens)


def _code(token: str) -> str | None:
    for suffix in _SUFFIXES:
        stem = token[: len(token) - len(suffix)] if suffix else token
        if suffix and not token.endswith(suffix):
            continue
        if stem in LANGUAGE_NAMES:
            return LANGUAGE_NAMES[stem]
    return None


def _pairs(text: str) -> list[str]:
    """Names joined by a slash ("Deutsch/Arabisch", "Türkçe/Deutsch"): a bilingual offer."""
    found: list[str] = []
    for match in _PAIR.finditer(text):
        codes = [_code(fold(name)) for name in match.groups()]
        if all(codes):
            found.extend(c for c in codes if c)
    return found


def _own_language(text: str) -> Iterator[str]:
    """A block headed by a language's own name ("Türkçe: …") or written in another script."""
    head = text.split(":", 1)[0].strip() if ":" in text[:30] else ""
    code = _code(fold(head)) if head and len(head.split()) == 1 else None
    if code:
        yield code
    chars = Counter(text)  # the letters, counted by kind: a page uses a few dozen
    letters = {ch: n for ch, n in chars.items() if ch.isalpha()}
    total = sum(letters.values())
    if total < 20:
        return
    scripts = _scripts(letters)
    script, count = max(scripts.items(), key=lambda kv: kv[1])
    if count * 2 < total:
        return
    if script == "LATIN":
        if sum(letters.get(ch, 0) for ch in _TURKISH_LETTERS) >= 2:
            yield "tr"
    elif script == "ARABIC":
        yield "fa" if any(ch in _PERSIAN_LETTERS for ch in letters) else "ar"
    elif script == "CYRILLIC":
        yield "uk" if any(ch in _UKRAINIAN_LETTERS for ch in letters) else "ru"
    elif script in _SCRIPT_LANGUAGE:
        yield _SCRIPT_LANGUAGE[script]


def _scripts(letters: Mapping[str, int]) -> dict[str, int]:
    """Letters per script, the scripts in the order of their first letter in the text."""
    counts: dict[str, int] = {}
    for ch, n in letters.items():
        script = _script(ch)
        counts[script] = counts.get(script, 0) + n
    return counts


@cache  # bounded by the letters of Unicode; a page uses a few dozen
def _script(letter: str) -> str:
    """The script a letter belongs to, as the first word of its Unicode name ("LATIN")."""
    return unicodedata.name(letter, "UNKNOWN").split(" ")[0]
