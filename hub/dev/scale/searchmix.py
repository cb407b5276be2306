"""The request mix of `hub bench search` and, for each request, the engine calls the hub makes
to answer it (recorded by running the same runner functions the API routes call, on the real
engine), so the baseline sends exactly the hub's own engine queries.

Kinds: keyword (a typical citizen's words), place + radius, age around a place, a topic facet
around a place, map clusters (a town's view and the whole state), suggestions while typing, and
a CSV export of a narrow search (its first and usually only page of 500, counted exactly)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hub.core.places import gazetteer
from hub.core.vocab import vocabulary
from hub.exports import EXPORT_LIMIT
from hub.search.engine import SearchEngine
from hub.search.geo import BBox
from hub.search.request import SearchRequest
from hub.search.runner import (
    complete,
    counted_offers,
    map_clusters,
    prepare_search,
    search_page,
)

KINDS = ("keyword", "place_radius", "age", "facets", "map", "suggest", "export")
# everyday words citizens type (one or two words, some misspelt as typed in a hurry)
WORDS = (
    "Babyschwimmen",
    "Krabbelgruppe",
    "Elterncafe",
    "Hebamme",
    "Erziehungsberatung",
    "Stillgruppe",
    "Ferienfreizeit",
    "Sprachkurs",
    "Familienzentrum",
    "Musikgarten",
    "Babymassage",
    "Schwangerschaft",
    "Elternkurs",
    "Spielgruppe",
    "Beratung",
    "Kinderturnen",
    "Hebame",
    "Familienbildung",
    "Tagesmutter",
    "Eltern Kind Gruppe",
)
STATE_BBOX = "5.8,50.3,9.5,52.6"
API_NAMES = {"topics": "topic", "radius_km": "km", "municipality": "ags"}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: Any


@dataclass(frozen=True)
class MixedRequest:
    """One request of the mix: its kind, the API path and query, and the hub's engine calls."""

    kind: str
    path: str
    params: dict[str, Any]
    calls: tuple[Call, ...] = ()


def api_params(fields: dict[str, Any]) -> dict[str, Any]:
    return {API_NAMES.get(name, name): value for name, value in fields.items()}


def planned(rng: random.Random, kind: str) -> tuple[str, dict[str, Any]]:
    """(API path, request fields or params) of one request of `kind`."""
    towns = list(gazetteer().municipalities.values())
    town = rng.choices(towns, [max(t.population, 1) for t in towns])[0]
    topic = rng.choice(vocabulary("topics").codes)
    if kind == "keyword":
        return "/api/v1/offers", {"q": rng.choice(WORDS)}
    if kind == "place_radius":
        return "/api/v1/offers", {"place": town.name, "radius_km": rng.choice([5, 10, 25])}
    if kind == "age":
        return "/api/v1/offers", {"place": town.name, "age_months": rng.randint(0, 72)}
    if kind == "facets":
        return "/api/v1/offers", {"place": town.name, "topics": [topic]}
    if kind == "map":
        if rng.random() < 0.5:
            return "/api/v1/offers/clusters", {"bbox": STATE_BBOX, "zoom": 8}
        box = f"{town.lon - 0.15},{town.lat - 0.1},{town.lon + 0.15},{town.lat + 0.1}"
        return "/api/v1/offers/clusters", {"bbox": box, "zoom": 12, "place": town.name}
    if kind == "suggest":
        word = rng.choice(WORDS)
        return "/api/v1/suggest", {"q": word[: rng.randint(3, min(6, len(word)))]}
    if kind == "export":
        fields = {"place": town.name, "radius_km": 3, "topics": [topic]}
        return "/api/v1/offers/export.csv", fields
    raise ValueError(f"unknown kind {kind!r}")


@contextmanager
def recording(engine: SearchEngine) -> Iterator[list[Call]]:
    """Every engine call made inside, with its method, path and body as sent."""
    calls: list[Call] = []
    original = engine.request

    def request(method: str, path: str, body: Any = None, params: Any = None) -> Any:
        calls.append(Call(method, path, body))
        return original(method, path, body, params)

    engine.request = request  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        del engine.request


def engine_calls(engine: SearchEngine, path: str, fields: dict[str, Any]) -> list[Call]:
    """The engine calls the API route at `path` makes for `fields`."""
    with recording(engine) as calls:
        if path.endswith("/suggest"):
            complete(engine, fields["q"])
            return calls
        search_fields = {k: v for k, v in fields.items() if k not in ("bbox", "zoom")}
        request = SearchRequest.model_validate(search_fields)
        search = prepare_search(engine, request, defer_spelling=True)  # as `hub.api.params`
        if path.endswith("/clusters"):
            map_clusters(engine, search, BBox.parse(fields["bbox"]), int(fields["zoom"]))
        elif path.endswith("/export.csv"):
            _, offers = counted_offers(engine, search, EXPORT_LIMIT)
            for _ in offers:
                pass
        else:
            search_page(engine, search)
    return calls


def request_mix(engine: SearchEngine, count: int, seed: int) -> list[MixedRequest]:
    """`count` requests, the kinds in turn, each with the engine calls the hub makes for it."""
    rng = random.Random(seed)
    mix = []
    for number in range(count):
        kind = KINDS[number % len(KINDS)]
        path, fields = planned(rng, kind)
        calls = tuple(engine_calls(engine, path, fields))
        mix.append(MixedRequest(kind, path, api_params(fields), calls))
    return mix
