"""Language names in German, English, native script or ISO codes → ISO 639-1.

Part of the kernel because connectors read language fields (HSDS, schema.org) and the
normaliser reads free-text language hints; both must map German wording the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hub.core.vocab import fold

# German (and a few English and native) language names → ISO 639-1, keyed by folded stem.
LANGUAGE_NAMES: dict[str, str] = {
    "deutsch": "de",
    "german": "de",
    "englisch": "en",
    "english": "en",
    "tuerkisch": "tr",
    "turkish": "tr",
    "tuerkce": "tr",
    "turkce": "tr",
    "arabisch": "ar",
    "arabic": "ar",
    "ukrainisch": "uk",
    "ukrainian": "uk",
    "russisch": "ru",
    "russian": "ru",
    "bulgarisch": "bg",
    "rumaenisch": "ro",
    "polnisch": "pl",
    "franzoesisch": "fr",
    "french": "fr",
    "spanisch": "es",
    "italienisch": "it",
    "portugiesisch": "pt",
    "griechisch": "el",
    "persisch": "fa",
    "farsi": "fa",
    "dari": "fa",
    "kurdisch": "ku",
    "albanisch": "sq",
    "serbisch": "sr",
    "kroatisch": "hr",
    "bosnisch": "bs",
    "mazedonisch": "mk",
    "niederlaendisch": "nl",
    "hollaendisch": "nl",
    "vietnamesisch": "vi",
    "chinesisch": "zh",
    "tigrinya": "ti",
    "tigrinisch": "ti",
    "somali": "so",
    "somalisch": "so",
    "paschtu": "ps",
    "paschtunisch": "ps",
    "urdu": "ur",
    "hindi": "hi",
    "tamil": "ta",
    "amharisch": "am",
}
NATIVE_NAMES: dict[str, str] = {
    "العربية": "ar",
    "عربي": "ar",
    "українська": "uk",
    "русский": "ru",
    "български": "bg",
    "فارسی": "fa",
    "română": "ro",
    "polski": "pl",
    "français": "fr",
}
ISO_639_2: dict[str, str] = {
    "deu": "de", "ger": "de", "eng": "en", "tur": "tr", "ara": "ar", "ukr": "uk", "rus": "ru",
    "bul": "bg", "ron": "ro", "rum": "ro", "pol": "pl", "fra": "fr", "fre": "fr", "spa": "es",
    "ita": "it", "fas": "fa", "per": "fa", "kur": "ku", "sqi": "sq", "alb": "sq",
}  # fmt: skip
_ISO_639_1 = re.compile(r"^[a-z]{2}$")


def parse_language_text(text: str | Iterable[str]) -> list[str]:
    """ISO 639-1 codes for German language names or codes ("Deutsch, Türkisch", "tr/ar")."""
    raw = text if isinstance(text, str) else ", ".join(text)
    tokens = [t.strip(" .:()[]\"'") for t in re.split(r"[,;/|&+\s]+", raw)]
    tokens = [t for t in tokens if t]
    # Bare codes only count when the text is a code list ("de, tr"): "in", "am", "so" are
    # German words as well as ISO codes.
    only_codes = all(len(t) <= 3 and t.isascii() and t.isalpha() for t in tokens)
    codes = [_language_code(t, only_codes) for t in tokens]
    return list(dict.fromkeys(c for c in codes if c))


def _language_code(token: str, as_code: bool) -> str | None:
    native = NATIVE_NAMES.get(token) or NATIVE_NAMES.get(token.lower())
    if native:
        return native
    lower = fold(token).replace(" ", "")
    if as_code:
        if _ISO_639_1.match(lower):
            return lower
        return ISO_639_2.get(lower)
    return next((code for name, code in LANGUAGE_NAMES.items() if lower.startswith(name)), None)
