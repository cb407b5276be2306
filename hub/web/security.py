"""Response headers of the public web surface: a strict CSP, and CORS for public reads.

The pages load nothing from third parties except the configured map tiles (fonts, scripts and
styles are the hub's own), so the Content-Security-Policy allows only 'self' plus the tile host.
The widget runs on municipal portals and calls the search API from their origin: public GET
routes answer any origin (no credentials), everything else stays same-origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.core.settings import Settings

PUBLIC_READ_PREFIXES = ("/api/v1/offers", "/api/v1/suggest", "/widget.js", "/static/")


def tile_origin(settings: Settings) -> str:
    """`https://host[:port]` of the tile URL template ('' when no base map is configured)."""
    parts = urlsplit(settings.tile_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(settings: Settings, *, embeddable: bool = False) -> str:
    """CSP of an HTML page; `embeddable` pages (the widget frame) may be framed by anyone."""
    tiles = tile_origin(settings)
    images = " ".join(part for part in ("'self'", "data:", tiles) if part)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": images,
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "*" if embeddable else "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def page_headers(settings: Settings, *, embeddable: bool = False) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(settings, embeddable=embeddable),
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Content-Type-Options": "nosniff",
        "Permissions-Policy": "geolocation=(), camera=(), microphone=(), interest-cohort=()",
    }
    if not embeddable:
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return headers


class PublicReadCors:
    """`Access-Control-Allow-Origin: *` on GET/HEAD of public read routes (widget on any site),
    and the answer to their preflight. Plain ASGI rather than `app.middleware("http")`, which
    costs a task group and a stream per request, on every search."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PUBLIC_READ_PREFIXES):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            preflight = Response(status_code=204, headers=_cors_headers(preflight=True))
            await preflight(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _cors_headers().items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _cors_headers(*, preflight: bool = False) -> dict[str, str]:
    headers = {"Access-Control-Allow-Origin": "*", "Vary": "Origin"}
    if preflight:
        headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Content-Language"
        headers["Access-Control-Max-Age"] = "86400"
    return headers
