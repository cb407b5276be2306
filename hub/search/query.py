"""Typed search requests → engine DSL, as pure functions (no engine access, unit-testable).

Filters are hard constraints (`hub.search.filters`); the hints found in the text (place,
language, cost, age, topics: `hub.search.intent`) only change the score. Facet filters go into
`post_filter`, so each facet can count with all the *other* filters (`hub.search.facets`).
Fields and weights are data: `mappings/index/query.json`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from itertools import pairwise
from typing import Any

from hub.core.places import Place
from hub.search.analysis import INDEX_DIR, modifier_words, stop_words
from hub.search.duplicates import VISIBLE
from hub.search.filters import (
    AGE_FACET,
    FACET_FILTERS,
    Clause,
    age_within,
    filter_clauses,
    served_in,
)
from hub.search.intent import QueryIntent
from hub.search.request import CostCode, Near, SearchRequest, SortOrder

__all__ = [
    "AGE_FACET",
    "FACET_FILTERS",
    "Clause",
    "CostCode",
    "Near",
    "SearchRequest",
    "SortOrder",
    "build_query",
    "build_search",
    "filter_clauses",
    "scored_query",
    "sort_clause",
    "text_clause",
]

MAX_WINDOW = 10_000


@lru_cache
def weights() -> dict[str, Any]:
    """Fields and weights from mappings/index/query.json."""
    data = json.loads((INDEX_DIR / "query.json").read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return dict(data)


# ---------------------------------------------------------------- text and boosts


def text_clause(intent: QueryIntent) -> Clause | None:
    """Words: analysed (with synonyms), exact, typo-tolerant, by compound parts and as
    adjacent pairs; any of them may hit, each adds to the score."""
    if not intent.text:
        return None
    should = _word_clauses(intent) + _part_clauses(intent) + _pair_clauses(intent.text)
    if intent.lemma_text and weights()["lemma_weight"]:
        should.append(_multi_match(intent.lemma_text, weights()["text_fields"],
                                   type="best_fields", tie_breaker=0.3,
                                   boost=weights()["lemma_weight"]))  # fmt: skip
    if intent.situation_words and weights()["situation_weight"]:
        should.append(_situation_clause(intent.situation_words))
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _word_clauses(intent: QueryIntent) -> list[Clause]:
    w = weights()
    text_options = {"type": w["text_type"], "tie_breaker": w["tie_breaker"]}
    clauses = [
        _multi_match(intent.text, w["text_fields"], **text_options),
        _multi_match(intent.text, w["exact_fields"], type="best_fields", tie_breaker=0.3,
                     analyzer="german_exact_search"),
        _multi_match(intent.text, w["fuzzy_fields"], type="best_fields", tie_breaker=0.3,
                     analyzer="german_fuzzy", fuzziness="AUTO", prefix_length=1,
                     max_expansions=20, boost=w["fuzzy_weight"]),
    ]  # fmt: skip
    if intent.strong_text:  # the words without "hilfe", "finden", … count once more
        clauses.append(
            _multi_match(intent.strong_text, w["text_fields"], **text_options,
                         boost=w["strong_weight"])
        )  # fmt: skip
    return clauses


def _part_clauses(intent: QueryIntent) -> list[Clause]:
    """Parts of typed compounds ("familien hebamme"); query-only parts as word beginnings."""
    w = weights()
    clauses: list[Clause] = []
    for parts in intent.parts.values():
        clauses.append(
            _multi_match(" ".join(parts), w["text_fields"], type="cross_fields",
                         operator=w["parts_operator"], boost=w["parts_weight"])
        )  # fmt: skip
        clauses += [
            _prefix(part, w["exact_fields"], w["prefix_weight"])
            for part in parts
            if part in modifier_words()
        ]
    return clauses


def _situation_clause(words: str) -> Clause:
    """The names of the help for a described situation ("schläft nicht" → Schlafberatung,
    Schreiambulanz): offers called so become candidates, below the typed words."""
    w = weights()
    return _multi_match(words, w["text_fields"], type="best_fields", tie_breaker=0.3,
                        boost=w["situation_weight"])  # fmt: skip


def _pair_clauses(text: str) -> list[Clause]:
    """Adjacent content words close together ("mutter (und) kind") score extra."""
    w = weights()
    words = [word for word in text.split() if word not in stop_words()]
    return [
        _multi_match(" ".join(pair), w["text_fields"], type="phrase", slop=w["phrase_slop"],
                     boost=w["phrase_weight"])
        for pair in pairwise(words)
    ]  # fmt: skip


def _prefix(word: str, fields: dict[str, float], weight: float) -> Clause:
    """Words beginning with a query-only compound part (trage* → Tragetuch, Trageberaterin)."""
    clauses = [
        {"prefix": {name: {"value": word, "boost": boost}}} for name, boost in fields.items()
    ]
    return {"dis_max": {"queries": clauses, "boost": weight}}


def _multi_match(text: str, fields: dict[str, float], **options: Any) -> Clause:
    spec = [f"{name}^{boost:g}" for name, boost in fields.items()]
    return {"multi_match": {"query": text, "fields": spec, **options}}


def hint_functions(intent: QueryIntent) -> list[Clause]:
    """Score multipliers for what the text asks besides words (language, cost, age, …): an
    offer in Turkish ranks above an otherwise equal one for "elterncafe türkisch"."""
    h = weights()["hints"]
    out: list[Clause] = []
    for values, field, weight in (
        (intent.topics, "topics", h["topic"]),
        (intent.languages, "languages", h["language"]),
        (intent.costs, "cost", h["cost"]),
        (intent.audiences, "audiences", h["audience"]),
        (intent.kinds, "kind", h["kind"]),
    ):
        out += [{"filter": {"term": {field: value}}, "weight": weight} for value in values]
    if intent.online:
        out.append({"filter": {"term": {"online": True}}, "weight": h["online"]})
    if intent.age_months is not None:
        out.append({"filter": age_within(intent.age_months), "weight": h["age"]})
    return out


def place_functions(place: Place | None) -> list[Clause]:
    """Score multipliers for a place named in the text: offers there first, then its online
    offers, then other online offers (they serve everyone), then the rest (factor 1)."""
    if not place:
        return []
    p = weights()["place"]
    ags = list(place.ags)
    online = {"term": {"online": True}}
    elsewhere = {"bool": {"filter": [online], "must_not": [{"terms": {"area_ags": ags}}]}}
    return [
        {"filter": {"terms": {"location_ags": ags}}, "weight": p["in_place"]},
        {
            "filter": {"bool": {"filter": [online, {"terms": {"area_ags": ags}}]}},
            "weight": p["place_online"],
        },
        {"filter": elsewhere, "weight": p["online"]},
    ]


def residence_functions(place: Place | None) -> list[Clause]:
    """Score multipliers for the place of residence: her own town's offers first, online
    offers published for it or its district next; offers nearby keep 1 and are ordered by
    `nearness`, so a much better offer in the next town can still rank above a weak one at
    home."""
    if not place:
        return []
    r = weights()["residence"]
    districts = sorted({ags[:5] for ags in place.ags})
    online_here = [{"term": {"online": True}}, {"terms": {"district_ags": districts}}]
    return [
        {"filter": {"terms": {"location_ags": list(place.ags)}}, "weight": r["in_place"]},
        {"filter": {"bool": {"filter": online_here}}, "weight": r["online"]},
    ]


def nearness(query: Clause, origin: tuple[float, float]) -> Clause:
    """Multiply by 1 + w·decay(distance to the nearest location); online offers keep 1."""
    p = weights()["place"]
    decay = {
        "geo": {"origin": {"lat": origin[0], "lon": origin[1]}, "scale": f"{p['near_scale_km']}km"}
    }
    functions = [
        {"weight": 1},
        {"filter": {"exists": {"field": "geo"}}, "gauss": decay, "weight": p["near_weight"]},
    ]
    return {
        "function_score": {
            "query": query,
            "functions": functions,
            "score_mode": "sum",
            "boost_mode": "multiply",
        }
    }


# ---------------------------------------------------------------- whole requests


def origin_of(request: SearchRequest, place: Place | None) -> tuple[float, float] | None:
    """The point distances are measured from: the `near` point, else the resolved place."""
    if request.near:
        return (request.near.lat, request.near.lon)
    return (place.lat, place.lon) if place else None


def scored_query(
    request: SearchRequest,
    intent: QueryIntent,
    *,
    place: Place | None = None,
    filters: list[Clause] | None = None,
) -> Clause:
    """Text (or all offers) × hint and place multipliers × nearness to the origin."""
    text = text_clause(intent)
    query: Clause = {"bool": {"must": [_with_place_candidates(text, intent)]}}
    if intent.place and intent.place_words and text and weights()["place_words_weight"]:
        fields = {name: 1.0 for name in weights()["text_fields"]}
        words = _multi_match(intent.place_words, fields, boost=weights()["place_words_weight"])
        query["bool"]["should"] = [words]
    if filters:
        query["bool"]["filter"] = filters
    functions = hint_functions(intent) + place_functions(intent.place) + residence_functions(place)
    if functions:
        query = {
            "function_score": {
                "query": query,
                "functions": functions,
                "score_mode": "multiply",
                "boost_mode": "multiply",
            }
        }
    origin = origin_of(request, place) or _point(intent.place)
    return nearness(query, origin) if origin else query


def _with_place_candidates(text: Clause | None, intent: QueryIntent) -> Clause:
    """With a place in the text, offers there on the query's topics are candidates even when
    their words differ ("pekip bielefeld" → a baby movement course in Bielefeld)."""
    if text is None:
        return {"match_all": {}}
    weight = weights()["place"]["related_weight"]
    if not intent.place or not intent.topics or not weight:
        return text
    related = [served_in(list(intent.place.ags)), {"terms": {"topics": list(intent.topics)}}]
    there = _constant({"bool": {"filter": related}}, weight)
    return {"bool": {"should": [text, there], "minimum_should_match": 1}}


def _constant(clause: Clause, weight: float) -> Clause:
    return {"constant_score": {"filter": clause, "boost": weight}}


def _point(place: Place | None) -> tuple[float, float] | None:
    return (place.lat, place.lon) if place else None


def build_query(request: SearchRequest, intent: QueryIntent, place: Place | None = None) -> Clause:
    """The query with every filter inside (no facets): the set of offers a search finds, as
    held by `hub.search.prepared.PreparedSearch` for the map, exports and rank evaluation;
    the non-canonical copies of duplicates are never among them (`VISIBLE`)."""
    filters = [*filter_clauses(request, place).values(), VISIBLE]
    return scored_query(request, intent, place=place, filters=filters)


def build_search(
    request: SearchRequest,
    intent: QueryIntent,
    place: Place | None = None,
    *,
    aggs: dict[str, Clause] | None = None,
) -> Clause:
    """The full search body: facet filters in `post_filter`, others in the query, plus sort,
    paging (`from` or `search_after`), per-hit distance and the given facet aggregations."""
    clauses = filter_clauses(request, place)
    facet_keys = {*FACET_FILTERS, AGE_FACET}
    query_filters = [*(c for k, c in clauses.items() if k not in facet_keys), VISIBLE]
    post = [c for k, c in clauses.items() if k in facet_keys]
    body: Clause = {
        "query": scored_query(request, intent, place=place, filters=query_filters),
        "size": request.size,
        "track_total_hits": True,
        "_source": True,
    }
    if post:
        body["post_filter"] = {"bool": {"filter": post}}
    if aggs:
        body["aggs"] = aggs
    origin = origin_of(request, place)
    body["sort"] = sort_clause(request.sort, origin)
    if origin and request.sort != "distance":
        body["script_fields"] = {"distance_km": distance_script(origin)}
    if request.search_after:
        body["search_after"] = request.search_after
    else:
        start = (request.page - 1) * request.size
        body["from"] = max(0, min(start, MAX_WINDOW - request.size))
    return body


def sort_clause(order: SortOrder, origin: tuple[float, float] | None) -> list[Clause]:
    """Sort with a unique tiebreaker (`id`) so `search_after` pages are stable."""
    tail: list[Clause] = [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
    if order == "distance" and origin:
        geo = {
            "geo": {"lat": origin[0], "lon": origin[1]},
            "order": "asc",
            "unit": "km",
            "mode": "min",
            "distance_type": "arc",
            "ignore_unmapped": True,
        }
        return [{"_geo_distance": geo}, *tail]
    if order == "next_date":
        return [{"next_date": {"order": "asc", "missing": "_last"}}, *tail]
    return tail


def distance_script(origin: tuple[float, float]) -> Clause:
    """Painless: kilometres to the nearest location of the offer (null for online offers)."""
    source = (
        "if (doc['geo'].size() == 0) { return null; } double best = Double.MAX_VALUE;"
        " for (int i = 0; i < doc['geo'].size(); ++i) { def p = doc['geo'].get(i);"
        " double dLat = Math.toRadians(p.lat - params.lat);"
        " double dLon = Math.toRadians(p.lon - params.lon);"
        " double a = Math.pow(Math.sin(dLat / 2), 2) + Math.cos(Math.toRadians(params.lat))"
        " * Math.cos(Math.toRadians(p.lat)) * Math.pow(Math.sin(dLon / 2), 2);"
        " best = Math.min(best, 12742.0 * Math.asin(Math.sqrt(a))); }"
        " return Math.round(best * 10) / 10.0;"
    )
    params = {"lat": origin[0], "lon": origin[1]}
    return {"script": {"lang": "painless", "source": source, "params": params}}
