"""Gaps and comparisons, as arithmetic over a matrix and per-municipality counts.

A gap is a municipality and cell whose inhabitants have no in-person offer within the
distance; they are ranked by the inhabitants affected. Comparisons put a municipality's offers
per 10,000 inhabitants beside the state median and the median of municipalities of the same
type (kreisfreie Stadt / Stadt / Gemeinde, from the gazetteer) and population class.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hub.core.places import Gazetteer
from hub.planning.areas import municipality_type, size_class
from hub.planning.matrix import Key, per_10k


@dataclass(frozen=True)
class Gap:
    """Inhabitants of one municipality without an in-person offer of a cell in reach."""

    ags: str
    name: str
    topic: str
    age_group: str
    population: int
    online: int


@dataclass(frozen=True)
class Comparison:
    """One cell of one municipality beside the state and its peers (offers per 10,000)."""

    ags: str
    topic: str
    age_group: str
    per_10k: float
    state_median: float
    peer_median: float
    peer_group: str
    peers: int


def ranked_gaps(
    members: Iterable[str],
    keys: Iterable[Key],
    covered: Mapping[Key, set[str]],
    online: Mapping[Key, int],
    gaz: Gazetteer,
) -> list[Gap]:
    """Every (municipality, cell) without an offer in reach, most inhabitants first."""
    gaps = []
    key_list = list(keys)
    for ags in members:
        m = gaz.municipalities[ags]
        for key in key_list:
            if ags not in covered.get(key, set()):
                gaps.append(Gap(ags, m.name, key[0], key[1], m.population, online.get(key, 0)))
    return sorted(gaps, key=lambda g: (-g.population, g.ags, g.topic, g.age_group))


def peer_group(ags: str, gaz: Gazetteer) -> str:
    """The comparison group of a municipality: its type and population class."""
    return f"{municipality_type(ags)}, {size_class(gaz.municipalities[ags].population)} Einw."


def rates(per_place: Mapping[str, Mapping[Key, int]], key: Key, gaz: Gazetteer) -> dict[str, float]:
    """Offers per 10,000 inhabitants of every municipality for one cell (zero where none)."""
    return {
        ags: per_10k(per_place.get(ags, {}).get(key, 0), m.population)
        for ags, m in gaz.municipalities.items()
    }


def comparisons(
    members: Iterable[str],
    keys: Iterable[Key],
    per_place: Mapping[str, Mapping[Key, int]],
    gaz: Gazetteer,
) -> list[Comparison]:
    """Each member's rate per cell beside the state median and its peer group's median."""
    groups = {ags: peer_group(ags, gaz) for ags in gaz.municipalities}
    out = []
    for key in keys:
        all_rates = rates(per_place, key, gaz)
        state = statistics.median(all_rates.values()) if all_rates else 0.0
        for ags in members:
            peers = [r for other, r in all_rates.items() if groups[other] == groups[ags]]
            out.append(
                Comparison(
                    ags=ags,
                    topic=key[0],
                    age_group=key[1],
                    per_10k=all_rates[ags],
                    state_median=round(state, 2),
                    peer_median=round(statistics.median(peers), 2),
                    peer_group=groups[ags],
                    peers=len(peers),
                )
            )
    return out


def without_topic(
    members: Iterable[str], topics: Iterable[str], per_place: Mapping[str, Mapping[Key, int]]
) -> dict[str, list[str]]:
    """topic → member municipalities where no in-person offer of that topic is located."""
    out: dict[str, list[str]] = {}
    member_list = list(members)
    for topic in topics:
        missing = [
            ags
            for ags in member_list
            if not any(n for (t, _), n in per_place.get(ags, {}).items() if t == topic)
        ]
        if missing:
            out[topic] = missing
    return out
