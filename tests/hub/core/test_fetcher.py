"""The safe fetcher against real local servers: redirects, pinning, TLS, caps, bombs and drips.

FeedServer (127.0.0.1, allow-listed exactly) plays the municipality; `RawServer` writes raw bytes
for the hostile cases (dripping, endless chunked bodies, gzip bombs) and can bind 127.0.0.2 to
prove a refused redirect never even connects.
"""

from __future__ import annotations

import gzip
import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from hub.core.errors import (
    BodyTooLargeError,
    PermanentFetchError,
    RefusedURLError,
    TransientFetchError,
)
from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from tests.support.feeds import FeedServer, Request, Route

NAME = "feeds.kommune-beispiel.de"
Responder = Callable[[socket.socket], None]


class RawServer:
    """A TCP server that reads one request head and lets `respond` write whatever it likes."""

    def __init__(self, respond: Responder, host: str = "127.0.0.1") -> None:
        self.respond = respond
        self.connections = 0
        self._sock = socket.create_server((host, 0))
        self._sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str = "/") -> str:
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}{path}"

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                head = b""
                while b"\r\n\r\n" not in head:
                    head += conn.recv(4096) or b"\r\n\r\n"
                self.respond(conn)
            except OSError:
                pass  # the fetcher hung up on purpose


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"environment": "test", "fetch_allow_hosts": ["127.0.0.1"]}
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def fetcher() -> Iterator[SafeFetcher]:
    fetcher = SafeFetcher(settings())
    yield fetcher
    fetcher.close()


@pytest.fixture
def server(reused_server: FeedServer) -> FeedServer:
    """One FeedServer per module (its shutdown polls for 0.5 s), emptied for every test."""
    return reused_server


def test_fetches_a_feed_from_the_allow_listed_server(
    fetcher: SafeFetcher, server: FeedServer
) -> None:
    url = server.route(
        "/feed", Route('{"angebote": []}', content_type="application/json; charset=utf-8")
    )
    response = fetcher.get(url)
    assert (response.status, response.json(), response.charset) == (200, {"angebote": []}, "utf-8")
    sent = server.requests[0].headers
    assert sent["user-agent"].startswith("FamilienhubNRW/")
    assert sent["accept-encoding"] == "gzip, deflate"


