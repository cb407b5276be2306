"""The one safe fetcher: every outbound request of the hub goes through here (DESIGN.md §7).

It speaks only http/https, resolves the host and refuses private, loopback, link-local and
metadata addresses (unless allow-listed), re-checks every redirect hop, and caps body size,
time and redirects. Errors are the hub's fetch errors, split into transient and permanent.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from hub.errors import (
    BodyTooLargeError,
    PermanentFetchError,
    TransientFetchError,
    UnsafeURLError,
)
from hub.settings import Settings

REDIRECT_CODES = {301, 302, 303, 307, 308}
TRANSIENT_CODES = {408, 425, 429, 500, 502, 503, 504}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass
class FetchResponse:
    """A completed response: final URL, status, lower-cased headers and the capped body."""

    url: str
    status: int
    headers: dict[str, str]
    content: bytes
    not_modified: bool = False
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip('"') or None
        return None

    def text(self) -> str:
        """The body decoded by the declared charset, else UTF-8 (BOM aware), else cp1252."""
        if self.charset:
            try:
                return self.content.decode(self.charset)
            except (LookupError, UnicodeDecodeError):
                pass
        try:
            return self.content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return self.content.decode("cp1252", errors="replace")

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.text())
        except ValueError as exc:
            raise PermanentFetchError(
                f"malformed JSON from {self.url}: {exc}",
                message_de=f"Der Feed liefert kein gültiges JSON ({exc}).",
            ) from exc


class AddressPolicy:
    """Decides which resolved addresses the fetcher may connect to."""

    def __init__(self, allow: list[str]) -> None:
        self.allow_hosts = {a.lower() for a in allow if not _is_network(a)}
        self.allow_nets = [ipaddress.ip_network(a, strict=False) for a in allow if _is_network(a)]

    def host_allowed(self, host: str) -> bool:
        return host.lower() in self.allow_hosts

    def address_allowed(self, address: IPAddress) -> bool:
        if any(address in net for net in self.allow_nets):
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            return self.address_allowed(address.ipv4_mapped)
        return address.is_global and not address.is_multicast


def _is_network(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


class SafeFetcher:
    """GET requests to untrusted URLs with address checks and caps on size, time and hops."""

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.policy = AddressPolicy(settings.fetch_allow_hosts)
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(settings.fetch_timeout_seconds, connect=10.0),
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent},
            trust_env=False,
        )

    def check_url(self, url: str) -> None:
        """Raise `UnsafeURLError` unless `url` is http(s) to an allowed, resolvable host."""
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            raise UnsafeURLError(
                f"scheme {parts.scheme!r} refused", message_de="Nur http- und https-Adressen."
            )
        host = parts.hostname
        if not host or parts.username or parts.password or "\\" in url or " " in url.strip():
            raise UnsafeURLError(f"malformed URL {url!r}", message_de="Die Adresse ist ungültig.")
        if self.policy.host_allowed(host):
            return
        for address in self._resolve(host, parts.port):
            if not self.policy.address_allowed(address):
                raise UnsafeURLError(
                    f"{host} resolves to refused address {address}",
                    message_de="Die Adresse zeigt auf ein internes Netz und wird nicht abgerufen.",
                )

    def _resolve(self, host: str, port: int | None) -> list[IPAddress]:
        try:
            infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise TransientFetchError(
                f"cannot resolve {host}: {exc}",
                message_de=f"Der Server {host} ist nicht auffindbar (DNS).",
            ) from exc
        return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> FetchResponse:
        """Fetch `url`, following redirects after re-checking each hop."""
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        hops: list[str] = []
        current = url
        for _ in range(self.settings.fetch_max_redirects + 1):
            self.check_url(current)
            response = self._send(current, request_headers)
            if response.status in REDIRECT_CODES and "location" in response.headers:
                hops.append(current)
                current = urljoin(current, response.headers["location"])
                continue
            response.redirects = hops
            return self._classify(response)
        raise PermanentFetchError(
            f"too many redirects from {url}",
            message_de="Zu viele Weiterleitungen (möglicherweise eine Schleife).",
        )

    def _send(self, url: str, headers: dict[str, str]) -> FetchResponse:
        cap = self.settings.fetch_max_bytes
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                declared = int(response.headers.get("content-length") or 0)
                if declared > cap:
                    raise BodyTooLargeError(
                        f"{url}: {declared} bytes declared, cap {cap}",
                        message_de="Die Antwort ist zu groß.",
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise BodyTooLargeError(
                            f"{url}: body exceeds cap {cap}",
                            message_de="Die Antwort ist zu groß.",
                        )
                    chunks.append(chunk)
                return FetchResponse(
                    url=url,
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    content=b"".join(chunks),
                )
        except httpx.TimeoutException as exc:
            raise TransientFetchError(
                f"timeout fetching {url}", message_de="Der Server antwortet nicht rechtzeitig."
            ) from exc
        except httpx.TransportError as exc:
            raise TransientFetchError(
                f"connection error fetching {url}: {exc}",
                message_de="Der Server ist nicht erreichbar.",
            ) from exc

    def _classify(self, response: FetchResponse) -> FetchResponse:
        status = response.status
        if status == 304:
            response.not_modified = True
            return response
        if status in TRANSIENT_CODES:
            raise TransientFetchError(
                f"HTTP {status} from {response.url}",
                message_de=f"Der Server meldet einen vorübergehenden Fehler (HTTP {status}).",
                retry_after=_retry_after(response.headers.get("retry-after")),
            )
        if status >= 400:
            raise PermanentFetchError(
                f"HTTP {status} from {response.url}",
                message_de=f"Der Feed ist nicht abrufbar (HTTP {status}).",
            )
        return response

    def close(self) -> None:
        self.client.close()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            from datetime import UTC, datetime

            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None
