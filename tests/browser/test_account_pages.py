"""Sign-in and the municipality's pages in Chromium: keyboard only, and axe without serious or
critical WCAG 2.1 AA violations; the page with a parent's report and stale offers included."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from hub.accounts.enrolment_links import EnrolmentLinks
from hub.accounts.users import UserStore
from hub.core.settings import Settings
from hub.notify.reports import Report, ReportStore
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import OFFERS
from hub.sources.store import Source, SourceRegistry
from tests.browser.test_accessibility import serious_violations
from tests.hub.cli.test_connector_noise import POSTS, serve_site
from tests.support.accounts import PASSWORD, Person, make_person
from tests.support.feeds import FeedServer


@pytest.fixture(scope="module")
def office(web_settings: Settings, demo_index: SearchEngine) -> Person:
    """A Jugendamt that owns one of the demo sources synced into the web index."""
    engine = get_engine(web_settings)
    owner = make_person(engine, ags="05315000")

    def owned(source: Source) -> None:
        source.organisation_id = owner.org.id

    SourceRegistry(engine).update("koeln", owned)
    return owner


@pytest.fixture
def person(web_settings: Settings, office: Person) -> Person:
    """A colleague of her own per test: the sign-in limit per account stays out of the way."""
    email = f"kollegin-{uuid.uuid4().hex[:8]}@amt.example"
    user = UserStore(get_engine(web_settings)).create(email, PASSWORD, office.org.id)
    return Person(office.org, user)


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches `selector` (fails if it never does)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def sign_in_by_keyboard(page: Page, hub_api: str, person: Person, home: str = "/kommune") -> None:
    page.goto(f"{hub_api}/anmelden")
    tab_to(page, "#email")
    page.keyboard.type(person.user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(person.password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(home) + "$"))


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


def test_a_feed_is_checked_and_activated_by_keyboard_and_both_pages_pass_axe(
    axe_page: Page, hub_api: str, person: Person
) -> None:
    with FeedServer() as feed:
        url = serve_site(feed) + POSTS
        sign_in_by_keyboard(axe_page, hub_api, person)
        axe_page.goto(f"{hub_api}/kommune/quellen/neu")
        tab_to(axe_page, "#url")
        axe_page.keyboard.type(url)
        axe_page.keyboard.press("Enter")
        axe_page.wait_for_url(re.compile(r"/kommune/quellen/pruefen$"))
        expect(axe_page.locator("#preview-offers tbody tr")).to_have_count(3)
        expect(axe_page.locator("#preview-rejections li")).to_have_count(3)
        assert serious_violations(axe_page) == []
        tab_to(axe_page, "#source_id")
        axe_page.keyboard.press("Control+A")
        axe_page.keyboard.type(f"browser-{uuid.uuid4().hex[:6]}")
        axe_page.keyboard.press("Enter")
        axe_page.wait_for_url(re.compile(r"/kommune/quellen/aktivieren$"))
        expect(axe_page.locator("#api-key")).to_contain_text("fh_")
        assert serious_violations(axe_page) == []


def test_the_ministry_page_and_the_sign_up_page_pass_axe(
    axe_page: Page, hub_api: str, web_settings: Settings, demo_index: SearchEngine
) -> None:
    engine = get_engine(web_settings)
    issued = EnrolmentLinks(engine).issue("Jugendamt Axe", ["05315000"], "test", 14)
    axe_page.goto(f"{hub_api}/registrieren/{issued.token}")
    expect(axe_page.locator("h1")).to_contain_text("Jugendamt Axe")
    assert serious_violations(axe_page) == []
    axe_page.context.clear_cookies()
    sign_in_by_keyboard(axe_page, hub_api, make_person(engine, ministry=True), home="/ministerium")
    expect(axe_page.locator("table.data").first).to_be_visible()
    assert serious_violations(axe_page) == []


@pytest.fixture
def parent_report(web_settings: Settings, office: Person) -> Report:
    """A parent's report on an offer of the office's source (the demo's Köln offers are more
    than a year old, so the page lists stale offers too)."""
    engine = get_engine(web_settings)
    body = {"size": 1, "query": {"term": {"source_id": "koeln"}}, "sort": [{"id": "asc"}]}
    [hit] = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    offer = hit["_source"]
    return ReportStore(engine).add(
        Report(
            id=uuid.uuid4().hex,
            offer_id=offer["id"],
            source_id="koeln",
            offer_title=offer["title"],
            offer_url=offer["url"],
            category="kontakt",
            message="Die Telefonnummer stimmt nicht.\n<b>Bitte prüfen</b>",
            contact_email="mutter@example.org",
        )
    )


def test_reports_and_stale_offers_pass_axe_and_erledigt_is_reached_by_keyboard(
    axe_page: Page, hub_api: str, person: Person, parent_report: Report
) -> None:
    sign_in_by_keyboard(axe_page, hub_api, person)
    row = axe_page.locator("#reports tbody tr", has_text=parent_report.offer_title).first
    expect(row).to_contain_text("<b>Bitte prüfen</b>")  # shown as text
    expect(axe_page.locator("#stale-offers tbody tr").first).to_be_visible()
    expect(axe_page.locator("#veraltete-angebote")).to_contain_text(
        "nicht aktualisiert seit mehr als 12 Monaten"
    )
    assert serious_violations(axe_page) == []
    button = f'form[action="/kommune/meldungen/{parent_report.id}/erledigt"] button'
    tab_to(axe_page, button, limit=200)
    expect(axe_page.locator(":focus")).to_contain_text("Erledigt")
    axe_page.keyboard.press("Enter")
    expect(axe_page.get_by_role("status")).to_contain_text("ist erledigt")
    expect(axe_page.locator(button)).to_have_count(0)
    assert serious_violations(axe_page) == []
