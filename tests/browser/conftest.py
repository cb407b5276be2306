"""Browser tests: Debian's Chromium driven by Playwright against a real hub API process.

The API runs as a child process over its own index prefix, filled by syncing a few demo-fleet
feeds through the real SyncRunner. Map tiles come from a local server, and the browser may reach
nothing but 127.0.0.1: a request anywhere else fails the test that made it.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright

from hub.core.settings import Settings
from hub.dev.demo.fleet import FleetServer, demo_feeds
from hub.dev.processes import Supervisor
from hub.ingest.runner import SyncOptions, SyncRunner
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import OFFERS, drop_prefixed, ensure_indices
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.feeds import FeedServer
from tests.support.feeds import Route as Answer
from tests.support.paths import WEB_DIR
from tests.support.stack import supervisor

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_FEEDS = ("koeln", "essen", "luedenscheid", "muenster")
AXE = WEB_DIR / "node_modules" / "axe-core" / "axe.min.js"


def chromium_executable() -> Path:
    """Debian's Chromium; installed with apt when missing and we may (root), else the run fails."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail("Chromium is missing: run `sudo apt-get install -y chromium`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, timeout=600)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"],
        check=True,
        env=env,
        timeout=1200,
    )
    if not CHROMIUM.exists():
        pytest.fail("apt-get installed chromium, but /usr/bin/chromium is still missing")
    return CHROMIUM


def vendor_web_libraries() -> None:
    """Leaflet for the pages, axe-core for the tests: hub/web/build.sh (fast when up to date)."""
    subprocess.run([str(WEB_DIR / "build.sh")], check=True, timeout=600)


def axe_source() -> str:
    """axe-core from hub/web/node_modules (installed by hub/web/build.sh)."""
    if not AXE.exists():
        vendor_web_libraries()
    return AXE.read_text(encoding="utf-8")


def blank_tile() -> bytes:
    """A 256×256 light grey PNG, so the map has a base layer without leaving 127.0.0.1."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xe8\xec\xee" * 256 for _ in range(256))
    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="session")
def tiles() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.route("/tile.png", Answer(blank_tile(), content_type="image/png"))
        yield server


@pytest.fixture(scope="session")
def web_settings(settings: Settings, engine: SearchEngine, tiles: FeedServer) -> Settings:
    return settings.model_copy(
        update={
            "index_prefix": settings.index_prefix + "web-",
            "tile_url": tiles.url("/tile.png?z={z}&x={x}&y={y}"),
            "tile_attribution": "Testkacheln",
        }
    )


@pytest.fixture(scope="session")
def demo_index(web_settings: Settings) -> Iterator[SearchEngine]:
    """A few demo municipalities synced end to end into this session's web index."""
    eng = get_engine(web_settings)
    ensure_indices(eng)
    fleet = FleetServer().start()
    try:
        registry, runner = SourceRegistry(eng), SyncRunner(web_settings, eng)
        for feed in (f for f in demo_feeds() if f.source_id in DEMO_FEEDS):
            registry.create(SourceInput(**feed.registration(fleet.base_url)))
            run = runner.run(feed.source_id, SyncOptions(trigger="test", full=True))
            assert run.counts.created > 0, run
        eng.request("POST", f"/{eng.name(OFFERS)}/_refresh")
        yield eng
    finally:
        fleet.stop()
        drop_prefixed(eng)


@pytest.fixture(scope="session")
def hub_api(
    web_settings: Settings, demo_index: SearchEngine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    vendor_web_libraries()
    sup: Supervisor = supervisor(web_settings, tmp_path_factory.mktemp("web-logs"))
    sup.api()
    yield sup.settings.public_base_url
    sup.stop_all()


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API runs an event loop in this thread until it stops: stop it when the
    browser tests are done, or every later test that runs a loop of its own fails."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    found = playwright.chromium.launch(
        executable_path=str(chromium_executable()), args=CHROMIUM_ARGS
    )
    yield found
    found.close()


class Outside(list[str]):
    """URLs the page tried to reach outside 127.0.0.1 (blocked)."""


def _context(browser: Browser, outside: Outside, **options: object) -> BrowserContext:
    context = browser.new_context(locale="de-DE", **options)  # type: ignore[arg-type]

    def guard(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith("data:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    return context


@pytest.fixture
def outside() -> Outside:
    return Outside()


@pytest.fixture
def page(browser: Browser, outside: Outside) -> Iterator[Page]:
    context = _context(browser, outside, viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()
    assert outside == [], f"requests left 127.0.0.1: {outside}"


@pytest.fixture
def axe_page(browser: Browser, outside: Outside) -> Iterator[Page]:
    """A page whose CSP lets the test inject axe-core (the hub's own CSP forbids inline code)."""
    context = _context(browser, outside, viewport={"width": 1280, "height": 800}, bypass_csp=True)
    yield context.new_page()
    context.close()
    assert outside == [], f"requests left 127.0.0.1: {outside}"
