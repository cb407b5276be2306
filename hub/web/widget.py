"""The embeddable widget for municipal portals: `/widget.js` (Shadow DOM) and `/widget/frame`.

The script carries every UI language's strings, so a portal needs one tag and no second request
before the first search. The iframe alternative is server-rendered and works without JavaScript.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from hub.core.settings import Settings
from hub.web.api_client import api_get, request_id
from hub.web.i18n import Translator, negotiate, widget_messages
from hub.web.templating import STATIC_DIR, render
from hub.web.views import hit_view

router = APIRouter(tags=["web"], include_in_schema=False)
COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
AGS = re.compile(r"^05\d{6}$")
FRAME_SIZE = 10


@lru_cache
def widget_source() -> str:
    """static/widget.js with the message catalogues filled in (built once per process)."""
    source = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    messages = json.dumps(widget_messages(), ensure_ascii=False, separators=(",", ":"))
    return source.replace("/*MESSAGES*/{}", messages.replace("</", "<\\/"))


@router.get("/widget.js")
def widget_js() -> Response:
    return Response(
        widget_source(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


def on_accent(color: str) -> str:
    """Black or white text on the theme colour, whichever is readable (WCAG luminance)."""
    hex_ = color[1:]
    if len(hex_) == 3:
        hex_ = "".join(ch * 2 for ch in hex_)
    channels = [int(hex_[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#1b1b1b" if luminance > 0.179 else "#ffffff"


@router.get("/widget/theme.css")
def theme_css(color: Annotated[str, Query(max_length=7)] = "") -> Response:
    """The frame's theme colour as CSS custom properties (no inline styles under the CSP)."""
    css = ""
    if COLOR.match(color):
        css = f":root {{ --fh-accent: {color}; --fh-on-accent: {on_accent(color)}; }}\n"
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/widget/frame", response_class=HTMLResponse)
async def widget_frame(
    request: Request,
    ags: Annotated[str, Query(max_length=8)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    color: Annotated[str, Query(max_length=7)] = "",
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    tr = Translator(
        negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
    )
    ags = ags if AGS.match(ags) else ""
    color = color if COLOR.match(color) else ""
    params = [("q", q), ("size", str(FRAME_SIZE))] + ([("ags", ags)] if ags else [])
    answer = await api_get(request.app, "/api/v1/offers", params, request_id(request))
    data = answer.data if answer.ok and isinstance(answer.data, dict) else {}
    more = [("lang", tr.lang)] + ([("place", ags)] if ags else []) + ([("q", q)] if q else [])
    return render(
        "widget_frame.html",
        settings,
        embeddable=True,
        tr=tr,
        t=tr.t,
        ags=ags,
        q=q,
        color=color,
        theme_url=f"/widget/theme.css?{urlencode({'color': color})}" if color else "",
        hits=[hit_view(hit, tr) for hit in data.get("hits", [])],
        total=int(data.get("total", 0)),
        failed=not answer.ok,
        more_url="/?" + urlencode(more),
    )
