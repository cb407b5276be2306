"""axe-core in the browser: no serious or critical WCAG 2.1 AA violation on any public surface."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_source
from tests.browser.test_widget import host_page
from tests.support.feeds import FeedServer, Route

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(content=axe_source())
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations', 'passes']})",
        TAGS,
    )
    assert len(result["passes"]) > 10, "axe did not run its rules"
    found = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in found
    ]


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_search_page_with_results_and_map(axe_page: Page, hub_api: str, lang: str) -> None:
    axe_page.goto(f"{hub_api}/?lang={lang}&q=hebamme")
    expect(axe_page.locator("#hits .hit").first).to_be_visible()
    expect(axe_page.locator("#map .leaflet-marker-icon").first).to_be_visible(timeout=15_000)
    axe_page.locator("#filters summary").click()
    assert serious_violations(axe_page) == []


def test_search_page_with_an_error(axe_page: Page, hub_api: str) -> None:
    axe_page.goto(f"{hub_api}/?lang=de&place=Atlantis&age=x")
    expect(axe_page.locator("#error-summary")).to_be_focused()
    assert serious_violations(axe_page) == []


def test_detail_page(axe_page: Page, hub_api: str) -> None:
    axe_page.goto(f"{hub_api}/?lang=de&q=geburtsvorbereitung")
    axe_page.locator("#hits .hit-title a").first.click()
    axe_page.wait_for_url(re.compile(r"/angebote/"))
    assert serious_violations(axe_page) == []


def test_widget_on_a_portal(axe_page: Page, hub_api: str) -> None:
    with FeedServer() as portal:
        portal.route("/", Route(host_page(hub_api), content_type="text/html; charset=utf-8"))
        axe_page.goto(portal.url("/"))
        expect(axe_page.locator(".familienhub-widget li").first).to_be_visible()
        assert serious_violations(axe_page) == []


def test_widget_frame(axe_page: Page, hub_api: str) -> None:
    axe_page.goto(f"{hub_api}/widget/frame?ags=05962032&lang=de")
    expect(axe_page.locator("#hits .hit").first).to_be_visible()
    assert serious_violations(axe_page) == []


def test_search_page_with_radius_and_fallbacks(axe_page: Page, hub_api: str) -> None:
    axe_page.goto(f"{hub_api}/?lang=de&q=quokkaxylophon&place=L%C3%BCdenscheid&km=10")
    expect(axe_page.locator("#km")).to_have_value("10")
    expect(axe_page.locator(".fallbacks .fallback").first).to_be_visible()
    assert serious_violations(axe_page) == []


def _tab_to(page: Page, selector: str, presses: int = 120) -> None:
    """Press Tab until `selector` has the focus (keyboard only, no clicks)."""
    target = page.locator(selector)
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} is not reachable with the keyboard")


def test_report_form_by_keyboard_with_refusal_and_thanks(axe_page: Page, hub_api: str) -> None:
    """ "Fehler melden" on an offer page, used with the keyboard only: a too quick post comes
    back with the German reason and the text kept, the next one is thanked; axe on each state."""
    axe_page.goto(f"{hub_api}/?lang=de&q=geburtsvorbereitung")
    axe_page.locator("#hits .hit-title a").first.click()
    axe_page.wait_for_url(re.compile(r"/angebote/"))
    _tab_to(axe_page, "#report-zeiten")
    axe_page.keyboard.press("ArrowDown")  # within the radio group: the next choice
    expect(axe_page.locator("#report-ort")).to_be_checked()
    axe_page.keyboard.press("Tab")
    expect(axe_page.locator("#report-message")).to_be_focused()
    axe_page.keyboard.type("Der Kurs findet im Gemeindehaus statt, nicht im Rathaus.")
    axe_page.keyboard.press("Tab")
    expect(axe_page.locator("#report-contact")).to_be_focused()
    axe_page.keyboard.type("mutter@example.org")
    axe_page.keyboard.press("Tab")  # the honeypot (tabindex -1) is skipped
    expect(axe_page.locator(".report-form button[type=submit]")).to_be_focused()
    axe_page.keyboard.press("Enter")  # at once: too quick for a person
    expect(axe_page.locator("#report-error")).to_contain_text("zu schnell")
    expect(axe_page.locator("#report-message")).to_have_value(re.compile("Gemeindehaus"))
    assert serious_violations(axe_page) == []

    axe_page.wait_for_timeout(3500)  # HUB_REPORT_MIN_SECONDS (3) after the form came back
    _tab_to(axe_page, ".report-form button[type=submit]")
    axe_page.keyboard.press("Enter")
    axe_page.wait_for_url(re.compile(r"gemeldet=1"))
    expect(axe_page.locator(".notice-success")).to_contain_text("Danke")
    assert serious_violations(axe_page) == []
