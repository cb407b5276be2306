"""Sign-in and the municipality's pages in Chromium: keyboard only, and axe without serious or
critical WCAG 2.1 AA violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from hub.core.settings import Settings
from hub.search.engine import SearchEngine, get_engine
from hub.sources.store import Source, SourceRegistry
from tests.browser.test_accessibility import serious_violations
from tests.support.accounts import Person, make_person


@pytest.fixture(scope="module")
def person(web_settings: Settings, demo_index: SearchEngine) -> Person:
    """A Jugendamt that owns one of the demo sources synced into the web index."""
    engine = get_engine(web_settings)
    owner = make_person(engine, ags="05315000")

    def owned(source: Source) -> None:
        source.organisation_id = owner.org.id

    SourceRegistry(engine).update("koeln", owned)
    return owner


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches `selector` (fails if it never does)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def sign_in_by_keyboard(page: Page, hub_api: str, person: Person) -> None:
    page.goto(f"{hub_api}/anmelden")
    tab_to(page, "#email")
    page.keyboard.type(person.user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(person.password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/kommune$"))


def test_keyboard_alone_signs_in_opens_a_source_and_asks_for_a_sync(
    page: Page, hub_api: str, person: Person
) -> None:
    sign_in_by_keyboard(page, hub_api, person)
    expect(page.locator("h1")).to_have_text(person.org.name)
    tab_to(page, 'a[href="/kommune/quellen/koeln"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/kommune/quellen/koeln$"))
    expect(page.locator("#runs")).to_be_visible()
    tab_to(page, "button.primary")
    expect(page.locator(":focus")).to_have_text("Jetzt synchronisieren")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Die Synchronisierung ist angestoßen")
    tab_to(page, "button.sign-out")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/anmelden"))
    page.goto(f"{hub_api}/kommune")
    page.wait_for_url(re.compile(r"/anmelden$"))


def test_a_wrong_password_says_so_in_german(page: Page, hub_api: str, person: Person) -> None:
    page.goto(f"{hub_api}/anmelden")
    page.fill("#email", person.user.email)
    page.fill("#password", "ganz-falsches-passwort")
    page.press("#password", "Enter")
    expect(page.get_by_role("alert")).to_contain_text("E-Mail-Adresse oder Passwort sind falsch.")


@pytest.mark.parametrize("path", ["/anmelden", "/passwort-vergessen"])
def test_public_account_pages_pass_axe(axe_page: Page, hub_api: str, path: str) -> None:
    axe_page.goto(f"{hub_api}{path}")
    assert serious_violations(axe_page) == []


@pytest.mark.parametrize("path", ["/kommune", "/kommune/quellen/koeln", "/kommune/quellen/neu"])
def test_the_municipalitys_pages_pass_axe(
    axe_page: Page, hub_api: str, person: Person, path: str
) -> None:
    sign_in_by_keyboard(axe_page, hub_api, person)
    axe_page.goto(f"{hub_api}{path}")
    assert serious_violations(axe_page) == []
