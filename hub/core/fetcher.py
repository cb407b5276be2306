"""The one safe fetcher: every outbound request of the hub goes through here (DESIGN.md §7).

Every URL and redirect hop is checked by `hub.core.addresses`; the httpcore network backend
resolves each host once, checks every answer and connects to a checked address, while TLS still
verifies the certificate for the name (SNI and Host stay the name): no DNS rebinding window.
Bodies are capped after decompression by a bounded inflater (a gzip bomb costs one chunk), and
one deadline covers connect, TLS, headers and every read of every hop (slow drips are cut).
"""

from __future__ import annotations

import json
import ssl
import time
import zlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import httpcore
import httpx

from hub.core.addresses import AddressPolicy, Resolver, parse_target
from hub.core.errors import BodyTooLargeError, FetchError, PermanentFetchError, TransientFetchError
from hub.core.ratelimit import RateLimiter, host_key
from hub.core.settings import Settings

REDIRECT_CODES = {301, 302, 303, 307, 308}
TRANSIENT_CODES = {408, 425, 429, 500, 502, 503, 504}
CHUNK = 64 * 1024
WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
UNSUPPORTED_ENCODINGS = {"br", "zstd", "compress", "x-compress"}  # never asked for
# Headers that may follow a redirect to another host; everything else (API keys) stays behind.
CROSS_HOST_HEADERS = {"accept", "accept-language", "if-none-match", "if-modified-since"}
_deadline: ContextVar[float | None] = ContextVar("fetch_deadline", default=None)


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
        try:
            return json.loads(self.text())
        except ValueError as exc:
            raise PermanentFetchError(
                f"malformed JSON from {self.url}: {exc}",
                message_de=f"Der Feed liefert kein gültiges JSON ({exc}).",
            ) from exc


def _bounded(timeout: float | None, exc: type[Exception]) -> float | None:
    """`timeout` shortened to what is left of the current request's overall deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise exc("overall time cap reached")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends at the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Opens sockets only to addresses the policy checked, resolving each host exactly once."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in self.policy.addresses_for(host, port):
            bounded = _bounded(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._inner.connect_tcp(
                    str(address), port, bounded, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream)
        raise failure


class PinnedTransport(httpx.HTTPTransport):
    """httpx's transport with the pinned backend in its pool (httpx has no public hook)."""

    def __init__(self, policy: AddressPolicy, ssl_context: ssl.SSLContext | None = None) -> None:
        context = ssl_context or httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=context, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context, network_backend=PinnedBackend(policy), max_connections=20
        )


