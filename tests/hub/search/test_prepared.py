"""One prepared search, every view of it: bodies built without the engine (pure)."""

from __future__ import annotations

import copy
import json
from typing import Any

from hub.core.places import resolve_place
from hub.search.geo import BBox
from hub.search.prepared import (
    PreparedSearch,
    clusters_body,
    count_body,
    export_body,
    list_body,
    prepare,
)
from hub.search.request import SearchRequest

Clause = dict[str, Any]


def _essen_search() -> PreparedSearch:
    request = SearchRequest(q="hebame", place="Essen", topics=["hebammen"], age_months=6)
    return prepare(request, place=resolve_place("Essen"), corrected="hebamme")


def _bool_with_filters(clause: Any) -> Clause:
    """The `bool` holding the search's filters inside (possibly nested) function scores."""
    if isinstance(clause, dict):
        if "filter" in clause and "must" in clause:
            return clause
        for value in clause.values():
            found = _bool_with_filters(value)
            if found:
                return found
    if isinstance(clause, list):
        for value in clause:
            found = _bool_with_filters(value)
            if found:
                return found
    return {}


def _split(query: Clause) -> tuple[Clause, list[str]]:
    """The query without its filters, and its filters (as JSON, to compare as a set)."""
    bare = copy.deepcopy(query)
    filters = _bool_with_filters(bare).pop("filter")
    return bare, sorted(json.dumps(f, sort_keys=True) for f in filters)


def test_the_correction_replaces_the_typed_words() -> None:
    search = _essen_search()
    assert search.intent.text == "hebamme"
    assert "hebame" not in json.dumps(search.query)


def test_without_a_correction_the_typed_words_are_searched() -> None:
    search = prepare(SearchRequest(q="hebame"))
    assert search.intent.text == "hebame" and search.corrected is None


def test_the_list_finds_the_offers_of_the_prepared_query() -> None:
    """Facet filters sit in `post_filter` for the facet counts; together with the query's own
    filters they are exactly the prepared query's, and the scoring is the same."""
    search = _essen_search()
    body = list_body(search)
    list_query, list_filters = _split(body["query"])
    post = [json.dumps(f, sort_keys=True) for f in body["post_filter"]["bool"]["filter"]]
    prepared_query, prepared_filters = _split(search.query)
    assert sorted(list_filters + post) == prepared_filters
    assert len(prepared_filters) == 4  # place of residence, topic, age, no hidden duplicate
    assert list_query == prepared_query


def test_map_count_and_export_send_the_prepared_query() -> None:
    search = _essen_search()
    box = BBox(6.89, 51.34, 7.14, 51.54)
    assert clusters_body(search, box, 12)["query"]["bool"]["filter"][1:] == [search.query]
    assert count_body(search)["query"] == search.query
    assert count_body(search)["track_total_hits"] is True
    assert export_body(search)["query"] == search.query


def test_export_pages_continue_after_the_last_sort_values() -> None:
    search = _essen_search()
    assert "search_after" not in export_body(search)
    assert export_body(search, [2.5, "a:b"])["search_after"] == [2.5, "a:b"]
    assert export_body(search)["sort"][-1] == {"id": "asc"}  # unique tiebreaker
