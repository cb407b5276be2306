"""The widget on a municipal portal (another origin): Shadow DOM, no style leaks, own filter."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.feeds import FeedServer, Route

LUEDENSCHEID = "05962032"
HOSTILE_CSS = """
* { color: red !important; font-size: 40px; font-family: serif; }
a { color: red !important; }
button, input { background: black; border: 5px dashed red; }
"""


def host_page(hub: str, lang: str = "de") -> str:
    return f"""<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Portal</title>
<style>{HOSTILE_CSS}</style></head><body><main>
<h1 id="portal-title">Stadtportal</h1><p id="portal-text">Text des Portals</p>
<a id="portal-link" href="#">Portal-Link</a>
<script src="{hub}/widget.js" data-ags="{LUEDENSCHEID}" data-color="#0a6"
 data-lang="{lang}" async></script>
</main></body></html>"""


@pytest.fixture
def portal(hub_api: str) -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.route("/", Route(host_page(hub_api), content_type="text/html; charset=utf-8"))
        yield server


def style(page: Page, selector: str, prop: str) -> str:
    return str(page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{prop}"))


def test_widget_renders_results_of_its_municipality_in_a_shadow_root(
    page: Page, portal: FeedServer
) -> None:
    with page.expect_response(lambda r: "/api/v1/offers?" in r.url) as first:
        page.goto(portal.url("/"))
    answer = first.value
    assert (
        f"ags={LUEDENSCHEID}" in answer.url and answer.headers["access-control-allow-origin"] == "*"
    )
    assert page.evaluate("document.querySelector('.familienhub-widget').shadowRoot !== null")
    hits = page.locator(".familienhub-widget li")
    expect(hits.first).to_be_visible()
    offers = json.loads(answer.text())["hits"]
    assert offers and all(
        LUEDENSCHEID in ([loc.get("ags") for loc in o["locations"]] + o["area_ags"]) for o in offers
    )
    page.locator(".familienhub-widget input").fill("hebamme")
    page.locator(".familienhub-widget button").click()
    expect(page.locator(".familienhub-widget .fh-status")).to_contain_text("Angebot")


def test_portal_css_does_not_reach_into_the_widget(page: Page, portal: FeedServer) -> None:
    page.goto(portal.url("/"))
    expect(page.locator(".familienhub-widget li").first).to_be_visible()
    assert style(page, ".familienhub-widget .fh-title", "color") == "rgb(27, 27, 27)"
    assert style(page, ".familienhub-widget .fh-title", "fontSize") == "20px"
    assert style(page, ".familienhub-widget li a", "color") == "rgb(11, 92, 138)"
    assert style(page, ".familienhub-widget button", "backgroundColor") == "rgb(0, 170, 102)"


def test_widget_css_does_not_change_the_portal(page: Page, portal: FeedServer) -> None:
    page.goto(portal.url("/"))
    expect(page.locator(".familienhub-widget li").first).to_be_visible()
    assert style(page, "#portal-link", "color") == "rgb(255, 0, 0)"
    assert style(page, "#portal-text", "fontSize") == "40px"
    assert style(page, "#portal-title", "fontFamily") == "serif"


def test_iframe_alternative_works_without_javascript(page: Page, hub_api: str) -> None:
    page.context.set_extra_http_headers({})
    page.goto(f"{hub_api}/widget/frame?ags={LUEDENSCHEID}&lang=de&q=hebamme")
    expect(page.locator("#hits .hit").first).to_be_visible()
    expect(page.get_by_role("link", name="Zur Seite der Kommune").first).to_be_visible()