def test_conditional_get_reports_not_modified(fetcher: SafeFetcher, server: FeedServer) -> None:
    def answer(request: Request) -> Route:
        if request.headers.get("if-none-match") == '"v1"':
            return Route(status=304)
        return Route("{}", headers={"ETag": '"v1"'})

    url = server.route("/feed", answer)
    assert fetcher.get(url).headers["etag"] == '"v1"'
    assert fetcher.get(url, etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT").not_modified
    assert server.requests[1].headers["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"


def test_follows_relative_redirects_and_records_the_hops(
    fetcher: SafeFetcher, server: FeedServer
) -> None:
    server.route("/old", Route(status=301, headers={"Location": "/moved"}))
    server.route("/moved", Route(status=307, headers={"Location": server.url("/feed")}))
    server.route("/feed", Route("[]"))
    response = fetcher.get(server.url("/old"))
    assert response.url == server.url("/feed")
    assert response.redirects == [server.url("/old"), server.url("/moved")]


def test_redirect_to_another_loopback_address_is_refused_before_connecting(
    fetcher: SafeFetcher, server: FeedServer
) -> None:
    with RawServer(lambda conn: conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n"), "127.0.0.2") as inside:
        url = server.route("/feed", Route(status=302, headers={"Location": inside.url("/admin")}))
        with pytest.raises(RefusedURLError) as caught:
            fetcher.get(url)
    assert caught.value.reason == "loopback"
    assert "internes" in caught.value.message_de
    assert inside.connections == 0


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://localhost:{port}/",
        "http://[::1]:{port}/",
        "http://[::ffff:127.0.0.2]:{port}/",
        "http://2130706433:{port}/",
        "http://0x7f.0.0.1:{port}/",
        "http://127.1:{port}/",
        "http://10.0.0.1/",
        "http://100.64.0.1/",
        "http://127.0.0.2.nip.io:{port}/",
        "//127.0.0.2:{port}/",
        "/\\127.0.0.2/",
        "http://user@127.0.0.1:{port}/feed",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
    ],
)
def test_redirects_into_refused_places_are_refused(
    fetcher: SafeFetcher, server: FeedServer, location: str
) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    server.route("/feed", Route("{}"))
    url = server.route("/go", Route(status=302, headers={"Location": location.format(port=port)}))
    with pytest.raises(RefusedURLError):
        fetcher.get(url)
    assert server.hits("/feed") == 0


def test_an_allow_list_never_opens_the_metadata_service(server: FeedServer) -> None:
    fetcher = SafeFetcher(settings(fetch_allow_hosts=["127.0.0.1", "169.254.0.0/16"]))
    url = server.route("/go", Route(status=302, headers={"Location": "http://169.254.169.254/"}))
    with pytest.raises(RefusedURLError) as caught:
        fetcher.get(url)
    assert caught.value.reason == "metadata"


def test_redirect_loop_is_a_permanent_error_in_german(
    fetcher: SafeFetcher, server: FeedServer
) -> None:
    server.route("/a", Route(status=302, headers={"Location": "/b"}))
    server.route("/b", Route(status=301, headers={"Location": "/a"}))
    with pytest.raises(PermanentFetchError) as caught:
        fetcher.get(server.url("/a"))
    assert "Weiterleitungsschleife" in caught.value.message_de
    assert server.hits("/a") == 1


def test_too_many_redirects_stop_at_the_configured_hops(server: FeedServer) -> None:
    def next_hop(request: Request) -> Route:
        hop = int(request.query.removeprefix("n=") or 0)
        return Route(status=302, headers={"Location": f"/hop?n={hop + 1}"})

    url = server.route("/hop", next_hop)
    with pytest.raises(PermanentFetchError) as caught:
        SafeFetcher(settings(fetch_max_redirects=3)).get(url)
    assert "Zu viele Weiterleitungen" in caught.value.message_de
    assert len(server.requests) == 4


def test_redirect_without_location_is_permanent(fetcher: SafeFetcher, server: FeedServer) -> None:
    with pytest.raises(PermanentFetchError):
        fetcher.get(server.route("/feed", Route(status=302)))


def test_credentials_do_not_follow_a_redirect_to_another_host(server: FeedServer) -> None:
    fetcher = SafeFetcher(settings(), resolver=lambda host, port: ["127.0.0.1"])
    port = server.base_url.rsplit(":", 1)[1]
    server.route("/api", Route(status=302, headers={"Location": f"http://{NAME}:{port}/end"}))
    server.route("/end", Route("{}"))
    headers = {"Authorization": "Bearer geheim", "X-Api-Key": "k", "Accept": "application/json"}
    fetcher.get(server.url("/api"), headers=headers)
    first, second = (r.headers for r in server.requests)
    assert first["authorization"] == "Bearer geheim" and first["x-api-key"] == "k"
    assert "authorization" not in second and "x-api-key" not in second
    assert second["accept"] == "application/json"
    assert second["host"] == f"{NAME}:{port}"


def test_connects_to_the_address_it_checked_without_a_second_lookup(server: FeedServer) -> None:
    answers = [["127.0.0.1"], ["10.0.0.1"], ["169.254.169.254"]]  # a rebinding DNS server
    lookups: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return answers[len(lookups) - 1]

    fetcher = SafeFetcher(settings(), resolver=rebinding)
    port = server.base_url.rsplit(":", 1)[1]
    server.route("/feed", Route('{"ok": true}'))
    response = fetcher.get(f"http://{NAME}:{port}/feed")
    assert response.json() == {"ok": True}
    assert lookups == [NAME]  # the system resolver cannot even resolve NAME here
    assert server.requests[0].headers["host"] == f"{NAME}:{port}"


def test_a_host_with_any_refused_answer_is_not_contacted(server: FeedServer) -> None:
    fetcher = SafeFetcher(settings(), resolver=lambda host, port: ["127.0.0.1", "10.0.0.1"])
    port = server.base_url.rsplit(":", 1)[1]
    with pytest.raises(RefusedURLError) as caught:
        fetcher.get(f"http://{NAME}:{port}/feed")
    assert caught.value.reason == "private"
    assert server.requests == []


def test_a_caller_built_client_still_gets_every_url_checked() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://127.0.0.1/admin"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    fetcher = SafeFetcher(
        settings(fetch_allow_hosts=[]), client, resolver=lambda host, port: ["93.184.215.14"]
    )
    with pytest.raises(RefusedURLError):
        fetcher.get(f"https://{NAME}/feed")
    assert seen == [f"https://{NAME}/feed"]


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to mint test certificates")
    folder = tmp_path_factory.mktemp("tls")
    for name in (NAME, "other.example.org"):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", str(folder / f"{name}.key"), "-out", str(folder / f"{name}.pem"),
             "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
            check=True, capture_output=True,
        )  # fmt: skip
    return {name: folder / name for name in (NAME, "other.example.org")}


