"""The planning report of one area: the matrix, gaps, comparisons and stale offers, from a
handful of engine aggregations (see `aggregations.py`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hub.core.places import Gazetteer, gazetteer
from hub.core.vocab import vocabulary
from hub.planning.aggregations import (
    counts_body,
    per_municipality_body,
    reach_body,
    read_counts,
    read_per_municipality,
    read_reach,
)
from hub.planning.areas import Area
from hub.planning.gaps import Comparison, Gap, comparisons, ranked_gaps, without_topic
from hub.planning.matrix import Key, Matrix, build_cells
from hub.planning.reach import POINTS_BASIS, PopulationPoint, population_points
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.sources.store import SourceRegistry

DEFAULT_KM = 10.0
STALE_MONTHS = 12
COMPARED_MEMBERS = 60  # beyond this (the state) the table would be unreadable
POINT_BATCH = 50  # population points per reach request (one `filters` bucket each)
PARALLEL_BATCHES = 4


@dataclass(frozen=True)
class Report:
    """Everything the page and the exports show for one area."""

    matrix: Matrix
    gaps: list[Gap]
    comparisons: list[Comparison]
    without_topic: dict[str, list[str]]
    stale_total: int
    generated_at: str
    covered: dict[Key, set[str]] = field(default_factory=dict)
    sources: int = 0
    notice: str = ""
    """German note for the planner, e.g. that no source serves the area yet."""


def axes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The matrix's topics and age groups, in vocabulary order."""
    return tuple(vocabulary("topics").codes), tuple(vocabulary("age_groups").codes)


def search_offers(engine: SearchEngine, body: dict[str, object]) -> dict[str, object]:
    answer: dict[str, object] = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)
    return answer


def covered_points(
    engine: SearchEngine, points: list[PopulationPoint], km: float
) -> dict[Key, set[str]]:
    """(topic, age group) → population points with such an in-person offer within `km`."""
    batches = [points[i : i + POINT_BATCH] for i in range(0, len(points), POINT_BATCH)]
    covered: dict[Key, set[str]] = {}
    # batches run side by side: the engine spreads them over its search threads
    with ThreadPoolExecutor(max_workers=PARALLEL_BATCHES) as pool:
        answers = pool.map(lambda batch: search_offers(engine, reach_body(batch, km)), batches)
        for answer in answers:
            for key, ids in read_reach(answer).items():
                covered.setdefault(key, set()).update(ids)
    return covered


def build_matrix(
    engine: SearchEngine,
    area: Area,
    *,
    km: float = DEFAULT_KM,
    now: datetime | None = None,
    gaz: Gazetteer | None = None,
) -> tuple[Matrix, dict[Key, set[str]], dict[Key, int]]:
    """The area's matrix, the covered points per cell and the stale counts."""
    gaz = gaz or gazetteer()
    now = now or datetime.now(UTC)
    stale_before = (now - timedelta(days=365 * STALE_MONTHS // 12)).isoformat()
    topics, groups = axes()
    counts, stale, online = read_counts(
        search_offers(engine, counts_body(area.members, stale_before))
    )
    points = population_points(area.members, gaz)
    covered = covered_points(engine, points, km)
    population = area.population(gaz)
    cells = build_cells(topics, groups, population, points, counts, stale, online, covered)
    matrix = Matrix(
        area_code=area.code,
        area_label=area.label,
        area_kind=area.kind,
        population=population,
        km=km,
        points_basis=POINTS_BASIS,
        topics=topics,
        age_groups=groups,
        cells=cells,
        members=area.members,
    )
    return matrix, covered, stale


NO_SOURCES_DE = (
    "Für dieses Gebiet ist noch keine Quelle (kein Angebotsverzeichnis) angemeldet. Die Zahlen "
    "zeigen nur Angebote, die andere Quellen dort oder in der Nähe veröffentlichen."
)


def serving_sources(engine: SearchEngine, area: Area) -> int:
    """How many registered sources serve at least one municipality of the area."""
    return SourceRegistry(engine).count_serving(sorted(area.members))


def build_report(
    engine: SearchEngine,
    area: Area,
    *,
    km: float = DEFAULT_KM,
    now: datetime | None = None,
    gaz: Gazetteer | None = None,
) -> Report:
    """Matrix, ranked gaps, comparisons with the state and peers, topics missing per town."""
    gaz = gaz or gazetteer()
    now = now or datetime.now(UTC)
    matrix, covered, stale = build_matrix(engine, area, km=km, now=now, gaz=gaz)
    per_place = read_per_municipality(search_offers(engine, per_municipality_body()))
    sources = serving_sources(engine, area)
    keys = list(matrix.cells)
    online = {k: c.online for k, c in matrix.cells.items()}
    return Report(
        matrix=matrix,
        gaps=ranked_gaps(area.members, keys, covered, online, gaz),
        comparisons=comparisons(area.members, keys, per_place, gaz)
        if len(area.members) <= 60
        else [],
        without_topic=without_topic(area.members, matrix.topics, per_place),
        stale_total=sum(stale.values()),
        generated_at=now.isoformat(timespec="seconds"),
        covered=covered,
        sources=sources,
        notice="" if sources else NO_SOURCES_DE,
    )
