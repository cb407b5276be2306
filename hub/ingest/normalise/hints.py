"""Resolution of the free-text *hint* keys a connector may emit next to the schema fields.

Connectors pass what a CMS holds as free text (`age_text`, `kind_text`, `audience_text`,
`cost_text`, `language_text`); the normaliser turns it into controlled values here, so every
connector maps German wording the same way. Explicit structured values in the record always win
over a hint, and every hint key is removed before validation (the schema forbids extra keys).
"""

from __future__ import annotations

from typing import Any

from hub.core.languages import parse_language_text
from hub.core.schema import HINT_KEYS
from hub.core.text import html_to_text
from hub.ingest.extract.age_phrases import parse_age_text
from hub.ingest.extract.phrases import best_code, matched_codes, parse_cost_text


def resolve_hints(data: dict[str, Any]) -> dict[str, Any]:
    """Turn hint keys into schema fields (in place, also returned); explicit values win."""
    hints = {key: data.pop(key) for key in HINT_KEYS if key in data}
    texts = {key: _text(value) for key, value in hints.items()}
    if texts.get("age_text"):
        _apply_age(data, texts["age_text"])
    if texts.get("kind_text") and not data.get("kind"):
        kind = best_code("kinds", texts["kind_text"])
        if kind:
            data["kind"] = kind
    if texts.get("audience_text") and not data.get("audiences"):
        data["audiences"] = matched_codes("audiences", texts["audience_text"])
    if texts.get("cost_text"):
        if data.get("cost") in (None, "", "unknown"):
            data["cost"] = parse_cost_text(texts["cost_text"])
        if not data.get("cost_note"):
            data["cost_note"] = texts["cost_text"][:500]
    if texts.get("language_text") and not data.get("languages"):
        languages = parse_language_text(texts["language_text"])
        if languages:
            data["languages"] = languages
    return data


def _text(value: Any) -> str:
    """Hints may come as a string or a list of strings; HTML is reduced to text."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value if v is not None)
    return html_to_text(str(value))


def _apply_age(data: dict[str, Any], text: str) -> None:
    parsed = parse_age_text(text)
    if parsed is None:
        return
    if data.get("age_min_months") is None and data.get("age_max_months") is None:
        data["age_min_months"] = parsed.min_months
        data["age_max_months"] = parsed.max_months
    if data.get("pregnancy") is None and parsed.pregnancy:
        data["pregnancy"] = True
