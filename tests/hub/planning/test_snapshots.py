"""Monthly snapshots on the real engine: idempotent per month, trend against last year, and
untouched by a reindex of the offers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.core.errors import NotFound
from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.planning.areas import resolve_area
from hub.planning.snapshots import months, take_snapshot, trend
from hub.search.indices import OFFERS, alias_targets
from hub.search.reindex import reindex
from hub.search.writer import OfferWriter
from tests.hub.planning.support import A, offer, own_engine, synthetic_gazetteer

GAZ = synthetic_gazetteer()
LAST_YEAR = datetime(2025, 11, 15, tzinfo=UTC)
NOW = datetime(2026, 11, 15, tzinfo=UTC)


def _midwife(local_id: str) -> Offer:
    return offer(
        local_id,
        topics=["hebammen"],
        age_min_months=0,
        age_max_months=12,
        locations=[{"ags": A, "lat": 51.0, "lon": 7.1}],
    )


def test_trend_compares_with_last_year_and_survives_a_reindex(
    services: None, settings: Settings
) -> None:
    with own_engine(settings, [_midwife("one")]) as engine:
        assert take_snapshot(engine, now=LAST_YEAR, gaz=GAZ) == ("2025-11", 3)
        assert take_snapshot(engine, now=LAST_YEAR, gaz=GAZ) == ("2025-11", 0)  # idempotent
        OfferWriter(engine).write([_midwife("two")])
        engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
        take_snapshot(engine, now=NOW, gaz=GAZ)
        before = alias_targets(engine)
        reindex(engine)
        assert alias_targets(engine) != before
        assert months(engine) == ["2025-11", "2026-11"]
        area = resolve_area("05999", GAZ)
        found = trend(engine, area, gaz=GAZ)
        assert (found.month, found.compared_with) == ("2026-11", "2025-11")
        cell = next(c for c in found.cells if (c.topic, c.age_group) == ("hebammen", "baby_0_1"))
        assert (cell.offers, cell.offers_before) == (2, 1)
        assert (cell.reach, cell.reach_before) == (0.4, 0.4)  # A and B of 100,000
        with pytest.raises(NotFound) as missing:
            trend(engine, area, "2024-03", gaz=GAZ)
        assert "keinen Monatsstand" in missing.value.message_de


def test_no_snapshot_yet_is_a_german_not_found(services: None, settings: Settings) -> None:
    with own_engine(settings, []) as engine, pytest.raises(NotFound) as caught:
        trend(engine, resolve_area("05999", GAZ), gaz=GAZ)
    assert "noch keine Monatsstände" in caught.value.message_de
