"""Message catalogues: every language has every key, German and English are complete, and the
templates hold no German of their own (an English page shows no German-only catalogue text)."""

from __future__ import annotations

import re
import string
from html import unescape
from urllib.parse import quote

import pytest
from fastapi import FastAPI

from hub.schema import Offer
from hub.web.i18n import LANGS, Translator, messages, negotiate, raw_catalogue
from tests.hub.web.conftest import TOKEN, fetch

KEYS = set(raw_catalogue("de")) - {"_meta"}
FORMAT = string.Formatter()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in FORMAT.parse(text) if name}


def test_german_and_english_have_the_same_keys() -> None:
    assert set(raw_catalogue("en")) - {"_meta"} == KEYS


@pytest.mark.parametrize("lang", ["tr", "ar", "uk"])
def test_other_languages_have_every_key_and_mark_the_untranslated(lang: str) -> None:
    raw = raw_catalogue(lang)
    assert set(raw) - {"_meta"} == KEYS
    untranslated = raw["_meta"]["untranslated"]
    assert set(untranslated) <= KEYS
    assert all(raw[key] == messages("en")[key] for key in untranslated)


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_the_placeholders(lang: str) -> None:
    german = messages("de")
    for key, text in messages(lang).items():
        if key.startswith("date."):
            continue  # date formats pick their own fields
        assert placeholders(text) == placeholders(german[key]), key


def test_lang_parameter_wins_over_the_browser_then_german() -> None:
    assert negotiate("tr", "en-GB,en;q=0.8") == "tr"
    assert negotiate(None, "uk-UA,uk;q=0.9") == "uk"
    assert negotiate("xx", None) == "de"


def test_arabic_is_right_to_left() -> None:
    assert Translator("ar").dir == "rtl" and Translator("de").dir == "ltr"


def german_only_texts() -> set[str]:
    """Catalogue texts that exist only in German (compared as visible words, placeholders cut)."""
    english = set(messages("en").values())
    found = set()
    for key, text in messages("de").items():
        if text in english or key.startswith(("date.", "number.", "lang.")):
            continue
        for part in re.split(r"\{[^}]*\}", text):
            part = part.strip(" .,:;–-()")
            if len(part) >= 4:
                found.add(part)
    return found


def visible_text(html: str) -> str:
    """Page text without scripts, JSON-LD, attributes of other-language parts and offer content."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    html = re.sub(r'<(\w+)[^>]*\blang="(?!en")[^"]*"[^>]*>.*?</\1>', " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", unescape(html))


@pytest.mark.parametrize(
    "path", ["/?q={q}&lang=en&topic=hebammen&place=Atlantis", "/angebote/{id}?lang=en"]
)
def test_english_pages_show_no_german_catalogue_text(
    app: FastAPI, offers: list[Offer], path: str
) -> None:
    page = fetch(app, path.format(q=TOKEN, id=quote(offers[0].id)))
    text = visible_text(page.text)
    leaked = sorted(
        t for t in german_only_texts() if re.search(rf"(?<!\w){re.escape(t)}(?!\w)", text)
    )
    assert leaked == []
    assert "Go to the municipality's page" in text


def test_templates_hold_no_text_of_their_own() -> None:
    """Every visible word comes from a catalogue: template text outside tags is markup only."""
    from hub.web.templating import TEMPLATE_DIR

    for template in TEMPLATE_DIR.glob("*.html"):
        source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", "", template.read_text(), flags=re.S)
        words = re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", re.sub(r"<[^>]+>", " ", source))
        assert words == [], template.name
        labels = re.findall(r'(?:aria-label|title|alt|placeholder)="([^"{]+)"', source)
        assert labels == [], template.name
