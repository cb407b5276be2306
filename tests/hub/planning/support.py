"""A small synthetic gazetteer and offers whose reach and per-capita figures are computed by
hand in the tests (distances: one degree of longitude at 51° N is 70.06 km)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.core.places import District, Gazetteer, Municipality
from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from tests.support.own_index import own_index

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
    with own_index(settings, "plan", offers) as own:
        engine = SearchEngine(own)
        try:
            yield engine
        finally:
            engine.close()


def two_years_ago() -> str:
    return (datetime.now(UTC) - timedelta(days=730)).isoformat()
