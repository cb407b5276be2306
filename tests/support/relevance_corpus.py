"""The judged 400-offer corpus (tests/data/relevance) as offers and engine documents, with a
great-circle distance computed independently of the engine, for the place and radius tests."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from hub.core.schema import Offer
from hub.dev.relevance import corpus_offers, load_corpus
from hub.search.documents import search_document
from hub.search.duplicates import duplicate_groups

CORPUS = Path(__file__).resolve().parents[1] / "data" / "relevance" / "corpus.jsonl"
EARTH_KM = 6371.0088


@lru_cache(maxsize=1)
def offers() -> tuple[Offer, ...]:
    found, rejected = corpus_offers(load_corpus(CORPUS))
    assert found and not rejected, rejected[:3]
    return tuple(found)


def documents() -> dict[str, dict[str, Any]]:
    """Engine documents by offer id (locations, derived `location_ags`, `geo`, districts)."""
    return {offer.id: search_document(offer) for offer in offers()}


def shown_documents() -> dict[str, dict[str, Any]]:
    """The documents a search shows: of each group of duplicates only its canonical record."""
    docs = documents()
    hidden = {m for group in duplicate_groups(list(docs.values())) for m in group.members[1:]}
    return {offer_id: doc for offer_id, doc in docs.items() if offer_id not in hidden}


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def nearest_km(doc: dict[str, Any], origin: tuple[float, float]) -> float | None:
    """Kilometres from `origin` to the document's nearest point (None: no point, online)."""
    points = [(p["lat"], p["lon"]) for p in doc.get("geo") or []]
    return min((haversine_km(origin, p) for p in points), default=None)
