"""A demo WordPress-style site on 127.0.0.1 (the demo fleet's answers) that a test can break
(an HTML maintenance page where the REST API was) and fix again."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from hub.dev.demo.fleet import DemoFeed, answer

MAINTENANCE = b"<!doctype html><html><body><h1>Wartungsarbeiten</h1></body></html>"


class SwitchableSite:
    """A demo WordPress site on 127.0.0.1 that can be broken (an HTML maintenance page where
    the REST API was) and fixed again."""

    def __init__(self, feed: DemoFeed) -> None:
        self.feed = feed
        self.broken = False
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if site.broken:
                    body, ctype, status = MAINTENANCE, "text/html; charset=utf-8", 200
                else:
                    reply = answer(site.feed, parts.path, parse_qs(parts.query), site.base_url)
                    body, ctype, status = reply.body, reply.content_type, reply.status
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler

    def close(self) -> None:
        self.httpd.shutdown()
