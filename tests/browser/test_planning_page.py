"""The planners' page in Chromium: the heat map, the map of gaps and no serious or critical
WCAG 2.1 AA violation (axe-core)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import serious_violations

ADMIN = {"Authorization": "Bearer test-admin-token"}


def test_planning_page_with_heat_map_and_gap_map(axe_page: Page, hub_api: str) -> None:
    axe_page.set_extra_http_headers(ADMIN)
    axe_page.goto(f"{hub_api}/planung?gebiet=05962")
    expect(axe_page.locator("table.heat tbody tr").first).to_be_visible()
    expect(axe_page.locator("#gap-map path.leaflet-interactive").first).to_be_visible(
        timeout=15_000
    )
    assert serious_violations(axe_page) == []


def test_planning_page_with_an_error(axe_page: Page, hub_api: str) -> None:
    axe_page.set_extra_http_headers(ADMIN)
    axe_page.goto(f"{hub_api}/planung?gebiet=Atlantis")
    expect(axe_page.locator("[role=alert]")).to_contain_text("kein bekannter Gemeindeschlüssel")
    assert serious_violations(axe_page) == []
