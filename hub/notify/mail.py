"""The German bodies of the hub's mails: `render_mail` fills `hub/notify/templates/<name>.txt`
and `.html`; they leave through `hub.core.mail.send_mail`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATE_DIR = Path(__file__).parent / "templates"


@lru_cache
def _environment(autoescape: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_mail(name: str, **context: Any) -> tuple[str, str]:
    """Text and HTML body of the mail `name` (`<name>.txt`, `<name>.html`, German)."""
    text = _environment(False).get_template(f"{name}.txt").render(**context)
    html = _environment(True).get_template(f"{name}.html").render(**context)
    return text, html