class SafeFetcher:
    """GET requests to untrusted URLs with address checks and caps on size, time and hops.

    A caller-built `client` (mock transports in tests) gets every URL checked before the request,
    but pinning the connection to the checked address is then up to its transport.
    """

    def __init__(
        self,
        settings: Settings,
        client: httpx.Client | None = None,
        *,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.settings = settings
        self.limiter = limiter
        self.policy = AddressPolicy(settings.fetch_allow_hosts, resolver)
        self._pinned = client is None
        self.client = client or httpx.Client(
            transport=PinnedTransport(self.policy, ssl_context),
            follow_redirects=False,
            trust_env=False,
        )

    def check_url(self, url: str) -> None:
        """Raise `UnsafeURLError` (`UnresolvableHostError` without DNS answer) unless allowed."""
        self.policy.check_target(parse_target(url))

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> FetchResponse:
        """Fetch `url`, following redirects after re-checking each hop, within one deadline."""
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        token = _deadline.set(time.monotonic() + self.settings.fetch_timeout_seconds)
        try:
            return self._follow(url, request_headers)
        finally:
            _deadline.reset(token)

    def _follow(self, url: str, headers: dict[str, str]) -> FetchResponse:
        hops: list[str] = []
        target = parse_target(url)
        while True:
            if not self._pinned:
                self.policy.check_target(target)
            response = self._send(target.url, headers)
            location = response.headers.get("location")
            if response.status not in REDIRECT_CODES or not location:
                response.redirects = hops
                return self._classify(response)
            hops.append(target.url)
            following = parse_target(urljoin(target.url, location))
            if following.url in hops:
                raise PermanentFetchError(
                    f"redirect loop {' -> '.join([*hops, following.url])}",
                    message_de="Die Adresse leitet im Kreis weiter (Weiterleitungsschleife); "
                    "bitte die Weiterleitungen auf dem Server prüfen.",
                )
            if len(hops) > self.settings.fetch_max_redirects:
                raise PermanentFetchError(
                    f"more than {self.settings.fetch_max_redirects} redirects from {url}",
                    message_de=f"Zu viele Weiterleitungen (mehr als "
                    f"{self.settings.fetch_max_redirects}); bitte die endgültige Adresse angeben.",
                )
            downgrade = target.scheme == "https" and following.scheme == "http"
            if following.host != target.host or downgrade:
                headers = {k: v for k, v in headers.items() if k.lower() in CROSS_HOST_HEADERS}
            target = following

    def _send(self, url: str, headers: dict[str, str]) -> FetchResponse:
        if self.limiter is not None:  # per-host pacing, shared by all workers when Redis-backed
            self.limiter.acquire(host_key(url))
        cap = self.settings.fetch_timeout_seconds
        sent = {
            "User-Agent": self.settings.user_agent,
            **headers,
            "Accept-Encoding": "gzip, deflate",
        }
        try:
            timeout = httpx.Timeout(_bounded(cap, httpx.ConnectTimeout), connect=10.0)
            with self.client.stream("GET", url, headers=sent, timeout=timeout) as response:
                status = response.status_code
                wanted = 200 <= status < 300
                return FetchResponse(
                    url=url,
                    status=status,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    content=self._read_body(url, response) if wanted else b"",
                )
        except httpx.TimeoutException as exc:
            raise TransientFetchError(
                f"timeout fetching {url}: {exc}",
                message_de="Der Server antwortet nicht rechtzeitig "
                f"(Zeitlimit {cap:g} s für die ganze Abfrage).",
            ) from exc
        except httpx.TransportError as exc:
            if _is_certificate_error(exc):
                raise PermanentFetchError(
                    f"TLS certificate of {url} not valid: {exc}",
                    message_de="Das TLS-Zertifikat des Servers ist ungültig oder passt nicht "
                    "zum Servernamen.",
                ) from exc
            raise TransientFetchError(
                f"connection error fetching {url}: {exc}",
                message_de="Der Server ist nicht erreichbar.",
            ) from exc

    def _read_body(self, url: str, response: httpx.Response) -> bytes:
        cap = self.settings.fetch_max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _too_large(url, f"{declared} bytes declared", cap)
        decoder = _decoder(url, response.headers.get("content-encoding", ""))
        body = bytearray()
        raw_size = 0
        for raw in response.iter_raw():
            raw_size += len(raw)
            _bounded(None, httpx.ReadTimeout)
            if raw_size > cap:
                raise _too_large(url, "body exceeds the cap", cap)
            for piece in decoder.feed(raw) if decoder else (raw,):
                if len(body) + len(piece) > cap:
                    raise _too_large(url, "decompressed body exceeds the cap", cap)
                body += piece
        return bytes(body)

    def _classify(self, response: FetchResponse) -> FetchResponse:
        status = response.status
        if status == 304:
            response.not_modified = True
            return response
        error: FetchError
        if status in TRANSIENT_CODES:
            error = TransientFetchError(
                f"HTTP {status} from {response.url}",
                message_de=f"Der Server meldet einen vorübergehenden Fehler (HTTP {status}).",
                retry_after=_retry_after(response.headers.get("retry-after")),
            )
        elif status >= 300:
            error = PermanentFetchError(
                f"HTTP {status} from {response.url}",
                message_de=f"Der Feed ist nicht abrufbar (HTTP {status}).",
            )
        else:
            return response
        error.status = status
        raise error

    def close(self) -> None:
        self.client.close()


def _too_large(url: str, detail: str, cap: int) -> BodyTooLargeError:
    return BodyTooLargeError(
        f"{url}: {detail}, cap {cap} bytes",
        message_de=f"Die Antwort ist zu groß (mehr als {size_de(cap)}, nach dem Entpacken "
        "gezählt). Bitte den Feed auf mehrere Seiten verteilen.",
    )


def size_de(count: int) -> str:
    """A byte count as a German reader writes it: `20 MB`, `1,5 MB`, `512 KB`, `900 Byte`."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0").replace(".", ",") + f" {unit}"
    return f"{count} Byte"


def _is_certificate_error(exc: BaseException | None) -> bool:
    while exc is not None and not isinstance(exc, ssl.SSLCertVerificationError):
        exc = exc.__cause__ or exc.__context__
    return exc is not None


class _Inflater:
    """zlib decompression that never emits more than CHUNK bytes per step (bomb-safe)."""

    def __init__(self, wbits: int) -> None:
        self.wbits = wbits
        self.emitted = False
        self._obj = zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            yield from self._inflate(data)
        except zlib.error as exc:
            if self.emitted or self.wbits != zlib.MAX_WBITS:
                raise PermanentFetchError(
                    f"corrupt compressed body: {exc}",
                    message_de="Die komprimierte Antwort des Servers ist beschädigt.",
                ) from exc
            # "deflate" is zlib-wrapped by the RFC, but some servers send raw deflate
            self.wbits = -zlib.MAX_WBITS
            self._obj = zlib.decompressobj(self.wbits)
            yield from self.feed(data)

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        while True:
            piece = self._obj.decompress(data, CHUNK)
            if piece:
                self.emitted = True
                yield piece
            data = self._obj.unconsumed_tail
            if self._obj.eof:
                data = self._obj.unused_data
                if not data.startswith(b"\x1f\x8b") or self.wbits < 0:
                    return  # trailing bytes after the (last) gzip member are ignored
                self._obj = zlib.decompressobj(self.wbits)  # the next gzip member
            elif not piece and not data:
                return


def _decoder(url: str, encoding: str) -> _Inflater | None:
    """The decoder for a Content-Encoding header; unknown tokens (`utf-8`, sic) mean identity."""
    known = WBITS.keys() | UNSUPPORTED_ENCODINGS
    steps = [step for e in encoding.split(",") if (step := e.strip().lower()) in known]
    if not steps:
        return None
    if len(steps) > 1 or steps[0] in UNSUPPORTED_ENCODINGS:
        raise PermanentFetchError(
            f"{url}: unsupported content encoding {encoding!r}",
            message_de=f"Der Server komprimiert die Antwort mit „{encoding}“; unterstützt "
            "sind gzip und deflate.",
        )
    return _Inflater(WBITS[steps[0]])


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), None if unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
