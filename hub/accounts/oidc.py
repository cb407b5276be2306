"""Optional sign-in through an administration's OpenID Connect provider: the authorization
code flow with PKCE (S256), a state bound to the session, a nonce in the ID token.

The provider is configured by the operator (`HUB_OIDC_*`), like the engine or the SMTP server,
so it is reached with a plain HTTP client, not the fetcher for municipalities' URLs. The
provider only vouches for an e-mail address: the person must already have an account here
(enrolment or an admin made it); OpenID Connect never creates one.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from hub.core.errors import SignInError
from hub.core.settings import Settings

FAILED_DE = "Die Anmeldung über Ihre Verwaltung hat nicht geklappt. Bitte versuchen Sie es erneut."
ALGORITHMS = ["RS256", "ES256", "PS256"]


@dataclass(frozen=True)
class Provider:
    """What discovery tells about the provider."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class Pending:
    """What the session keeps between the redirect to the provider and its answer."""

    state: str
    nonce: str
    verifier: str

    def as_dict(self) -> dict[str, str]:
        return {"state": self.state, "nonce": self.nonce, "verifier": self.verifier}


def enabled(settings: Settings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_client_id)


def challenge(verifier: str) -> str:
    """The PKCE S256 code challenge of a verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    """Talks to the configured provider; every failure is a `SignInError` in German."""

    def __init__(self, settings: Settings, timeout: float = 10.0) -> None:
        self.settings = settings
        self.issuer = (settings.oidc_issuer or "").rstrip("/")
        self.http = httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def _json(self, response: httpx.Response, what: str) -> dict[str, Any]:
        if response.status_code != 200:
            raise SignInError(f"{what} answered {response.status_code}", message_de=FAILED_DE)
        try:
            data = response.json()
        except ValueError:
            raise SignInError(f"{what} answered no JSON", message_de=FAILED_DE) from None
        if not isinstance(data, dict):
            raise SignInError(f"{what} answered no object", message_de=FAILED_DE)
        return data

    def _get(self, url: str, what: str) -> dict[str, Any]:
        try:
            return self._json(self.http.get(url), what)
        except httpx.HTTPError as exc:
            raise SignInError(f"{what} unreachable: {exc}", message_de=FAILED_DE) from None

    def discover(self) -> Provider:
        data = self._get(f"{self.issuer}/.well-known/openid-configuration", "discovery")
        try:
            provider = Provider(
                str(data["issuer"]).rstrip("/"),
                str(data["authorization_endpoint"]),
                str(data["token_endpoint"]),
                str(data["jwks_uri"]),
            )
        except KeyError as exc:
            raise SignInError(f"discovery lacks {exc}", message_de=FAILED_DE) from None
        if provider.issuer != self.issuer:
            raise SignInError("discovery names another issuer", message_de=FAILED_DE)
        return provider

    def start(self, redirect_uri: str) -> tuple[str, Pending]:
        """The provider's authorization URL to send the browser to, and what to keep."""
        provider = self.discover()
        pending = Pending(
            secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        )
        query = {
            "response_type": "code",
            "client_id": self.settings.oidc_client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email",
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": challenge(pending.verifier),
            "code_challenge_method": "S256",
        }
        return f"{provider.authorization_endpoint}?{urlencode(query)}", pending

    def finish(self, code: str, pending: Pending, redirect_uri: str) -> str:
        """Redeem the code, verify the ID token; the verified e-mail address (lower case)."""
        provider = self.discover()
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": pending.verifier,
            "client_id": self.settings.oidc_client_id,
        }
        secret = self.settings.oidc_client_secret
        options: dict[str, Any] = {"data": data}
        if secret:  # client_secret_basic; a public client sends only its id
            options["auth"] = httpx.BasicAuth(
                self.settings.oidc_client_id, secret.get_secret_value()
            )
        try:
            answer = self.http.post(provider.token_endpoint, **options)
        except httpx.HTTPError as exc:
            raise SignInError(f"token endpoint unreachable: {exc}", message_de=FAILED_DE) from None
        id_token = self._json(answer, "token endpoint").get("id_token")
        if not isinstance(id_token, str):
            raise SignInError("no id_token", message_de=FAILED_DE)
        return self._verified_email(id_token, provider, pending.nonce)

    def _verified_email(self, id_token: str, provider: Provider, nonce: str) -> str:
        found = self._get(provider.jwks_uri, "jwks")
        try:
            keys = KeySet.import_key_set(found)  # type: ignore[arg-type]
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
            JWTClaimsRegistry(
                iss={"essential": True, "value": provider.issuer},
                aud={"essential": True, "value": self.settings.oidc_client_id},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
                email={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise SignInError(f"id_token refused: {exc}", message_de=FAILED_DE) from None
        if token.claims.get("email_verified") is False:
            raise SignInError("e-mail not verified by the provider", message_de=FAILED_DE)
        return str(token.claims["email"]).strip().lower()
