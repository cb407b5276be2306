"""The citizen page in a real browser: search, facets, map, detail page, keyboard only, looks."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

SCREENSHOTS = [(390, 844), (1280, 800)]


def result_count(page: Page) -> int:
    text = page.locator(".result-count").inner_text()
    return int(re.search(r"\d+", text).group(0)) if re.search(r"\d+", text) else 0  # type: ignore[union-attr]


def test_typing_a_query_and_ticking_a_facet_narrows_the_results(page: Page, hub_api: str) -> None:
    page.goto(f"{hub_api}/?lang=de")
    page.fill("#q", "hebamme")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=hebamme"))
    before = result_count(page)
    assert before > 0
    expect(page.locator("#hits .hit").first).to_be_visible()
    topic = page.locator("#facet-topic input[type=checkbox]").last
    code = topic.get_attribute("value")
    topic.check()
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url(re.compile(rf"topic={code}"))
    expect(page.locator(f"#f-topic-{code}")).to_be_checked()
    assert 0 < result_count(page) <= before


def test_map_shows_clusters_and_a_marker_opens_the_offer(page: Page, hub_api: str) -> None:
    page.goto(f"{hub_api}/?lang=de")
    expect(page.locator("#map .leaflet-marker-icon").first).to_be_visible(timeout=15_000)
    assert page.locator("#map .marker-cluster").count() > 0  # several offers per cell statewide
    page.goto(f"{hub_api}/?lang=de&q=hebammensprechstunde&place=Essen")
    single = page.locator("#map img.leaflet-marker-icon[role=link]").first
    expect(single).to_be_visible(timeout=15_000)
    listed = page.locator("#map-list a").first
    expect(listed).to_have_attribute("href", re.compile(r"^/angebote/"))
    single.click()
    page.wait_for_url(re.compile(r"/angebote/"))
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Zur Seite der Kommune"))).to_be_visible()


def test_keyboard_alone_searches_and_opens_the_first_result(page: Page, hub_api: str) -> None:
    page.goto(f"{hub_api}/?lang=de")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("krabbelgruppe")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=krabbelgruppe"))
    first = page.locator("#hits .hit-title a").first
    href = first.get_attribute("href")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == href:
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == href
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/angebote/"))


def test_focus_is_visible_on_the_search_box(page: Page, hub_api: str) -> None:
    page.goto(f"{hub_api}/?lang=de")
    page.focus("#q")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_screenshots_of_the_search_page(page: Page, hub_api: str) -> None:
    for width, height in SCREENSHOTS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{hub_api}/?lang=de&q=familienhebamme")
        expect(page.locator("#hits .hit").first).to_be_visible()
        page.wait_for_timeout(800)  # the map settles after its first cluster request
        page.screenshot(path=f"/tmp/familienhub-search-{width}x{height}.png")
        page.screenshot(path=f"/tmp/familienhub-search-{width}x{height}-full.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll


def test_arabic_page_is_right_to_left_in_the_browser(page: Page, hub_api: str) -> None:
    page.goto(f"{hub_api}/?lang=ar")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_suggestions_appear_while_typing(page: Page, hub_api: str) -> None:
    page.goto(f"{hub_api}/?lang=de")
    with page.expect_response(lambda r: "/api/v1/suggest?" in r.url):
        page.locator("#q").press_sequentially("krabbel", delay=30)
    options = page.locator("#q-suggestions option")
    expect(options.first).to_have_attribute("value", re.compile("krabbel", re.IGNORECASE))


def test_misspelling_offers_did_you_mean(page: Page, hub_api: str) -> None:
    page.goto(f"{hub_api}/?lang=de&q=hebame")
    expect(page.locator(".did-you-mean a")).to_have_text("hebamme")


def test_paging_moves_to_the_next_page(page: Page, hub_api: str) -> None:
    page.goto(f"{hub_api}/?lang=de")
    first_title = page.locator("#hits .hit-title").first.inner_text()
    page.get_by_role("link", name="Nächste Seite").click()
    expect(page.locator(".paging span")).to_contain_text("Seite 2 von")
    assert page.locator("#hits .hit-title").first.inner_text() != first_title


def test_map_list_alternative_is_operable_by_keyboard(page: Page, hub_api: str) -> None:
    zooms: list[int] = []
    page.on("request", lambda r: zooms.extend(_zoom(r.url)))
    page.goto(f"{hub_api}/?lang=de")
    box = page.locator("#map-list-box")
    expect(box).to_be_visible()
    box.locator("summary").focus()
    page.keyboard.press("Enter")
    button = page.locator("#map-list button").first
    expect(button).to_be_visible(timeout=15_000)
    expect(button).to_have_text(re.compile(r"\d+ Angebote hier – hineinzoomen"))
    before = zooms[-1]
    with page.expect_request(lambda r: "/api/v1/offers/clusters?" in r.url):
        button.focus()
        page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert zooms[-1] > before


def _zoom(url: str) -> list[int]:
    found = re.search(r"/api/v1/offers/clusters\?.*\bzoom=(\d+)", url)
    return [int(found.group(1))] if found else []
