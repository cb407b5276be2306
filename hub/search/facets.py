"""Facet aggregations whose counts honour every *other* active filter, and their parsing.

The search puts facet filters into `post_filter` (`hub.search.query.build_search`), so the
aggregations see the text query and the non-facet filters (place, distance) only. Each facet
then gets its own `filter` aggregation holding all the other facet filters: ticking "Türkisch"
narrows the topic counts, but the language facet still shows how many offers the other
languages would give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hub.core.places import gazetteer
from hub.core.vocab import vocabulary
from hub.search.analysis import ANALYSIS_DIR
from hub.search.query import AGE_FACET, FACET_FILTERS, Clause

FACET_FIELDS: dict[str, str] = {
    "topics": "topics",
    "kinds": "kind",
    AGE_FACET: "age_groups",
    "languages": "languages",
    "cost": "cost",
    "accessibility": "accessibility",
    "online": "online",
    "district": "district_ags",
}
"""Facet name (= its filter key in `filter_clauses`) → indexed field."""

VOCAB_OF = {"topics": "topics", "kinds": "kinds", AGE_FACET: "age_groups", "cost": "costs",
            "accessibility": "accessibility"}  # fmt: skip
BUCKETS = 60
FACET_KEYS = frozenset({*FACET_FILTERS, AGE_FACET})


@dataclass(frozen=True)
class FacetValue:
    """One facet value with its count and a German label for the page."""

    value: str
    count: int
    label: str


def facet_aggs(clauses: Mapping[str, Clause], names: tuple[str, ...] = ()) -> dict[str, Clause]:
    """One aggregation per facet, filtered by the other facets' active filters.

    `clauses` are the request's filter clauses (`hub.search.query.filter_clauses`); only those
    of facets count here, the others already restrict the query itself.
    """
    wanted = names or tuple(FACET_FIELDS)
    aggs: dict[str, Clause] = {}
    for name in wanted:
        others = [c for key, c in clauses.items() if key in FACET_KEYS and key != name]
        terms = {"terms": {"field": FACET_FIELDS[name], "size": BUCKETS}}
        aggs[name] = {"filter": {"bool": {"filter": others}}, "aggs": {"values": terms}}
    return aggs


def parse_facets(aggregations: Mapping[str, Any]) -> dict[str, list[FacetValue]]:
    """Facet values by facet name, most frequent first, labelled in German."""
    out: dict[str, list[FacetValue]] = {}
    for name in FACET_FIELDS:
        agg = aggregations.get(name)
        if agg is None:
            continue
        buckets = agg["values"]["buckets"]
        values = [_value(name, b) for b in buckets]
        out[name] = sorted(values, key=lambda v: (-v.count, v.value))
    return out


def _value(name: str, bucket: Mapping[str, Any]) -> FacetValue:
    value = str(bucket.get("key_as_string", bucket["key"]))
    return FacetValue(value=value, count=int(bucket["doc_count"]), label=label(name, value))


def label(facet: str, value: str) -> str:
    """German label of a facet value (vocabulary label, district name, yes/no)."""
    vocab = VOCAB_OF.get(facet)
    if vocab:
        terms = vocabulary(vocab).terms
        return terms[value].label_de if value in terms else value
    if facet == "district":
        found = gazetteer().districts.get(value)
        return found.name if found else value
    if facet == "online":
        return "Online" if value == "true" else "Vor Ort"
    if facet == "languages":
        return language_names().get(value, value)
    return value


@lru_cache
def language_names() -> dict[str, str]:
    """ISO 639-1 code → German name (first word of its line in languages.txt)."""
    names = {"de": "Deutsch"}
    path = ANALYSIS_DIR / "languages.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        code, sep, words = line.partition(":")
        if sep and not line.startswith("#") and words.strip():
            names[code.strip()] = words.split(",")[0].strip().capitalize()
    return names
