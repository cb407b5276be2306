"""The fleet simulator's generated feeds: deterministic, spread over the state, corpus-style."""

from __future__ import annotations

from hub.core.places import gazetteer
from hub.dev.fleet.generate import generate_fleet


def test_the_same_seed_gives_the_same_fleet_and_another_seed_another() -> None:
    first = generate_fleet(5, 300, seed=7)
    again = generate_fleet(5, 300, seed=7)
    other = generate_fleet(5, 300, seed=8)

    assert [(s.source_id, s.records) for s in first] == [(s.source_id, s.records) for s in again]
    assert [s.source_id for s in first] != [s.source_id for s in other]


def test_records_add_up_ids_are_unique_and_sources_are_uneven() -> None:
    fleet = generate_fleet(12, 1000, seed=1)
    ids = [r["local_id"] for s in fleet for r in s.records]

    assert len(ids) == 1000 == len(set(ids))
    assert len({len(s.records) for s in fleet}) > 3  # offices differ in size
    assert {s.kind for s in fleet} == {"json_feed", "rss", "wordpress"}


def test_every_offer_lies_in_its_sources_municipality() -> None:
    places = gazetteer().municipalities
    for source in generate_fleet(6, 120, seed=2):
        town = places[source.ags]
        assert source.source_id.startswith("sim-")
        for record in source.records:
            assert record["local_id"].startswith(source.source_id)
            assert record["source_municipality_ags"] == town.ags
            for location in record["locations"]:
                assert (location["city"], location["ags"]) == (town.name, town.ags)
                assert location["postcode"] in gazetteer().postcodes_of[town.ags]
                assert abs(location["lat"] - town.lat) <= 0.021
            assert record["title"] and record["description"]
