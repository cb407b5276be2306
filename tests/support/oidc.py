"""A minimal OpenID Connect provider on 127.0.0.1 for tests: discovery, an authorization
endpoint that answers at once for one configured person (as if she were signed in there),
a token endpoint that checks the client secret, the redirect URI and the PKCE verifier and
hands out an RS256 ID token once per code, and its JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "familienhub-test"
CLIENT_SECRET = "oidc-test-secret"


@dataclass
class LocalProvider:
    """Who signs in (`email`), and switches to misbehave: a foreign signing key, a wrong nonce."""

    email: str = ""
    email_verified: bool = True
    foreign_key: bool = False
    wrong_nonce: bool = False
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-1"})
    )
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    base_url: str = ""

    def id_token(self, grant: dict[str, str]) -> str:
        claims = {
            "iss": self.base_url,
            "sub": hashlib.sha256(grant["email"].encode()).hexdigest()[:16],
            "aud": CLIENT_ID,
            "iat": int(time.time()),
            "exp": int(time.time()) + 300,
            "nonce": "anders" if self.wrong_nonce else grant["nonce"],
            "email": grant["email"],
            "email_verified": self.email_verified,
        }
        signer = (
            RSAKey.generate_key(2048, parameters={"kid": "test-1"})
            if self.foreign_key
            else self.key
        )
        return jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, signer)

    def authorize(self, query: dict[str, str]) -> str:
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "email": self.email,
            "nonce": query["nonce"],
            "challenge": query["code_challenge"],
            "redirect_uri": query["redirect_uri"],
        }
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return 400, {"error": "invalid_grant"}
        return 200, {"access_token": "x", "token_type": "Bearer", "id_token": self.id_token(grant)}


@contextmanager
def running_provider() -> Iterator[LocalProvider]:
    provider = LocalProvider()

    class Handler(BaseHTTPRequestHandler):
        def _send(
            self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            base = provider.base_url
            if parts.path == "/.well-known/openid-configuration":
                self._send(
                    200,
                    {
                        "issuer": base,
                        "authorization_endpoint": f"{base}/authorize",
                        "token_endpoint": f"{base}/token",
                        "jwks_uri": f"{base}/jwks",
                    },
                )
            elif parts.path == "/jwks":
                self._send(200, {"keys": [provider.key.as_dict(private=False)]})
            elif parts.path == "/authorize":
                self._send(302, {}, {"Location": provider.authorize(query)})
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._send(404, {"error": "not_found"})
                return
            self._send(*provider.token(form, self.headers.get("authorization", "")))

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    provider.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
