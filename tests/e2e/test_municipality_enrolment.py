"""A Jugendamt from zero with its real WordPress, the real API and a Celery worker as processes.

The ministry issues a link, the municipality signs up through the pages and registers its
site's address (Debian's WordPress with municipal posts, tests/support/wordpress.py, behind a
reverse proxy as a web server would be). The hub detects WordPress, the dry run lists the posts
with what it extracted from them, and the first sync publishes exactly those. Then an editor
switches on a maintenance plugin: every address answers its HTML page. The municipality's page
shows the failed run with its German reason while the offers stay searchable; maintenance is
switched off, "Jetzt synchronisieren" on the page succeeds and the source is healthy again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup, Tag

from hub.dev.processes import Supervisor
from hub.search.engine import SearchEngine
from hub.search.writer import OfferWriter
from hub.sources.runs import RunStatus, RunStore, SyncRun
from hub.sources.store import SourceRegistry, SourceState
from tests.support.accounts import PASSWORD, csrf_of, make_person
from tests.support.proxy import Maintenance, SwitchableProxy
from tests.support.stack import wait_for
from tests.support.wordpress import WordPressSite, running_wordpress

AGS = "05711000"  # Bielefeld: the seeded posts speak of its places
SOURCE = "bielefeld-fruehe-hilfen"
# posts of the seeded site that are not offers: WordPress' sample post and a job advert
NOT_OFFERS = ("hallo-welt", "stellenausschreibung")


@pytest.fixture(scope="module")
def proxy() -> Iterator[SwitchableProxy]:
    with SwitchableProxy() as server:
        yield server


@pytest.fixture(scope="module")
def wordpress(proxy: SwitchableProxy) -> Iterator[WordPressSite]:
    """WordPress served at the proxy's address: its links point there, as on a real site."""
    with running_wordpress(public_url=proxy.url) as site:
        proxy.upstream = site.url
        yield site


def post(client: httpx.Client, path: str, page: str, **data: str) -> httpx.Response:
    return client.post(path, data={"csrf_token": csrf_of(page), **data})


def latest_run(engine: SearchEngine, source_id: str, after: set[str]) -> SyncRun | None:
    """The newest finished run of the source that is not one of `after`."""
    for run in RunStore(engine).for_source(source_id):
        if run.id not in after and run.status != RunStatus.RUNNING:
            return run
    return None


def cells(row: Tag) -> list[str]:
    return [cell.get_text(" ", strip=True) for cell in row.find_all("td")]


def preview_rows(html: str) -> dict[str, dict[str, str]]:
    """The dry run's offers by URL: title and the fields read from the text."""
    table = BeautifulSoup(html, "html.parser").find("table", id="preview-offers")
    assert isinstance(table, Tag), html
    rows = {}
    for row in table.find_all("tr")[1:]:
        link = row.find("a")
        assert isinstance(link, Tag)
        texts = cells(row)
        rows[str(link["href"])] = {"title": texts[0], "age": texts[3], "cost": texts[4]}
        rows[str(link["href"])]["extracted"] = texts[7]
    return rows


def preview_rejections(html: str) -> dict[str, str]:
    """The dry run's rejected posts: local id → German reason."""
    listing = BeautifulSoup(html, "html.parser").find("ul", id="preview-rejections")
    assert isinstance(listing, Tag), html
    found = {}
    for item in listing.find_all("li"):
        local_id, _, reason = item.get_text(" ", strip=True).partition(":")
        found[local_id.strip()] = reason.strip()
    return found


def status_of(html: str) -> tuple[dict[str, str], list[str]]:
    """The source page's facts (Zustand, Grund, Angebote in der Suche, …) and its newest run."""
    soup = BeautifulSoup(html, "html.parser")
    facts = soup.find("dl", id="status")
    assert isinstance(facts, Tag), html
    pairs = {
        dt.get_text(strip=True): dd.get_text(" ", strip=True)
        for dt, dd in zip(facts.find_all("dt"), facts.find_all("dd"), strict=True)
    }
    runs = soup.find("table", id="runs")
    assert isinstance(runs, Tag), html
    newest = runs.find_all("tr")[1]
    assert isinstance(newest, Tag)
    return pairs, cells(newest)


def published(api: httpx.Client, source_id: str) -> dict[str, dict[str, Any]]:
    """The source's offers as the citizens' API serves them, by URL."""
    listed = api.get("/api/v1/offers", params={"ags": AGS, "size": 100})
    assert listed.status_code == 200, listed.text
    offers = {}
    for hit in listed.json()["hits"]:
        if hit["source_id"] == source_id:
            detail = api.get(f"/api/v1/offers/{source_id}:{hit['local_id']}")
            assert detail.status_code == 200, detail.text
            offers[detail.json()["url"]] = detail.json()
    return offers


def test_the_proxy_passes_the_rest_api_through_unchanged(
    wordpress: WordPressSite, proxy: SwitchableProxy
) -> None:
    """What the hub reads through the proxy is what WordPress answers (pagination included)."""
    page = "/wp-json/wp/v2/posts?per_page=2&page=2&orderby=id&order=asc&_embed=wp:term"
    with httpx.Client(timeout=30, trust_env=False) as client:
        direct, through = client.get(wordpress.url + page), client.get(proxy.url + page)
    assert through.status_code == direct.status_code == 200
    assert through.content == direct.content
    for header in ("x-wp-total", "x-wp-totalpages", "content-type", "link"):
        assert through.headers.get(header) == direct.headers.get(header), header
    assert int(through.headers["x-wp-totalpages"]) > 2


