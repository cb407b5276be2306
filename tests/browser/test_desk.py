"""The ministry's desk in Chromium: keyboard alone pauses and resumes a source and opens the
coverage table; the desk (with its map) and the audit log pass axe without serious or critical
WCAG 2.1 AA violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from hub.core.settings import Settings
from hub.search.engine import SearchEngine, get_engine
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_account_pages import sign_in_by_keyboard, tab_to
from tests.support.accounts import Person, make_person

SOURCE = "muenster"


@pytest.fixture
def operator(web_settings: Settings, demo_index: SearchEngine) -> Person:
    return make_person(get_engine(web_settings), ministry=True)


def test_keyboard_alone_pauses_and_resumes_a_source(
    page: Page, hub_api: str, operator: Person
) -> None:
    sign_in_by_keyboard(page, hub_api, operator, home="/ministerium")
    tab_to(page, 'a[href="/ministerium/betrieb"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/ministerium/betrieb$"))
    expect(page.locator(f"#quelle-{SOURCE} .health")).to_have_text("frisch")
    expect(page.locator("#coverage-map path.leaflet-interactive").first).to_be_attached()

    tab_to(page, f'form[action$="/{SOURCE}/pausieren"] button', limit=120)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text(f"„{SOURCE}“ ist pausiert")
    expect(page.locator(f"#quelle-{SOURCE} .health")).to_have_text("pausiert")

    tab_to(page, f'form[action$="/{SOURCE}/fortsetzen"] button', limit=120)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("läuft wieder")
    expect(page.locator(f"#quelle-{SOURCE} .health")).to_have_text("frisch")

    tab_to(page, "#coverage-title ~ details summary", limit=200)
    page.keyboard.press("Enter")
    expect(page.locator("#coverage")).to_be_visible()
    expect(page.locator("#coverage tbody tr")).to_have_count(396)


def test_the_desk_and_the_audit_log_pass_axe(
    axe_page: Page, hub_api: str, operator: Person
) -> None:
    sign_in_by_keyboard(axe_page, hub_api, operator, home="/ministerium")
    axe_page.goto(f"{hub_api}/ministerium/betrieb")
    expect(axe_page.locator("#coverage-map path.leaflet-interactive").first).to_be_attached()
    axe_page.locator("#coverage-title ~ details summary").click()
    assert serious_violations(axe_page) == []
    axe_page.goto(f"{hub_api}/ministerium/protokoll")
    expect(axe_page.locator("h1")).to_have_text("Protokoll aller Aktionen")
    assert serious_violations(axe_page) == []
    axe_page.goto(f"{hub_api}/ministerium/protokoll?since=kein-datum")
    expect(axe_page.get_by_role("alert")).to_contain_text("JJJJ-MM-TT")
    assert serious_violations(axe_page) == []
