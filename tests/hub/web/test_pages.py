"""Citizen pages, map clusters and widget on the real engine, read as plain HTML (no JS)."""

from __future__ import annotations

import asyncio
import json
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from hub.core.schema import Offer
from hub.web.search_form import api_params, parse_form
from tests.hub.web.conftest import TOKEN, fetch

ALL_PARAMS = frozenset(
    {
        "q",
        "size",
        "page",
        "ags",
        "place",
        "topic",
        "age_months",
        "pregnancy",
        "kind",
        "language",
        "online",
        "sort",
    }
)


class Links(HTMLParser):
    """Collects <a> attributes and JSON-LD blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.jsonld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "a":
            self.links.append(found)
        self._in_ld = tag == "script" and found.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.jsonld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_ld = False


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def test_search_page_lists_offers_with_a_link_to_the_municipality(
    app: FastAPI, offers: list[Offer]
) -> None:
    page = fetch(app, f"/?q={TOKEN}&lang=de")
    assert page.status_code == 200
    assert '<html lang="de" dir="ltr">' in page.text
    source_links = [a for a in parse(page.text).links if a.get("href") == str(offers[0].url)]
    assert source_links and source_links[0]["rel"] == "noopener"
    assert "Zur Seite der Kommune" in page.text
    assert f"/angebote/{offers[0].id}?lang=de" in page.text
    assert "2 Angebote gefunden" in page.text


def test_pages_allow_only_self_and_the_tile_host(app: FastAPI, offers: list[Offer]) -> None:
    csp = fetch(app, "/").headers["content-security-policy"]
    sources = set(re.findall(r"https?://[^\s;]+", csp))
    assert sources == {"https://sgx.geodatenzentrum.de"}
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp


def test_unknown_place_is_an_error_message_at_the_field(app: FastAPI) -> None:
    page = fetch(app, "/?place=Atlantis&lang=de")
    assert page.status_code == 200
    assert "Den Ort „Atlantis“ kennen wir in NRW nicht" in page.text
    assert 'aria-invalid="true"' in page.text and 'href="#place"' in page.text


def test_age_in_years_becomes_months_and_pregnancy_a_filter() -> None:
    form = parse_form([("age", "2"), ("age_unit", "y"), ("pregnancy", "1"), ("topic", "hebammen")])
    params = api_params(form, ALL_PARAMS)
    assert ("age_months", "24") in params and ("pregnancy", "true") in params
    assert ("topic", "hebammen") in params


def test_place_goes_to_the_api_as_ags_when_it_knows_no_place_parameter() -> None:
    form = parse_form([("place", "Köln")])
    assert api_params(form, ALL_PARAMS - {"place"})[-1] == ("ags", "05315000")
    assert ("place", "Köln") in api_params(form, ALL_PARAMS)


def test_filters_the_api_does_not_accept_are_never_sent() -> None:
    form = parse_form([("q", "x"), ("kind", "kurs"), ("cost", "free")])
    assert api_params(form, frozenset({"q", "size", "page"})) == [
        ("size", "10"),
        ("page", "1"),
        ("q", "x"),
    ]


def test_facets_show_counts_as_checkbox_groups(app: FastAPI, offers: list[Offer]) -> None:
    page = fetch(app, f"/?q={TOKEN}&lang=de&topic=hebammen")
    assert "<legend>Themen</legend>" in page.text
    assert re.search(r'name="topic" value="hebammen" checked', page.text)
    assert "1 Angebot gefunden" in page.text


def test_detail_page_has_all_fields_and_event_jsonld(app: FastAPI, offers: list[Offer]) -> None:
    page = fetch(app, f"/angebote/{quote(offers[0].id)}?lang=de")
    assert page.status_code == 200
    for text in (
        "Familienbildung Köln",
        "Domstraße 1",
        "Kostenlos",
        "Rollstuhlgerecht",
        "Türkisch",
        "Mo., 04.05.2099, 18:00 Uhr",
        "Zur Seite der Kommune",
    ):
        assert text in page.text
    (block,) = parse(page.text).jsonld
    data = json.loads(block)
    assert data["@type"] == "Event"
    assert data["eventSchedule"][0]["startDate"].startswith("2099-05-04T18:00")
    assert data["organizer"]["name"] == "Familienbildung Köln"
    assert data["inLanguage"] == ["de", "tr"] and data["isAccessibleForFree"] is True
    assert data["areaServed"][0]["name"] == "Köln"


def test_jsonld_cannot_break_out_of_its_script_element(app: FastAPI, offers: list[Offer]) -> None:
    page = fetch(app, f"/angebote/{quote(offers[0].id)}")
    assert "<script>alert(1)" not in page.text
    assert json.loads(parse(page.text).jsonld[0])["description"]


def test_offer_without_dates_is_a_service_with_provider(app: FastAPI, offers: list[Offer]) -> None:
    page = fetch(app, f"/angebote/{quote(offers[1].id)}?lang=en")
    data = json.loads(parse(page.text).jsonld[0])
    assert data["@type"] == "Service"
    assert data["provider"] == {"@type": "Organization", "name": "Familienzentrum Essen"}
    assert "6 months to 3 years" in page.text


DD = re.compile(r"<dd>(.*?)</dd>", re.S)


def test_facts_read_from_the_text_are_marked_as_such(app: FastAPI, offers: list[Offer]) -> None:
    extracted = fetch(app, f"/angebote/{quote(offers[1].id)}?lang=de")
    given = fetch(app, f"/angebote/{quote(offers[0].id)}?lang=de")

    facts = [" ".join(re.sub(r"<[^>]+>", " ", dd).split()) for dd in DD.findall(extracted.text)]
    assert [f for f in facts if "aus dem Text erkannt" in f] == [
        "6 Monate bis 3 Jahre (aus dem Text erkannt)"
    ]
    assert "verbindlich ist die Seite der Kommune" in extracted.text
    assert "aus dem Text erkannt" not in given.text


def test_missing_offer_is_a_404_page(app: FastAPI) -> None:
    page = fetch(app, "/angebote/nope:nothing?lang=de")
    assert page.status_code == 404
    assert "Angebot nicht gefunden" in page.text


def test_arabic_renders_right_to_left(app: FastAPI, offers: list[Offer]) -> None:
    page = fetch(app, f"/?q={TOKEN}&lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.text


def test_clusters_answer_for_a_bbox_and_the_search_filters(
    app: FastAPI, offers: list[Offer]
) -> None:
    answer = fetch(app, f"/api/v1/offers/clusters?bbox=5.8,50.3,9.5,52.6&zoom=12&q={TOKEN}")
    assert answer.status_code == 200
    ids = sorted(c["offer_id"] for c in answer.json())
    assert ids == sorted(o.id for o in offers)
    filtered = fetch(
        app, f"/api/v1/offers/clusters?bbox=5.8,50.3,9.5,52.6&zoom=12&q={TOKEN}&topic=hebammen"
    )
    assert [c["offer_id"] for c in filtered.json()] == [offers[0].id]


@pytest.mark.parametrize("bbox", ["1,2,3", "9,50,6,52", "x,y,z,w"])
def test_clusters_refuse_a_malformed_bbox(app: FastAPI, bbox: str) -> None:
    assert fetch(app, f"/api/v1/offers/clusters?bbox={bbox}&zoom=7").status_code == 422


def test_public_reads_allow_any_origin_other_routes_do_not(
    app: FastAPI, offers: list[Offer]
) -> None:
    search = fetch(app, f"/api/v1/offers?q={TOKEN}", origin="https://www.portal.example")
    assert search.headers["access-control-allow-origin"] == "*"
    health = fetch(app, "/healthz", origin="https://www.portal.example")
    assert "access-control-allow-origin" not in health.headers


def test_a_preflight_of_a_public_read_is_answered_and_a_write_gets_no_cors(app: FastAPI) -> None:
    async def go() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            origin = {"origin": "https://www.portal.example"}
            preflight = await client.options("/api/v1/offers", headers=origin)
            write = await client.post("/api/v1/offers", headers=origin)
            return preflight, write

    preflight, write = asyncio.run(go())
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD"
    assert "access-control-allow-origin" not in write.headers


def test_widget_script_carries_every_language(app: FastAPI) -> None:
    script = fetch(app, "/widget.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "/*MESSAGES*/{}" not in script.text
    assert "Angebote in Ihrer Kommune suchen" in script.text and "attachShadow" in script.text


def test_widget_frame_is_filtered_to_the_municipality_and_embeddable(
    app: FastAPI, offers: list[Offer]
) -> None:
    frame = fetch(app, f"/widget/frame?ags=05113000&q={TOKEN}&lang=de&color=%230a6")
    assert "frame-ancestors *" in frame.headers["content-security-policy"]
    assert "Krabbelgruppe" in frame.text and "Geburtsvorbereitung" not in frame.text
    assert "/widget/theme.css?color=%230a6" in frame.text
    theme = fetch(app, "/widget/theme.css?color=%230a6")
    assert "--fh-accent: #0a6" in theme.text


def test_place_of_residence_shows_distances(app: FastAPI, offers: list[Offer]) -> None:
    page = fetch(app, f"/?q={TOKEN}&place=Köln&lang=de")
    assert "Gefunden: Köln" in page.text
    assert re.search(r"\d+,\d km entfernt", page.text)


def test_clusters_take_the_place_filter_of_the_search(app: FastAPI, offers: list[Offer]) -> None:
    base = f"/api/v1/offers/clusters?bbox=5.8,50.3,9.5,52.6&zoom=12&q={TOKEN}"
    assert [c["offer_id"] for c in fetch(app, base + "&place=Essen").json()] == [offers[1].id]
    assert fetch(app, base + "&place=Atlantis").status_code in (400, 422)


def test_page_script_learns_the_suggestion_and_cluster_endpoints(app: FastAPI) -> None:
    page = fetch(app, "/?lang=de")
    found = re.search(r'data-config="([^"]*)"', page.text)
    assert found
    config = json.loads(unescape(found.group(1)))
    assert config["suggestUrl"] == "/api/v1/suggest"
    assert config["clusterUrl"] == "/api/v1/offers/clusters"
