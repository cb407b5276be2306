"""How a simulated CMS answers over HTTP: a body with its ETag, or 304 when the client has it.

Shared by the demo fleet and the fleet simulator, so both speak conditional GET the same way.
"""

from __future__ import annotations

import hashlib
from http.server import BaseHTTPRequestHandler


def etag_of(body: bytes) -> str:
    """A strong ETag derived from the body: equal content, equal tag."""
    return f'"{hashlib.sha256(body).hexdigest()[:16]}"'


def send_body(
    handler: BaseHTTPRequestHandler,
    body: bytes,
    content_type: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    etags: bool = True,
    truncate: bool = False,
) -> None:
    """Answer with `body` (or 304 when the request's If-None-Match is its ETag). `truncate`
    announces the whole length but sends half and closes: a connection cut mid-body."""
    etag = etag_of(body)
    if etags and status == 200 and handler.headers.get("If-None-Match") == etag:
        handler.send_response(304)
        handler.send_header("ETag", etag)
        handler.end_headers()
        return
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    if etags:
        handler.send_header("ETag", etag)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if truncate:
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()
    handler.wfile.write(body[: len(body) // 2] if truncate else body)
