"""Population points and reach: the share of an area's inhabitants with an offer nearby.

The shipped gazetteer has inhabitants per municipality only (postcode areas carry no
population), so each municipality is one point at its centre weighted with its population.
`POINTS_BASIS` says so in every report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hub.core.places import Gazetteer

POINTS_BASIS = (
    "Gemeindemittelpunkte, gewichtet mit der Einwohnerzahl der Gemeinde (Stand 31.12.2019); "
    "die Postleitzahlgebiete des Ortsverzeichnisses haben keine Einwohnerzahlen."
)


@dataclass(frozen=True)
class PopulationPoint:
    """Where a number of inhabitants live, for distance checks (id = the municipality's AGS)."""

    id: str
    ags: str
    lat: float
    lon: float
    population: int


def population_points(members: Iterable[str], gaz: Gazetteer) -> list[PopulationPoint]:
    """One point per member municipality, at its centre, with its inhabitants."""
    points = []
    for ags in members:
        m = gaz.municipalities[ags]
        points.append(PopulationPoint(ags, ags, m.lat, m.lon, m.population))
    return points


def reach_share(points: Iterable[PopulationPoint], covered: set[str]) -> tuple[float, int]:
    """(share of inhabitants whose point is in `covered`, inhabitants not covered)."""
    total = reached = 0
    for point in points:
        total += point.population
        if point.id in covered:
            reached += point.population
    if total == 0:
        return 0.0, 0
    return reached / total, total - reached
