"""A small synthetic gazetteer and offers whose reach and per-capita figures are computed by
hand in the tests (distances: one degree of longitude at 51° N is 70.06 km)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.core.places import District, Gazetteer, Municipality
from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, drop_prefixed, ensure_indices
from hub.search.writer import OfferWriter

A, B, C = "05999001", "05999002", "05999003"


def synthetic_gazetteer() -> Gazetteer:
    """Three towns of one district: A and B 14 km apart, C 33 km north of A."""
    gaz = Gazetteer()
    gaz.municipalities = {
        A: Municipality(A, "Ahausen", "Testkreis", "05999", 51.0, 7.0, 30_000),
        B: Municipality(B, "Bedorf", "Testkreis", "05999", 51.0, 7.2, 10_000),
        C: Municipality(C, "Cestadt", "Testkreis", "05999", 51.3, 7.0, 60_000),
    }
    gaz.districts = {"05999": District("05999", "Testkreis", (A, B, C))}
    return gaz


def offer(local_id: str, **fields: Any) -> Offer:
    base: dict[str, Any] = {
        "id": f"plan:{local_id}",
        "source_id": "plan",
        "local_id": local_id,
        "url": f"https://www.example.de/{local_id}",
        "title": f"Angebot {local_id}",
        "updated_at": datetime.now(UTC).isoformat(),
    }
    base.update(fields)
    return Offer(**base)


@contextmanager
def own_engine(settings: Settings, offers: list[Offer]) -> Iterator[SearchEngine]:
    """An engine on an index prefix of its own, holding exactly `offers`."""
    prefix = f"{settings.index_prefix}plan{uuid.uuid4().hex[:6]}-"
    engine = SearchEngine(settings.model_copy(update={"index_prefix": prefix}))
    ensure_indices(engine)
    try:
        OfferWriter(engine).write(offers)
        engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
        yield engine
    finally:
        drop_prefixed(engine)
        engine.close()


def two_years_ago() -> str:
    return (datetime.now(UTC) - timedelta(days=730)).isoformat()
