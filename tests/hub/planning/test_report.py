"""The planning report on the real engine, with figures computed by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.core.settings import Settings
from hub.planning.areas import resolve_area
from hub.planning.report import build_report
from hub.search.engine import SearchEngine
from tests.hub.planning.support import (
    A,
    B,
    C,
    offer,
    own_engine,
    synthetic_gazetteer,
    two_years_ago,
)

GAZ = synthetic_gazetteer()


@pytest.fixture(scope="module")
def planned(services: None, settings: Settings) -> Iterator[SearchEngine]:
    offers = [
        # midwife visits in A, at 51.0 N 7.1 E: 7.0 km from A's and B's centres, 33+ km from C
        offer(
            "hebamme-a",
            topics=["hebammen"],
            age_min_months=0,
            age_max_months=12,
            locations=[{"ags": A, "lat": 51.0, "lon": 7.1}],
        ),
        # online midwife advice for the whole district: counted apart, reaches no point
        offer(
            "hebamme-online",
            topics=["hebammen"],
            age_min_months=0,
            age_max_months=12,
            online=True,
            area_ags=[A, B, C],
        ),
        # a playgroup in C not updated for two years: stale, yet still reaching C
        offer(
            "spielgruppe-c",
            topics=["begegnung"],
            age_min_months=12,
            age_max_months=36,
            updated_at=two_years_ago(),
            locations=[{"ags": C, "lat": 51.3, "lon": 7.0}],
        ),
        # pregnancy counselling in B without an age range: pregnancy only
        offer(
            "schwanger-b",
            topics=["schwangerschaft_geburt"],
            pregnancy=True,
            locations=[{"ags": B, "lat": 51.0, "lon": 7.2}],
        ),
    ]
    with own_engine(settings, offers) as engine:
        yield engine


def test_district_reach_and_rates_match_the_hand_computation(planned: SearchEngine) -> None:
    report = build_report(planned, resolve_area("05999", GAZ), gaz=GAZ)
    m = report.matrix
    assert m.population == 100_000
    midwives = m.cells[("hebammen", "baby_0_1")]
    # A (30,000) and B (10,000) lie 7 km from the offer, C (60,000) 33 km: 40,000 of 100,000
    assert midwives.reach == 0.4 and midwives.unreached == 60_000
    # one in-person offer per 100,000 inhabitants = 0.1 per 10,000; the online one apart
    assert (midwives.offers, midwives.per_10k, midwives.online) == (1, 0.1, 1)
    # an offer up to 12 months does not spill into the toddler group
    assert m.cells[("hebammen", "kleinkind_1_3")].offers == 0
    play = m.cells[("begegnung", "kleinkind_1_3")]
    assert (play.offers, play.stale, play.reach) == (1, 1, 0.6)
    pregnancy = m.cells[("schwangerschaft_geburt", "schwangerschaft")]
    # B's centre is the offer; A is 14 km away: only B's 10,000
    assert (pregnancy.offers, pregnancy.reach) == (1, 0.1)
    assert m.cells[("schwangerschaft_geburt", "baby_0_1")].offers == 0
    assert report.stale_total == 1


def test_gaps_are_ranked_by_inhabitants_affected(planned: SearchEngine) -> None:
    report = build_report(planned, resolve_area("05999", GAZ), gaz=GAZ)
    midwife_gaps = [g for g in report.gaps if (g.topic, g.age_group) == ("hebammen", "baby_0_1")]
    assert [(g.ags, g.population, g.online) for g in midwife_gaps] == [(C, 60_000, 1)]
    populations = [g.population for g in report.gaps]
    assert populations == sorted(populations, reverse=True)
    assert report.without_topic["hebammen"] == [B, C]
    assert report.without_topic["begegnung"] == [A, B]


def test_a_single_town_has_its_own_rate_and_a_wider_distance_reaches_more(
    planned: SearchEngine,
) -> None:
    town = build_report(planned, resolve_area(A, GAZ), gaz=GAZ).matrix
    midwives = town.cells[("hebammen", "baby_0_1")]
    assert (midwives.per_10k, midwives.reach) == (round(10_000 / 30_000, 2), 1.0)
    wide = build_report(planned, resolve_area("05999", GAZ), km=40, gaz=GAZ).matrix
    assert wide.cells[("hebammen", "baby_0_1")].reach == 1.0


def test_comparisons_put_each_town_beside_the_median(planned: SearchEngine) -> None:
    report = build_report(planned, resolve_area("05999", GAZ), gaz=GAZ)
    row = next(
        c
        for c in report.comparisons
        if (c.ags, c.topic, c.age_group) == (A, "hebammen", "baby_0_1")
    )
    # rates of A, B, C: 0.33, 0, 0 → median 0
    assert (row.per_10k, row.state_median) == (0.33, 0.0)
