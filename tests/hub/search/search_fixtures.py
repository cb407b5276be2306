"""A small offer index on the real engine for the search tests (analysis, facets, distance)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hub.core.schema import Offer
from hub.ingest.normalise import normalise_record
from hub.search.analysis import offer_index_body
from hub.search.documents import search_document
from hub.search.engine import SearchEngine

ESSEN = ("05113000", "Essen", "45127", 51.4556, 7.0116)
KOELN = ("05315000", "Köln", "50667", 50.9375, 6.9603)
DORTMUND = ("05913000", "Dortmund", "44135", 51.5136, 7.4653)
BONN = ("05314000", "Bonn", "53111", 50.7374, 7.0982)
MUENSTER = ("05515000", "Münster", "48143", 51.9607, 7.6261)
BOCHUM = ("05911000", "Bochum", "44787", 51.4818, 7.2162)

RECORDS: list[tuple[str, dict[str, Any], tuple[str, str, str, float, float] | None]] = [
    (
        "familienhebamme",
        {
            "title": "Familienhebamme – Besuche zu Hause",
            "summary": "Eine Hebamme besucht Familien im ersten Lebensjahr.",
            "topics": ["hebammen"],
            "languages": ["de", "tr"],
            "age_min_months": 0,
            "age_max_months": 12,
        },
        ESSEN,
    ),
    (
        "elterncafe",
        {
            "title": "Elterncafé am Vormittag",
            "summary": "Kaffee, Tee und Gespräche.",
            "topics": ["begegnung"],
            "languages": ["de", "tr"],
            "kind": "treffpunkt",
        },
        KOELN,
    ),
    (
        "eltern-cafe",
        {
            "title": "Eltern-Café Nordstadt",
            "summary": "Offener Treff für Eltern.",
            "topics": ["begegnung"],
            "languages": ["de", "ar"],
            "kind": "treffpunkt",
        },
        DORTMUND,
    ),
    (
        "kindertagesstaette",
        {
            "title": "Kindertagesstätte Sonnenschein",
            "summary": "Plätze für Kinder ab einem Jahr.",
            "topics": ["betreuung"],
            "age_min_months": 12,
            "age_max_months": 72,
        },
        DORTMUND,
    ),
    (
        "kita-platz",
        {
            "title": "Kita-Platz finden",
            "summary": "Beratung zur Anmeldung.",
            "topics": ["betreuung"],
        },
        BONN,
    ),
    (
        "rueckbildung",
        {
            "title": "Rückbildungsgymnastik",
            "summary": "Kurs nach der Geburt.",
            "topics": ["schwangerschaft_geburt"],
            "pregnancy": True,
            "kind": "kurs",
        },
        MUENSTER,
    ),
    (
        "kindertagespflege",
        {
            "title": "Kindertagespflege – Beratung und Vermittlung",
            "summary": "Wir vermitteln Tagespflegepersonen.",
            "topics": ["betreuung"],
        },
        BOCHUM,
    ),
    (
        "online-still",
        {
            "title": "Stillberatung per Video",
            "summary": "Beratung rund ums Stillen.",
            "topics": ["gesundheit_ernaehrung"],
            "kind": "online",
            "online": True,
        },
        None,
    ),
    (
        "babymassage",
        {
            "title": "Babymassage-Kurs",
            "summary": "Sanfte Massage für Babys.",
            "topics": ["entwicklung_foerderung"],
            "languages": ["de", "en"],
            "age_min_months": 1,
            "age_max_months": 8,
        },
        ESSEN,
    ),
]


def corpus() -> list[Offer]:
    """The test offers, normalised like feed records (source: Essen's youth office)."""
    offers = []
    for local_id, fields, where in RECORDS:
        mapped: dict[str, Any] = {
            "url": f"https://www.example-kommune.de/angebote/{local_id}",
            "updated_at": "2026-01-15T10:00:00+01:00",
            "description": f"{fields['summary']} Weitere Informationen beim Jugendamt.",
            **fields,
        }
        if where:
            ags, city, postcode, lat, lon = where
            mapped["locations"] = [{"name": "Familienzentrum", "street": "Hauptstraße 1",
                                    "postcode": postcode, "city": city, "ags": ags,
                                    "lat": lat, "lon": lon}]  # fmt: skip
        result = normalise_record("test-essen", local_id, mapped, source_ags=[ESSEN[0]])
        assert result.offer is not None, result.rejection
        offers.append(result.offer)
    return offers


@contextmanager
def offer_index(engine: SearchEngine) -> Iterator[str]:
    """A fresh index from `mappings/` holding the test offers; deleted afterwards."""
    name = engine.name(f"search-test-{uuid.uuid4().hex[:8]}")
    engine.request("PUT", f"/{name}", offer_index_body(0))
    try:
        for offer in corpus():
            engine.request("PUT", f"/{name}/_doc/{offer.id}", search_document(offer))
        engine.request("POST", f"/{name}/_refresh")
        yield name
    finally:
        engine.request("DELETE", f"/{name}")
