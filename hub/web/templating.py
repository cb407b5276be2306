"""Jinja2 environment of the web pages (autoescaped HTML) and the HTML response helper."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from hub.core.settings import Settings
from hub.web.security import page_headers

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["urlencode_pairs"] = lambda pairs: urlencode(pairs)
    env.filters["json_attr"] = lambda value: Markup.escape(json.dumps(value, ensure_ascii=False))
    return env


def render(
    template: str, settings: Settings, *, status: int = 200, embeddable: bool = False, **ctx: Any
) -> HTMLResponse:
    """A rendered page with the security headers every page carries."""
    html = environment().get_template(template).render(**ctx)
    headers = page_headers(settings, embeddable=embeddable)
    return HTMLResponse(html, status_code=status, headers=headers)
