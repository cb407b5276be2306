"""Message catalogues: every language has every key, German and English are complete, Turkish,
Arabic and Ukrainian translate every key and every vocabulary code, and the templates hold no
German of their own (an English page shows no German-only catalogue text)."""

from __future__ import annotations

import re
import string
from html import unescape
from urllib.parse import quote

import pytest
from fastapi import FastAPI

from hub.core.schema import Offer
from hub.core.vocab import VOCAB_DIR, vocabulary
from hub.web import i18n
from hub.web.i18n import (
    LANGS,
    VOCAB_KEY_LANGS,
    VOCABULARIES,
    Translator,
    messages,
    negotiate,
    raw_catalogue,
)
from tests.hub.web.conftest import TOKEN, fetch

KEYS = set(raw_catalogue("de")) - {"_meta"}
FORMAT = string.Formatter()
VOCAB_KEYS = {
    f"vocab.{name}.{code}": vocabulary(name).terms[code]
    for name in VOCABULARIES
    for code in vocabulary(name).codes
}
# tr/ar/uk values that may equal the English text: proper nouns and patterns without words
SAME_AS_ENGLISH = {
    "site.title",  # "Familienhub NRW", the name of the service
    "date.datetime_format",  # "{weekday} {date}, {time}" (Turkish writes it the English way)
}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in FORMAT.parse(text) if name}


def test_german_and_english_have_the_same_keys() -> None:
    assert set(raw_catalogue("en")) - {"_meta"} == KEYS


def test_german_and_english_take_vocabulary_labels_from_the_yaml() -> None:
    for lang in ("de", "en"):
        assert not [key for key in raw_catalogue(lang) if key.startswith("vocab.")], lang


@pytest.mark.parametrize("lang", VOCAB_KEY_LANGS)
def test_other_languages_have_every_key_and_mark_the_untranslated(lang: str) -> None:
    raw = raw_catalogue(lang)
    assert set(raw) - {"_meta"} - set(VOCAB_KEYS) == KEYS
    untranslated = raw["_meta"]["untranslated"]
    assert set(untranslated) <= KEYS
    assert all(raw[key] == messages("en")[key] for key in untranslated)


@pytest.mark.parametrize("lang", VOCAB_KEY_LANGS)
def test_other_languages_label_every_vocabulary_code(lang: str) -> None:
    assert set(VOCABULARIES) == {path.stem for path in VOCAB_DIR.glob("*.yaml")}
    raw = raw_catalogue(lang)
    assert {key for key in raw if key.startswith("vocab.")} == set(VOCAB_KEYS)
    assert all(raw[key].strip() for key in VOCAB_KEYS)


@pytest.mark.parametrize("lang", VOCAB_KEY_LANGS)
def test_other_languages_are_translated_not_copied_from_english(lang: str) -> None:
    """A catalogue claiming nothing untranslated holds no English beyond the listed exceptions."""
    raw = raw_catalogue(lang)
    english = messages("en")
    copied = {key for key in KEYS if raw[key] == english[key]}
    assert copied <= SAME_AS_ENGLISH | set(raw["_meta"]["untranslated"])
    assert [key for key, term in VOCAB_KEYS.items() if raw[key] == term.label_en] == []


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_the_placeholders(lang: str) -> None:
    german = messages("de")
    for key, text in messages(lang).items():
        if key.startswith("date."):
            continue  # date formats pick their own fields
        expected = set() if key in VOCAB_KEYS else placeholders(german[key])
        assert placeholders(text) == expected, key


def test_vocabulary_labels_come_from_the_catalogue_then_the_yaml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Translator("de").label("topics", "hebammen") == "Hebammen"
    assert Translator("en").label("topics", "hebammen") == "Midwives"
    assert Translator("tr").label("topics", "hebammen") == "Ebeler"
    assert Translator("ar").label("costs", "free") == messages("ar")["vocab.costs.free"]
    assert Translator("uk").label("kinds", "kurs") == "Курс"
    assert Translator("uk").label("topics", "no_such_code") == "no_such_code"
    without = {k: v for k, v in messages("tr").items() if k != "vocab.topics.hebammen"}
    monkeypatch.setattr(i18n, "messages", lambda lang: without)
    assert Translator("tr").label("topics", "hebammen") == "Midwives"


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


def test_ukrainian_page_shows_translated_vocabulary_labels(
    app: FastAPI, offers: list[Offer]
) -> None:
    page = fetch(app, f"/?q={TOKEN}&lang=uk&topic=hebammen")
    assert "Акушерки" in page.text
    assert not re.search(r"(?<!\w)Midwives(?!\w)", page.text)


def test_one_month_is_singular() -> None:
    assert Translator("de").age_range(1, 6) == "1 Monat bis 6 Monate"
    assert Translator("en").age_range(1, 24) == "1 month to 2 years"