@pytest.fixture
def tls_server(
    certificates: dict[str, Path], request: pytest.FixtureRequest
) -> Iterator[tuple[int, list[str]]]:
    """An HTTPS server on 127.0.0.1 presenting the certificate named by the test's param."""
    base = certificates[request.param]
    sni: list[str] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(f"{base}.pem", f"{base}.key")
    context.sni_callback = lambda sock, name, ctx: sni.append(name or "")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"host": self.headers["Host"]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], sni
    httpd.shutdown()
    httpd.server_close()


def pinned_tls_fetcher(certificates: dict[str, Path]) -> SafeFetcher:
    trust = ssl.create_default_context(cafile=f"{certificates[NAME]}.pem")
    trust.load_verify_locations(f"{certificates['other.example.org']}.pem")
    return SafeFetcher(settings(), resolver=lambda host, port: ["127.0.0.1"], ssl_context=trust)


@pytest.mark.parametrize("tls_server", [NAME], indirect=True)
def test_tls_to_a_pinned_address_verifies_the_name_and_sends_sni(
    certificates: dict[str, Path], tls_server: tuple[int, list[str]]
) -> None:
    port, sni = tls_server
    response = pinned_tls_fetcher(certificates).get(f"https://{NAME}:{port}/feed")
    assert response.json() == {"host": f"{NAME}:{port}"}
    assert sni == [NAME]


@pytest.mark.parametrize("tls_server", ["other.example.org"], indirect=True)
def test_a_certificate_for_another_name_is_refused(
    certificates: dict[str, Path], tls_server: tuple[int, list[str]]
) -> None:
    port, _ = tls_server
    with pytest.raises(PermanentFetchError) as caught:
        pinned_tls_fetcher(certificates).get(f"https://{NAME}:{port}/feed")
    assert "Zertifikat" in caught.value.message_de


def test_declared_oversized_body_is_refused_unread(server: FeedServer) -> None:
    url = server.route("/feed", Route(b"", headers={"Content-Length": str(10**12)}))
    with pytest.raises(BodyTooLargeError) as caught:
        SafeFetcher(settings(fetch_max_bytes=1024)).get(url)
    assert "zu groß" in caught.value.message_de


