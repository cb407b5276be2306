"""What the ministry's desk shows, assembled from the registry, the runs and the offers: one row
per source with its health, and one row per NRW municipality for the coverage map."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hub.accounts.organisations import Organisation
from hub.core.places import gazetteer
from hub.sources.health import HEALTH_DE, ErrorRate, Freshness, Health, classify, worst
from hub.sources.operations import deletion_waits
from hub.sources.store import Source
from hub.web.accounts.views import ago


@dataclass(frozen=True)
class SourceRow:
    source: Source
    organisation: str
    freshness: Freshness
    errors: ErrorRate
    last_success: str

    @property
    def health_de(self) -> str:
        return HEALTH_DE[self.freshness.health]

    @property
    def target_de(self) -> str:
        return duration_de(self.freshness.target)

    @property
    def waits(self) -> bool:
        return deletion_waits(self.source)

    @property
    def refused(self) -> bool:
        return bool(self.source.pending_deletion.get("refused"))


def duration_de(span: timedelta) -> str:
    """`2 Std.`, `90 Min.`, `3 Tage` – the freshness target in a table cell."""
    minutes = int(span.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} Tag" if days == 1 else f"{days} Tage"
    if minutes % 60 == 0:
        return f"{minutes // 60} Std."
    return f"{minutes} Min."


def source_rows(
    sources: list[Source],
    orgs: dict[str, Organisation],
    rates: dict[str, ErrorRate],
    now: datetime,
    factor: float,
) -> list[SourceRow]:
    """Every source, most urgent health first, then by id."""
    rows = [
        SourceRow(
            source=s,
            organisation=orgs[s.organisation_id].name
            if s.organisation_id in orgs and s.organisation_id
            else "—",
            freshness=classify(s, now, factor),
            errors=rates.get(s.id, ErrorRate(0, 0)),
            last_success=ago(s.last_success_at, now),
        )
        for s in sources
    ]
    order = list(Health)
    return sorted(rows, key=lambda r: (order.index(r.freshness.health), r.source.id))


def health_counts(rows: list[SourceRow]) -> list[tuple[str, str, int]]:
    """(health, German label, count) for every health, in a fixed order."""
    counted = Counter(r.freshness.health for r in rows)
    return [(h.value, HEALTH_DE[h], counted.get(h, 0)) for h in Health]


def coverage(rows: list[SourceRow], offers: dict[str, int]) -> list[dict[str, Any]]:
    """Each of NRW's municipalities: the sources serving it, their worst health, its offers."""
    serving: dict[str, list[SourceRow]] = {}
    for row in rows:
        for ags in row.source.ags:
            serving.setdefault(ags, []).append(row)
    found = []
    for ags, place in sorted(gazetteer().municipalities.items(), key=lambda i: i[1].name):
        mine = serving.get(ags, [])
        health = worst(r.freshness.health for r in mine)
        found.append(
            {
                "ags": ags,
                "name": place.name,
                "district": place.district,
                "lat": place.lat,
                "lon": place.lon,
                "sources": [r.source.id for r in mine],
                "health": health.value if health else "none",
                "health_de": HEALTH_DE[health] if health else "keine Quelle",
                "offers": offers.get(ags, 0),
            }
        )
    return found


def district_rows(districts: dict[str, int], places: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each district (Kreis or kreisfreie Stadt): offers, municipalities and how many have a
    source."""
    rows = []
    for code, district in sorted(gazetteer().districts.items(), key=lambda i: i[1].name):
        members = [p for p in places if p["ags"] in district.members]
        rows.append(
            {
                "ags": code,
                "name": district.name,
                "offers": districts.get(code, 0),
                "municipalities": len(members),
                "covered": sum(1 for p in members if p["sources"]),
            }
        )
    return rows
