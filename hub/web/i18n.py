"""Message catalogues of the web pages and the widget (`hub/web/i18n/<lang>.json`).

German and English are complete; Turkish, Arabic and Ukrainian have every key, and any key they
do not translate yet is listed in their `_meta.untranslated` and falls back to English.

Vocabulary labels (topics, kinds, …) come from `mappings/vocab/` for German and English. The other
languages carry them in their catalogue as `vocab.<vocabulary>.<code>` (`VOCAB_KEY_LANGS`; de/en
have no such keys); a code without such a key shows the English label of the vocabulary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hub.core.vocab import vocabulary

CATALOGUE_DIR = Path(__file__).parent / "i18n"
LANGS = ("de", "en", "tr", "ar", "uk")
DEFAULT_LANG = "de"
RTL = frozenset({"ar"})
FALLBACK = "en"
BERLIN = ZoneInfo("Europe/Berlin")
VOCAB_LABEL_LANG = {"de": "de"}  # YAML label used without a catalogue key: German or English
VOCAB_KEY_LANGS = ("tr", "ar", "uk")  # catalogues that translate every vocabulary code
VOCABULARIES = ("topics", "kinds", "audiences", "age_groups", "accessibility", "costs")


def raw_catalogue(lang: str) -> dict[str, Any]:
    """The catalogue file as written, `_meta` included."""
    data: dict[str, Any] = json.loads((CATALOGUE_DIR / f"{lang}.json").read_text("utf-8"))
    return data


@lru_cache
def messages(lang: str) -> dict[str, str]:
    """Key → text for `lang`; untranslated keys of tr/ar/uk take the English text."""
    data = raw_catalogue(lang)
    meta = data.pop("_meta", {})
    if lang not in ("de", FALLBACK):
        english = messages(FALLBACK)
        for key in meta.get("untranslated", []):
            data[key] = english[key]
    return {key: str(value) for key, value in data.items()}


def negotiate(requested: str | None, accept_language: str | None) -> str:
    """`?lang=` wins, then the browser's Accept-Language, then German."""
    if requested and requested in LANGS:
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return DEFAULT_LANG


@dataclass(frozen=True)
class Translator:
    """Everything a template needs to speak one language."""

    lang: str

    @property
    def dir(self) -> str:
        return "rtl" if self.lang in RTL else "ltr"

    def t(self, key: str, **values: object) -> str:
        text = messages(self.lang)[key]
        return text.format(**values) if values else text

    def label(self, vocab: str, code: str) -> str:
        """Label of a vocabulary code; unknown codes are shown as they are."""
        if vocab == "languages":
            return messages(self.lang).get(f"language.{code}", code)
        if vocab == "online":
            return self.t(f"facet.online.{code}")
        terms = vocabulary(vocab).terms
        if code not in terms:
            return code
        translated = messages(self.lang).get(f"vocab.{vocab}.{code}")
        if translated is not None:
            return translated
        return vocabulary(vocab).label(code, VOCAB_LABEL_LANG.get(self.lang, "en"))

    def number(self, value: float) -> str:
        return f"{value:.1f}".replace(".", self.t("number.decimal"))

    def km(self, value: float, approximate: bool = False) -> str:
        """ "3,2 km entfernt", or "ca. 3,2 km entfernt" when measured to an area's centre."""
        key = "result.distance_approx" if approximate else "result.distance"
        return self.t(key, km=self.number(value))

    def date(self, value: date | str) -> str:
        day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
        month_name = self.t("date.months").split(",")[day.month - 1]
        return self.t(
            "date.format", day=day.day, month=day.month, month_name=month_name, year=day.year
        )

    def datetime(self, value: datetime | str) -> str:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        local = moment.astimezone(BERLIN) if moment.tzinfo else moment
        weekday = self.t("date.weekdays").split(",")[local.weekday()]
        return self.t(
            "date.datetime_format",
            weekday=weekday,
            date=self.date(local.date()),
            time=f"{local.hour:02d}:{local.minute:02d}",
        )

    def age(self, months: int) -> str:
        if months >= 24 and months % 12 == 0:
            return self.t("age.years", n=months // 12)
        return self.t("age.month" if months == 1 else "age.months", n=months)

    def age_range(self, low: int | None, high: int | None) -> str:
        low = low or None  # "from 0 months" says nothing
        if low is not None and high is not None:
            return self.t("age.range", low=self.age(low), high=self.age(high))
        if low is not None:
            return self.t("age.from", low=self.age(low))
        if high is not None:
            return self.t("age.until", high=self.age(high))
        return self.t("age.any")

    def switch_links(self) -> list[tuple[str, str]]:
        """(code, endonym) of every UI language, for the language switcher."""
        return [(code, messages(code)["lang.endonym"]) for code in LANGS]


def widget_messages() -> dict[str, dict[str, str]]:
    """The strings the widget script needs, per language (embedded into /widget.js)."""
    prefixes = ("widget.", "result.", "results.", "error.", "search.", "number.", "date.")
    return {
        lang: {k: v for k, v in messages(lang).items() if k.startswith(prefixes)} for lang in LANGS
    }
