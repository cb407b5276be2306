"""The search page around a place of residence: the radius field, a distance on every hit and
the marked fallback blocks, server-rendered from the judged corpus under a prefix of its own."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI

from hub.api.app import create_app
from hub.core.settings import Settings
from tests.hub.web.conftest import fetch
from tests.support.own_index import own_index
from tests.support.relevance_corpus import offers

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def corpus_app(services: None, settings: Settings) -> Iterator[FastAPI]:
    with own_index(settings, "nearpage", offers()) as own:
        yield create_app(own)


def _hits(page: str) -> list[str]:
    return re.findall(r'<li class="hit">.*?</li>', page, flags=re.S)


def _links(page: str) -> dict[str, str]:
    """Link text → href of the page's plain links."""
    found = re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)
    return {html.unescape(text): html.unescape(href) for href, text in found}


def test_radius_field_and_a_distance_on_every_hit(corpus_app: FastAPI) -> None:
    page = fetch(corpus_app, "/?place=Altena&lang=de").text
    assert '<label for="km">Umkreis</label>' in page
    assert '<option value="15" selected>bis 15 km</option>' in page
    assert '<option value="50">bis 50 km</option>' in page
    hits = _hits(page)
    assert len(hits) == 10
    for hit in hits:
        assert re.search(
            r'class="distance">\((in Altena, Ihrem Wohnort|(ca\. )?\d+,\d km entfernt)\)', hit
        )
    assert "in Altena, Ihrem Wohnort" in hits[0]
    assert 'class="fallbacks"' not in page


def test_the_chosen_radius_is_sent_and_kept(corpus_app: FastAPI) -> None:
    small = fetch(corpus_app, "/?place=Altena&km=5&lang=de").text
    large = fetch(corpus_app, "/?place=Altena&km=50&lang=de").text
    assert '<option value="50" selected>' in large

    def count(page: str) -> int:
        return int(re.search(r"(\d+) Angebote", page).group(1))  # type: ignore[union-attr]

    assert count(small) < count(large)


@pytest.mark.parametrize("km", ["0", "500", "abc"])
def test_a_bad_radius_is_a_german_message_at_the_field(corpus_app: FastAPI, km: str) -> None:
    response = fetch(corpus_app, f"/?place=Altena&km={km}&lang=de")
    assert response.status_code == 200
    assert "Bitte wählen Sie einen Umkreis zwischen 1 und 100 km." in response.text
    assert 'id="km" name="km" aria-invalid="true"' in response.text


def test_no_hits_show_marked_fallbacks_with_links(corpus_app: FastAPI) -> None:
    page = fetch(corpus_app, "/?q=quokkaxylophon&place=Altena&lang=de").text
    assert "Zu Ihrer Suche haben wir nichts oder nur sehr wenig gefunden." in page
    assert re.search(r"Ohne Suchbegriff: \d+ Angebote", page)
    assert "Allgemeine Beratung des Jugendamts für Altena" in page
    href = _links(page)["Suche ohne Suchbegriff anzeigen"]
    query = parse_qs(urlsplit(href).query)
    assert "q" not in query and query["place"] == ["Altena"]
    block = page.split("Allgemeine Beratung des Jugendamts für Altena", 1)[1]
    assert re.search(r"\d+,\d km entfernt", block)
    assert len(set(re.findall(r'id="([^"]+)"', page))) == len(re.findall(r'id="', page))


def test_few_hits_offer_a_larger_radius_that_applies(corpus_app: FastAPI) -> None:
    page = fetch(corpus_app, "/?place=Altena&km=5&topic=hebammen&lang=de").text
    assert re.search(r"Dasselbe im Umkreis von 25 km: \d+ Angebote", page)
    assert re.search(r"Ohne Themen-Filter: \d+ Angebote", page)
    href = _links(page)["Umkreis auf 25 km erweitern"]
    query = parse_qs(urlsplit(href).query)
    assert query["km"] == ["25"] and query["topic"] == ["hebammen"]
    widened = fetch(corpus_app, href).text
    assert "Dasselbe im Umkreis" not in widened and len(_hits(widened)) >= 3


def test_fallback_headings_are_translated(corpus_app: FastAPI) -> None:
    page = fetch(corpus_app, "/?q=quokkaxylophon&place=Altena&lang=en").text
    assert "General counselling of the youth welfare office for Altena" in page
    assert "Allgemeine Beratung" not in page
