"""Search demand as pure counters: what one search adds, and what a report may show."""

from __future__ import annotations

from datetime import date

from hub.core.places import resolve_place
from hub.planning.demand import demand_fields, normalised_query, read_demand
from hub.search.prepared import prepare
from hub.search.request import SearchRequest


def test_a_search_counts_its_topic_age_place_and_text_when_it_finds_little() -> None:
    request = SearchRequest(q="Krabbelgruppe  Lüdenscheid!", topics=["begegnung"], age_months=14)
    search = prepare(request, place=resolve_place("Iserlohn"), lookup=None)
    fields = demand_fields(search, total=0)
    assert "total:all" in fields and "topic:begegnung" in fields
    assert "age:kleinkind_1_3" in fields and "place:05962024" in fields
    assert "zero:krabbelgruppe luedenscheid" in fields
    assert not any(f.startswith("zero:") or f.startswith("few:") for f in demand_fields(search, 3))
    assert "few:krabbelgruppe luedenscheid" in demand_fields(search, 2)


def test_a_district_is_counted_by_its_key_and_pregnancy_as_its_group() -> None:
    search = prepare(SearchRequest(pregnancy=True), place=resolve_place("Kreis Unna"), lookup=None)
    fields = demand_fields(search, total=12)
    assert "place:05978" in fields and "age:schwangerschaft" in fields


def test_normalised_texts_are_folded_and_capped() -> None:
    assert normalised_query("  Hebamme   KÖLN ") == "hebamme koeln"
    assert len(normalised_query("x" * 500)) == 80


def test_texts_below_k_are_only_counted() -> None:
    answer = {
        "aggregations": {
            "dims": {
                "buckets": [
                    {"key": "total", "keys": {"buckets": [{"key": "all", "n": {"value": 9}}]}},
                    {
                        "key": "zero",
                        "keys": {
                            "buckets": [
                                {"key": "zauberwuerfel", "n": {"value": 5}},
                                {"key": "max mustermann", "n": {"value": 4}},
                                {"key": "selten", "n": {"value": 1}},
                            ]
                        },
                    },
                ]
            }
        }
    }
    found = read_demand(answer, date(2026, 12, 1), date(2026, 12, 6), k=1)  # k below 5: raised
    assert found.k == 5 and found.total == 9
    assert dict(found.by["zero"]) == {"zauberwuerfel": 5}
    assert found.hidden == {"zero": 2}
