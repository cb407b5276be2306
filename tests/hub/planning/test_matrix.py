"""The matrix arithmetic by hand: per-capita rates and population-weighted reach."""

from __future__ import annotations

from hub.planning.matrix import build_cells, per_10k
from hub.planning.reach import PopulationPoint, reach_share

POINTS = [
    PopulationPoint("a", "a", 51.0, 7.0, 30_000),
    PopulationPoint("b", "b", 51.0, 7.2, 10_000),
    PopulationPoint("c", "c", 51.3, 7.0, 60_000),
]


def test_offers_per_ten_thousand() -> None:
    assert per_10k(3, 60_000) == 0.5
    assert per_10k(1, 30_000) == 0.33
    assert per_10k(5, 0) == 0.0


def test_reach_weights_points_by_their_inhabitants() -> None:
    assert reach_share(POINTS, {"a", "b"}) == (0.4, 60_000)
    assert reach_share(POINTS, set()) == (0.0, 100_000)
    assert reach_share([], {"a"}) == (0.0, 0)


def test_cells_combine_counts_and_coverage() -> None:
    cells = build_cells(
        ("hebammen",),
        ("baby_0_1", "kleinkind_1_3"),
        100_000,
        POINTS,
        counts={("hebammen", "baby_0_1"): 2},
        stale={("hebammen", "baby_0_1"): 1},
        online={("hebammen", "kleinkind_1_3"): 4},
        covered={("hebammen", "baby_0_1"): {"c"}},
    )
    baby, toddler = cells[("hebammen", "baby_0_1")], cells[("hebammen", "kleinkind_1_3")]
    assert (baby.offers, baby.stale, baby.per_10k, baby.reach, baby.unreached) == (
        2,
        1,
        0.2,
        0.6,
        40_000,
    )
    assert (toddler.offers, toddler.online, toddler.reach, toddler.gap) == (0, 4, 0.0, True)