def test_a_jugendamt_registers_its_wordpress_the_site_breaks_and_recovers(
    stack: Supervisor,
    engine: SearchEngine,
    api: httpx.Client,
    wordpress: WordPressSite,
    proxy: SwitchableProxy,
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
            name="Jugendamt Bielefeld",
            ags=AGS,
        )
        link = re.search(r"/registrieren/[A-Za-z0-9_-]+", issued.text)
        assert link, issued.text

    with httpx.Client(base_url=base, timeout=120, trust_env=False) as amt:
        joined = post(
            amt,
            link.group(0),
            amt.get(link.group(0)).text,
            email="fruehe-hilfen@bielefeld.example",
            password=PASSWORD,
            password_repeat=PASSWORD,
        )
        assert joined.headers["location"] == "/kommune/quellen/neu"

        # the site's address, as the municipality knows it: the hub finds the REST API itself
        form = amt.get("/kommune/quellen/neu").text
        preview = post(amt, "/kommune/quellen/pruefen", form, url=proxy.url + "/")
        assert preview.status_code == 200, preview.text
        assert "Erkannt: <strong>wordpress</strong>" in preview.text
        rows = preview_rows(preview.text)
        assert f"Diese {len(rows)} Angebote würden veröffentlicht" in preview.text
        assert any(row["age"] != "—" and row["cost"] != "—" for row in rows.values()), rows
        rejected = preview_rejections(preview.text)
        for key in NOT_OFFERS:
            assert rejected.get(str(wordpress.post_id(key))), (key, rejected)

        shown = post(
            amt, "/kommune/quellen/aktivieren", preview.text, source_id=SOURCE, interval="60"
        )
        assert shown.status_code == 200 and "nur jetzt sichtbar" in shown.text

        first = wait_for(
            lambda: latest_run(engine, SOURCE, set()), timeout=120, what="the first sync"
        )
        assert first.status == RunStatus.SUCCEEDED, first.errors
        # the dry run showed what the sync published: the same posts, the same fields read
        offers = published(api, SOURCE)
        assert {url: row["title"] for url, row in rows.items()} == {
            url: offer["title"] for url, offer in offers.items()
        }
        for url, offer in offers.items():
            assert rows[url]["extracted"] == (", ".join(offer["extracted"]) or "—"), url
        assert {str(wordpress.post_id(key)) for key in NOT_OFFERS} <= {
            r.local_id for r in first.rejections
        }
        assert all(url.startswith(proxy.url + "/") for url in offers)  # the public address
        count = OfferWriter(engine).count_of_source(SOURCE)
        assert count == len(rows) > 0
        facts, newest = status_of(amt.get(f"/kommune/quellen/{SOURCE}").text)
        assert (facts["Zustand"], newest[1]) == ("aktiv", "erfolgreich")
        assert "Grund" not in facts
        assert any("/wp-json/wp/v2/posts" in e.path for e in proxy.exchanges)

        proxy.maintenance = Maintenance()  # a maintenance plugin: its page on every address
        page = amt.get(f"/kommune/quellen/{SOURCE}").text
        asked = post(amt, f"/kommune/quellen/{SOURCE}/synchronisieren", page)
        assert "Die Synchronisierung ist angestoßen" in asked.text
        broken = wait_for(
            lambda: latest_run(engine, SOURCE, {first.id}), timeout=120, what="the broken sync"
        )
        assert broken.status == RunStatus.FAILED
        reason = broken.errors[0]["message_de"]
        assert "HTML statt JSON" in reason
        assert SourceRegistry(engine).get(SOURCE).state_reason == reason
        facts, newest = status_of(amt.get(f"/kommune/quellen/{SOURCE}").text)
        assert (newest[1], newest[-1]) == ("fehlgeschlagen", reason)
        assert facts["Grund"] == reason
        assert facts["Angebote in der Suche"] == str(count)
        assert OfferWriter(engine).count_of_source(SOURCE) == count  # nothing wiped
        assert set(published(api, SOURCE)) == set(offers)  # still found by the citizens

        proxy.maintenance = None
        page = amt.get(f"/kommune/quellen/{SOURCE}").text
        post(amt, f"/kommune/quellen/{SOURCE}/synchronisieren", page)
        fixed = wait_for(
            lambda: latest_run(engine, SOURCE, {first.id, broken.id}),
            timeout=120,
            what="the recovering sync",
        )
        assert fixed.status == RunStatus.SUCCEEDED, fixed.errors
        assert (fixed.counts.unchanged, fixed.counts.deleted) == (count, 0)
        recovered = SourceRegistry(engine).get(SOURCE)
        assert recovered.state == SourceState.ACTIVE and recovered.consecutive_failures == 0
        facts, newest = status_of(amt.get(f"/kommune/quellen/{SOURCE}").text)
        assert (facts["Zustand"], newest[1]) == ("aktiv", "erfolgreich")
        assert "Grund" not in facts
        assert OfferWriter(engine).count_of_source(SOURCE) == count
