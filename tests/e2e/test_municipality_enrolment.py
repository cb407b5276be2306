"""A Jugendamt from zero, with the real API and a Celery worker as processes: the ministry
issues a link, the municipality signs up, registers the demo fleet's WordPress-style site,
sees the dry run, activates it; the site breaks, the page shows it and the offers stay; the
site is fixed and the source recovers."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from hub.dev.demo.fleet import DemoFeed, answer, demo_feeds
from hub.dev.processes import Supervisor
from hub.search.engine import SearchEngine
from hub.search.writer import OfferWriter
from hub.sources.runs import RunStatus, RunStore, SyncRun
from hub.sources.store import SourceRegistry, SourceState
from tests.support.accounts import PASSWORD, csrf_of, make_person
from tests.support.stack import wait_for

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
        self.httpd.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[SwitchableSite]:
    feed = next(f for f in demo_feeds() if f.kind == "wordpress")
    server = SwitchableSite(feed)
    yield server
    server.close()


def post(client: httpx.Client, path: str, page: str, **data: str) -> httpx.Response:
    return client.post(path, data={"csrf_token": csrf_of(page), **data})


def latest_run(engine: SearchEngine, source_id: str, after: set[str]) -> SyncRun | None:
    """The newest finished run of the source that is not one of `after`."""
    for run in RunStore(engine).for_source(source_id):
        if run.id not in after and run.status != RunStatus.RUNNING:
            return run
    return None


def test_a_jugendamt_enrols_from_zero_breaks_its_feed_and_recovers(
    stack: Supervisor, engine: SearchEngine, site: SwitchableSite
) -> None:
    base = stack.settings.public_base_url
    ministry = make_person(engine, ministry=True)
    with httpx.Client(base_url=base, timeout=60, trust_env=False) as office:
        signed = post(
            office,
            "/anmelden",
            office.get("/anmelden").text,
            email=ministry.user.email,
            password=ministry.password,
        )
        assert signed.headers["location"] == "/ministerium"
        issued = post(
            office,
            "/ministerium/einladungen",
            office.get("/ministerium").text,
            name=site.feed.name,
            ags=" ".join(site.feed.ags),
        )
        link = re.search(r"/registrieren/[A-Za-z0-9_-]+", issued.text)
        assert link, issued.text

    with httpx.Client(base_url=base, timeout=120, trust_env=False) as amt:
        joined = post(
            amt,
            link.group(0),
            amt.get(link.group(0)).text,
            email="jugendamt@demo.example",
            password=PASSWORD,
            password_repeat=PASSWORD,
        )
        assert joined.headers["location"] == "/kommune/quellen/neu"
        form = amt.get("/kommune/quellen/neu").text
        feed_url = f"{site.base_url}/wp/{site.feed.source_id}/wp-json/wp/v2/posts"
        preview = post(amt, "/kommune/quellen/pruefen", form, url=feed_url)
        assert preview.status_code == 200, preview.text
        assert "Erkannt: <strong>wordpress</strong>" in preview.text
        assert re.search(r"Diese [1-9]\d* Angebote würden veröffentlicht", preview.text)
        source_id = "demo-" + site.feed.source_id
        shown = post(
            amt,
            "/kommune/quellen/aktivieren",
            preview.text,
            source_id=source_id,
            interval="60",
        )
        assert shown.status_code == 200 and "nur jetzt sichtbar" in shown.text

        first = wait_for(
            lambda: latest_run(engine, source_id, set()), timeout=120, what="the first sync"
        )
        assert first.status == RunStatus.SUCCEEDED, first.errors
        offers = OfferWriter(engine).count_of_source(source_id)
        assert offers > 0
        overview = amt.get("/kommune").text
        assert source_id in overview and "aktiv" in overview

        site.broken = True
        page = amt.get(f"/kommune/quellen/{source_id}").text
        post(amt, f"/kommune/quellen/{source_id}/synchronisieren", page)
        broken = wait_for(
            lambda: latest_run(engine, source_id, {first.id}), timeout=120, what="the broken sync"
        )
        assert broken.status == RunStatus.FAILED
        page = amt.get(f"/kommune/quellen/{source_id}").text
        assert "fehlgeschlagen" in page
        reason = SourceRegistry(engine).get(source_id).state_reason
        assert reason and reason in page  # the German reason, on the page
        assert OfferWriter(engine).count_of_source(source_id) == offers  # nothing wiped

        site.broken = False
        post(amt, f"/kommune/quellen/{source_id}/synchronisieren", page)
        fixed = wait_for(
            lambda: latest_run(engine, source_id, {first.id, broken.id}),
            timeout=120,
            what="the recovering sync",
        )
        assert fixed.status == RunStatus.SUCCEEDED, fixed.errors
        recovered = SourceRegistry(engine).get(source_id)
        assert recovered.state == SourceState.ACTIVE and recovered.consecutive_failures == 0
        assert OfferWriter(engine).count_of_source(source_id) == offers
