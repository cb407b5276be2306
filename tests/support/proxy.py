"""A reverse proxy on 127.0.0.1 in front of a test site, switchable to a maintenance page.

A municipality's WordPress sits behind a web server that serves it at the public address.
When an editor switches on a maintenance or coming-soon plugin, every address of the site (the
REST API included) answers the plugin's HTML page instead. The proxy passes requests through
as nginx's `proxy_pass` with `proxy_set_header Host $host` does (method, path, query and request
headers; status, headers and body back, so pagination headers such as X-WP-TotalPages and
validators such as ETag arrive unchanged) until `maintenance` is set; then it answers that page
to every request. Its address is known before the upstream starts (WordPress needs it).
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

# headers of one connection, not of the message (RFC 9110 §7.6.1), and the ones set anew
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
}  # fmt: skip
MAINTENANCE_PAGE = (
    '<!doctype html><html lang="de"><head><meta charset="utf-8">'
    "<title>Wartungsmodus</title></head><body><h1>Wir sind gleich zurück</h1>"
    "<p>Unsere Website wird gerade gewartet. Bitte versuchen Sie es später noch einmal.</p>"
    "</body></html>"
).encode()


@dataclass(frozen=True)
class Maintenance:
    """What the site answers while in maintenance: a status and an HTML page."""

    status: int = 200
    body: bytes = MAINTENANCE_PAGE
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html; charset=UTF-8"),)


@dataclass(frozen=True)
class Exchange:
    """One request the proxy answered: what was asked and what went back."""

    method: str
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class SwitchableProxy:
    """Forwards to `upstream` (502 while it is unset) until `maintenance` is set; records every
    exchange."""

    def __init__(self, upstream: str | None = None) -> None:
        self.upstream = upstream
        self.maintenance: Maintenance | None = None
        self.exchanges: list[Exchange] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def forward(
        self, method: str, path: str, headers: list[tuple[str, str]]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Ask the upstream; a refused or broken connection is a 502, as a gateway answers."""
        sent = {name: value for name, value in headers if name.lower() not in HOP_BY_HOP}
        asked_for = next((v for k, v in headers if k.lower() == "host"), None)
        sent["Host"] = asked_for or urlsplit(self.url).netloc
        bad_gateway = 502, [("Content-Type", "text/plain; charset=utf-8")], b"Bad Gateway"
        if not self.upstream:
            return bad_gateway
        upstream = urlsplit(self.upstream)
        connection = http.client.HTTPConnection(upstream.netloc, timeout=60)
        try:
            connection.request(method, path, headers=sent)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            return bad_gateway
        finally:
            connection.close()
        kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
        return response.status, kept, body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                maintenance = proxy.maintenance
                if maintenance is not None:
                    status, headers = maintenance.status, list(maintenance.headers)
                    body = maintenance.body
                else:
                    status, headers, body = proxy.forward(
                        self.command, self.path, list(self.headers.items())
                    )
                proxy.exchanges.append(
                    Exchange(self.command, self.path, status, {k.lower(): v for k, v in headers})
                )
                self.send_response_only(status)  # the upstream's Date and Server go back
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_HEAD = do_GET

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SwitchableProxy:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
