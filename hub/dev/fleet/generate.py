"""Generated municipal feeds for the fleet simulator: corpus-style offers, deterministic per seed.

Each simulated source is a municipality from the gazetteer (the statewide run's 186 sources
stand for NRW's youth welfare offices). Its offers are corpus offers moved there: the corpus
municipality's name replaced by the new one in title, text and provider, the venue put at the
new municipality's postcode and centre (a little spread), the dates moved by whole weeks. The
same seed gives the same fleet, byte for byte, on every machine.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from hub.core.places import Municipality, gazetteer
from hub.dev.demo.fleet import CORPUS
from hub.dev.demo.pages import slug

KINDS = ("json_feed", "rss", "wordpress")


@dataclass
class Faults:
    """What a source does wrong (changeable while the fleet runs; pages count from 1)."""

    latency: float = 0.0  # seconds before every answer
    slow_pages: frozenset[int] = frozenset()  # pages answered after `slow_seconds`
    slow_seconds: float = 5.0
    error_pages: frozenset[int] = frozenset()  # pages answered 500
    truncated_pages: frozenset[int] = frozenset()  # connection cut mid-body
    empty_after: int | None = None  # after this many complete listings, the feed is empty
    etags: bool = True  # ETag / 304 Not Modified


@dataclass
class SimSource:
    """One simulated municipal feed."""

    source_id: str
    name: str
    ags: str
    kind: str
    records: list[dict[str, Any]]
    page_size: int = 100
    faults: Faults = field(default_factory=Faults)

    def path(self) -> str:
        """The registered path on the source's own port."""
        if self.kind == "wordpress":
            return f"/wp/{self.source_id}"
        return f"/feeds/{self.source_id}.{'rss' if self.kind == 'rss' else 'json'}"

    def registration(self, base_url: str) -> dict[str, Any]:
        """What `hub sources add` / the registry needs (per_page for WordPress paging)."""
        config: dict[str, Any] = {}
        if self.kind == "json_feed":
            config = {"mapping": "demo-json.yaml"}
        elif self.kind == "wordpress":
            config = {"per_page": min(self.page_size, 100)}
        return {
            "id": self.source_id,
            "name": self.name,
            "ags": [self.ags],
            "kind": self.kind,
            "url": base_url + self.path(),
            "config": config,
            "interval_minutes": 60,
        }


@lru_cache
def corpus_records() -> tuple[dict[str, Any], ...]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def generate_fleet(
    sources: int,
    records: int,
    *,
    seed: int = 1,
    kinds: tuple[str, ...] = KINDS,
    page_size: int = 100,
) -> list[SimSource]:
    """`sources` feeds holding `records` offers in all, spread unevenly (as real offices are),
    kinds taken in turn from `kinds`."""
    rng = random.Random(seed)
    places = sorted(gazetteer().municipalities.values(), key=lambda m: m.ags)
    if sources <= len(places):
        chosen = rng.sample(places, sources)
    else:  # more sources than municipalities (all of Germany): places repeat
        chosen = rng.choices(places, k=sources)
    weights = [rng.uniform(0.3, 1.7) for _ in range(sources)]
    counts = _spread(records, weights)
    fleet = []
    for number, (place, count) in enumerate(zip(chosen, counts, strict=True)):
        source_id = f"sim-{number:03d}-{slug(place.name)[:24]}"
        kind = kinds[number % len(kinds)]
        offers = [_offer(rng, source_id, i, place) for i in range(count)]
        fleet.append(SimSource(source_id, f"Jugendamt {place.name}", place.ags, kind, offers,
                               page_size))  # fmt: skip
    return fleet


def _spread(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, summing exactly to `total`."""
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def _offer(rng: random.Random, source_id: str, number: int, place: Municipality) -> dict[str, Any]:
    """A corpus offer moved to `place` under a new id (WordPress post ids are its number)."""
    base = rng.choice(corpus_records())
    old_city = base["locations"][0]["city"] if base.get("locations") else ""
    text = _moved(json.dumps(base, ensure_ascii=False), old_city, place.name)
    record: dict[str, Any] = json.loads(text)
    record["local_id"] = f"{source_id}-{number + 1:06d}"
    record["source_municipality_ags"] = place.ags
    record["url"] = f"https://www.example-{place.ags}.de/familie/{record['local_id']}"
    postcodes = gazetteer().postcodes_of.get(place.ags) or ("",)
    for location in record.get("locations") or []:
        location.update(
            city=place.name,
            ags=place.ags,
            postcode=rng.choice(postcodes),
            lat=round(place.lat + rng.uniform(-0.02, 0.02), 5),
            lon=round(place.lon + rng.uniform(-0.02, 0.02), 5),
        )
    weeks = timedelta(weeks=rng.randint(0, 30))
    for date in record.get("dates") or []:
        for key in ("start", "end"):
            if date.get(key):
                date[key] = (datetime.fromisoformat(date[key]) + weeks).isoformat()
    return record


def _moved(text: str, old: str, new: str) -> str:
    return text.replace(old, new) if old and len(old) > 3 else text
