"""The coverage matrix as plain arithmetic: topics × age groups with counts, offers per 10,000
inhabitants and reach, built from aggregation results without touching the engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hub.planning.reach import PopulationPoint, reach_share

Key = tuple[str, str]  # (topic, age group)


@dataclass(frozen=True)
class Cell:
    """One topic and age group in an area."""

    topic: str
    age_group: str
    offers: int
    stale: int
    online: int
    per_10k: float
    reach: float
    unreached: int

    @property
    def gap(self) -> bool:
        """Some inhabitants have no in-person offer of this cell within the distance."""
        return self.unreached > 0


@dataclass(frozen=True)
class Matrix:
    """Figures of one area: who lives there, on what basis reach was computed, and the cells."""

    area_code: str
    area_label: str
    area_kind: str
    population: int
    km: float
    points_basis: str
    topics: tuple[str, ...]
    age_groups: tuple[str, ...]
    cells: dict[Key, Cell] = field(default_factory=dict)
    members: tuple[str, ...] = ()


def per_10k(offers: int, population: int) -> float:
    """Offers per 10,000 inhabitants (0 when nobody lives there)."""
    return round(offers * 10_000 / population, 2) if population else 0.0


def build_cells(
    topics: tuple[str, ...],
    age_groups: tuple[str, ...],
    population: int,
    points: list[PopulationPoint],
    counts: Mapping[Key, int],
    stale: Mapping[Key, int],
    online: Mapping[Key, int],
    covered: Mapping[Key, set[str]],
) -> dict[Key, Cell]:
    """Every (topic, age group) cell from the counts and the covered population points."""
    cells: dict[Key, Cell] = {}
    for topic in topics:
        for group in age_groups:
            key = (topic, group)
            share, unreached = reach_share(points, covered.get(key, set()))
            cells[key] = Cell(
                topic=topic,
                age_group=group,
                offers=counts.get(key, 0),
                stale=stale.get(key, 0),
                online=online.get(key, 0),
                per_10k=per_10k(counts.get(key, 0), population),
                reach=round(share, 4),
                unreached=unreached,
            )
    return cells