def endless_chunks(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    while True:
        conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def test_endless_chunked_body_is_cut_at_the_cap() -> None:
    with RawServer(endless_chunks) as raw, pytest.raises(BodyTooLargeError):
        SafeFetcher(settings(fetch_max_bytes=1024 * 1024)).get(raw.url())


def gzip_bomb(compressed_bytes: int) -> bytes:
    """A gzip stream of zeros about `compressed_bytes` long (~1000x that when inflated)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    head = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    segment = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)  # repeats byte for byte
    return head + segment * (compressed_bytes // len(segment)) + packer.flush()


def test_a_ten_megabyte_gzip_bomb_is_refused_with_bounded_memory() -> None:
    bomb = gzip_bomb(10 * 1024 * 1024)
    assert len(bomb) > 10_000_000

    def send_bomb(conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb)
        )
        conn.sendall(bomb)

    fetcher = SafeFetcher(settings())  # the default cap: 20 MB after decompression
    with RawServer(send_bomb) as raw:
        tracemalloc.start()
        try:
            with pytest.raises(BodyTooLargeError):
                fetcher.get(raw.url())
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(b'{"a": 1}')),
        ("x-gzip", gzip.compress(b'{"a": ') + gzip.compress(b"1}")),  # two gzip members
        ("deflate", zlib.compress(b'{"a": 1}')),
        ("deflate", zlib.compress(b'{"a": 1}')[2:-4]),  # raw deflate, as some servers send it
        ("identity", b'{"a": 1}'),
        ("utf-8", b'{"a": 1}'),  # a misconfigured server's bogus token means identity
    ],
)
def test_compressed_bodies_are_decoded(server: FeedServer, encoding: str, body: bytes) -> None:
    url = server.route("/feed", Route(body, headers={"Content-Encoding": encoding}))
    assert SafeFetcher(settings()).get(url).json() == {"a": 1}


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, gzip"])
def test_unrequested_encodings_are_refused(server: FeedServer, encoding: str) -> None:
    url = server.route("/feed", Route(b"{}", headers={"Content-Encoding": encoding}))
    with pytest.raises(PermanentFetchError):
        SafeFetcher(settings()).get(url)


def test_corrupt_gzip_is_a_permanent_error(server: FeedServer) -> None:
    url = server.route(
        "/feed", Route(b"\x1f\x8bnot gzip at all", headers={"Content-Encoding": "gzip"})
    )
    with pytest.raises(PermanentFetchError):
        SafeFetcher(settings()).get(url)


def drip(head: bytes, interval: float) -> Responder:
    def respond(conn: socket.socket) -> None:
        conn.sendall(head)
        for _ in range(60):
            conn.sendall(b"x")
            time.sleep(interval)

    return respond


@pytest.mark.parametrize(
    "head",
    [b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", b"HTTP/1.1 200 OK\r\nX-Drip: "],
    ids=["body", "headers"],
)
def test_a_slow_drip_is_cut_at_the_overall_time_cap(head: bytes) -> None:
    fetcher = SafeFetcher(settings(fetch_timeout_seconds=1.5))
    with RawServer(drip(head, 0.25)) as raw:
        started = time.monotonic()
        with pytest.raises(TransientFetchError) as caught:
            fetcher.get(raw.url())
        elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 3.0
    assert "rechtzeitig" in caught.value.message_de


def test_the_time_cap_covers_all_redirect_hops(server: FeedServer) -> None:
    def slow_redirect(request: Request) -> Route:
        time.sleep(0.4)
        return Route(status=302, headers={"Location": f"/slow?n={request.query}x"})

    url = server.route("/slow", slow_redirect)
    started = time.monotonic()
    with pytest.raises(TransientFetchError):
        SafeFetcher(settings(fetch_timeout_seconds=1.0, fetch_max_redirects=10)).get(url)
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        (503, "120", 120.0),
        (429, "Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        (502, "soon", None),
        (500, None, None),
    ],
)
def test_transient_statuses_carry_retry_after(
    fetcher: SafeFetcher,
    server: FeedServer,
    status: int,
    retry_after: str | None,
    expected: float | None,
) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    with pytest.raises(TransientFetchError) as caught:
        fetcher.get(server.route("/feed", Route("{}", status=status, headers=headers)))
    assert caught.value.retry_after == expected


def test_client_errors_are_permanent_not_unsafe(fetcher: SafeFetcher, server: FeedServer) -> None:
    with pytest.raises(PermanentFetchError) as caught:
        fetcher.get(server.url("/nowhere"))
    assert not isinstance(caught.value, RefusedURLError)
    assert "HTTP 404" in caught.value.message_de


def test_a_closed_port_is_a_transient_error(fetcher: SafeFetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransientFetchError):
        fetcher.get(f"http://127.0.0.1:{port}/feed")
