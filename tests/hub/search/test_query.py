"""Query building as pure functions: typed request (+ what the text says) → engine DSL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from hub.core.places import resolve_place
from hub.search.analysis import split_compound
from hub.search.duplicates import VISIBLE
from hub.search.facets import facet_aggs, label
from hub.search.intent import understand
from hub.search.query import (
    Near,
    SearchRequest,
    build_query,
    build_search,
    filter_clauses,
    sort_clause,
    text_clause,
    weights,
)
from hub.search.suggest import completion_body, corrected_query, did_you_mean_body

ESSEN = "05113000"
DUISBURG = "05112000"


def _find(tree: Any, key: str) -> list[Any]:
    """Every value stored under `key` anywhere in a DSL tree."""
    found: list[Any] = []
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k == key:
                found.append(v)
            found.extend(_find(v, key))
    elif isinstance(tree, list):
        for item in tree:
            found.extend(_find(item, key))
    return found


def test_request_refuses_unknown_codes_and_malformed_keys() -> None:
    with pytest.raises(ValidationError):
        SearchRequest(topics=["kochen"])
    with pytest.raises(ValidationError):
        SearchRequest(municipality=["5113000"])
    with pytest.raises(ValidationError):
        SearchRequest(languages=["deu"])
    assert SearchRequest(languages=["TR", "tr"]).languages == ["tr"]


def test_municipality_means_a_location_there_or_an_online_offer_published_there() -> None:
    clause = filter_clauses(SearchRequest(municipality=[ESSEN]))["municipality"]
    location, online = clause["bool"]["should"]
    assert location == {"terms": {"location_ags": [ESSEN]}}
    assert {"term": {"online": True}} in online["bool"]["filter"]
    assert {"terms": {"area_ags": [ESSEN]}} in online["bool"]["filter"]
    assert clause["bool"]["minimum_should_match"] == 1


def test_place_of_residence_means_there_or_within_the_radius_or_online_for_its_district() -> None:
    place = resolve_place("Altena")
    assert place is not None
    clauses = filter_clauses(SearchRequest(radius_km=20), place)
    assert "municipality" not in clauses  # the explicit AGS filter stays exact and separate
    there, near, online = clauses["place"]["bool"]["should"]
    assert there == {"terms": {"location_ags": ["05962004"]}}
    assert near["geo_distance"]["distance"] == "20.0km"
    assert near["geo_distance"]["geo"] == {"lat": place.lat, "lon": place.lon}
    assert {"terms": {"district_ags": ["05962"]}} in online["bool"]["filter"]


def test_a_district_as_residence_covers_all_its_towns() -> None:
    place = resolve_place("Märkischer Kreis")
    assert place is not None
    clause = filter_clauses(SearchRequest(), place)["place"]
    assert set(clause["bool"]["should"][0]["terms"]["location_ags"]) == set(place.ags)


@pytest.mark.parametrize("km", [0, 0.5, 101, -3])
def test_radius_outside_1_to_100_km_is_refused(km: float) -> None:
    with pytest.raises(ValidationError):
        SearchRequest(place="Altena", radius_km=km)


def test_age_filter_keeps_open_ends_and_drops_pregnancy_only_offers() -> None:
    age = filter_clauses(SearchRequest(age_months=24))["age_groups"]
    lower, upper = age["bool"]["filter"]
    assert {"range": {"age_min_months": {"lte": 24}}} in lower["bool"]["should"]
    assert {"bool": {"must_not": {"exists": {"field": "age_min_months"}}}} in lower["bool"][
        "should"
    ]
    assert {"range": {"age_max_months": {"gte": 24}}} in upper["bool"]["should"]
    pregnancy_only = age["bool"]["must_not"][0]["bool"]["filter"]
    assert {"term": {"pregnancy": True}} in pregnancy_only


def test_near_is_a_great_circle_distance_on_the_geo_points() -> None:
    near = filter_clauses(SearchRequest(near=Near(lat=51.2, lon=7.6, km=15)))["near"]
    assert near == {
        "geo_distance": {
            "distance": "15.0km",
            "geo": {"lat": 51.2, "lon": 7.6},
            "distance_type": "arc",
        }
    }


def test_facet_filters_go_to_post_filter_place_filters_into_the_query() -> None:
    request = SearchRequest(q="babymassage", municipality=[ESSEN], languages=["tr"], online=False)
    body = build_search(request, understand(request.q))
    post = body["post_filter"]["bool"]["filter"]
    assert {"terms": {"languages": ["tr"]}} in post
    assert {"term": {"online": False}} in post
    query_filters = _find(body["query"], "filter")
    assert any("location_ags" in json.dumps(f) for f in query_filters)
    assert "languages" not in json.dumps(query_filters)


def test_each_facet_counts_with_all_other_filters_but_its_own() -> None:
    request = SearchRequest(topics=["begegnung"], languages=["tr"], age_months=12)
    aggs = facet_aggs(filter_clauses(request))
    topic_filters = json.dumps(aggs["topics"]["filter"])
    assert "languages" in topic_filters and "age_min_months" in topic_filters
    assert '"topics"' not in topic_filters
    assert '"languages"' not in json.dumps(aggs["languages"]["filter"])
    assert "age_min_months" not in json.dumps(aggs["age_groups"]["filter"])
    assert aggs["district"]["aggs"]["values"]["terms"]["field"] == "district_ags"
    assert set(aggs) == {
        "topics", "kinds", "age_groups", "languages", "cost", "accessibility", "online", "district"
    }  # fmt: skip


def test_facet_values_get_german_labels() -> None:
    assert label("topics", "hebammen") == "Hebammen"
    assert label("languages", "tr") == "Türkisch"
    assert label("district", "05962") == "Märkischer Kreis"
    assert label("online", "true") == "Online"


def test_distance_sort_measures_from_the_near_point_with_an_id_tiebreaker() -> None:
    request = SearchRequest(q="krabbelgruppe", near=Near(lat=51.0, lon=7.5, km=20), sort="distance")
    body = build_search(request, understand(request.q))
    geo = body["sort"][0]["_geo_distance"]
    assert geo["geo"] == {"lat": 51.0, "lon": 7.5}
    assert (geo["unit"], geo["mode"], geo["order"]) == ("km", "min", "asc")
    assert body["sort"][-1] == {"id": {"order": "asc"}}
    assert "script_fields" not in body


def test_relevance_sort_with_a_place_returns_distance_as_a_script_field() -> None:
    place = resolve_place("Essen")
    body = build_search(SearchRequest(q="stillcafe"), understand("stillcafe"), place)
    assert body["sort"] == [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
    script = body["script_fields"]["distance_km"]["script"]
    assert script["params"] == {"lat": place.lat, "lon": place.lon}  # type: ignore[union-attr]


def test_next_date_sort_puts_offers_without_dates_last() -> None:
    assert sort_clause("next_date", None)[0] == {"next_date": {"order": "asc", "missing": "_last"}}
    assert sort_clause("distance", None)[0] == {"_score": {"order": "desc"}}


def test_search_after_replaces_from_and_pages_are_capped_at_the_window() -> None:
    after = build_search(SearchRequest(search_after=[3.2, "essen:essen-0013"]), understand(""))
    assert after["search_after"] == [3.2, "essen:essen-0013"] and "from" not in after
    deep = build_search(SearchRequest(page=900, size=20), understand(""))
    assert deep["from"] == 10_000 - 20
    assert build_search(SearchRequest(page=3, size=20), understand(""))["from"] == 40


def test_text_is_matched_analysed_exact_by_parts_and_with_typo_tolerance() -> None:
    clause = text_clause(understand("familienhebamme"))
    assert clause is not None
    matches = _find(clause, "multi_match")
    fuzzy = [m for m in matches if "fuzziness" in m]
    assert fuzzy and fuzzy[0]["fuzziness"] == "AUTO" and fuzzy[0]["prefix_length"] == 1
    assert fuzzy[0]["boost"] < 1
    assert any(m["query"] == "familien hebamme" for m in matches)


def test_field_weights_rank_title_over_categories_over_summary_over_description() -> None:
    fields = weights()["text_fields"]
    assert fields["title"] > fields["categories"] > fields["summary"] > fields["description"]


def test_empty_text_lists_every_offer() -> None:
    everything = {"bool": {"must": [{"match_all": {}}], "filter": [VISIBLE]}}
    assert build_query(SearchRequest(), understand("")) == everything  # each duplicate once


def test_a_place_in_the_text_boosts_offers_there_but_filters_nothing() -> None:
    intent = understand("hebame essen")
    assert intent.place is not None and intent.place.ags == (ESSEN,)
    assert intent.text == "hebame"
    query = build_query(SearchRequest(q="hebame essen"), intent)
    scored = query["function_score"]["query"]["function_score"]["query"]["bool"]
    assert scored["filter"] == [VISIBLE]  # only the hidden copies of duplicates
    functions = [f for found in _find(query, "functions") for f in found]
    in_place = next(f for f in functions if f.get("filter") == {"terms": {"location_ags": [ESSEN]}})
    assert in_place["weight"] > 1


def test_essen_as_food_is_not_the_city() -> None:
    assert understand("gesundes essen baby").place is None
    assert understand("kurse in essen").place is not None
    assert understand("essen").place is not None


def test_place_names_and_postcodes_are_found_with_or_without_umlauts() -> None:
    for typed in ("krabbelgruppe münster", "krabbelgruppe muenster", "krabbelgruppe munster"):
        place = understand(typed).place
        assert place is not None and place.label == "Münster"
    by_postcode = understand("stillcafe 45127").place
    assert by_postcode is not None and ESSEN in by_postcode.ags


def test_language_cost_age_and_online_words_become_boosts() -> None:
    intent = understand("elterncafe türkisch kostenlos 1 jahr online")
    assert intent.languages == ("tr",)
    assert intent.costs == ("free",)
    assert intent.age_months == 12
    assert intent.online
    functions = json.dumps(_find(build_query(SearchRequest(q="x"), intent), "functions"))
    assert '"languages": "tr"' in functions and '"cost": "free"' in functions


def test_generic_compound_heads_name_kinds_not_topics() -> None:
    intent = understand("trageberatung")
    assert "beratung" in intent.kinds
    assert "beratung_krisen" not in intent.topics
    assert "vaeter" in understand("vätergruppe").audiences


def test_weak_words_count_less_unless_part_of_a_synonym() -> None:
    assert understand("schreibaby hilfe").strong_text == "schreibaby"
    assert understand("erste hilfe am kind").strong_text == ""


def test_compounds_split_only_when_known_parts_cover_the_word() -> None:
    assert split_compound("geburtsvorbereitungskurs") == ["geburt", "vorbereitung", "kurs"]
    assert split_compound("hebammensprechstunden") == ["hebammen", "sprechstunden"]
    assert split_compound("fruhforderung") == ["fruh", "forderung"]
    assert split_compound("beantragen") == []


def test_did_you_mean_never_corrects_words_our_data_knows() -> None:
    assert corrected_query("hebame essen", "hebamme essen") == "hebamme essen"
    assert corrected_query("playgroup english", "playgroup englisch") is None
    assert corrected_query("frühchen eltern", "fruehen eltern") is None
    phrase = did_you_mean_body("Hebame Essen")["suggest"]
    assert phrase["text"] == "hebame essen"
    assert phrase["meinten_sie"]["phrase"]["field"] == "spell"


def test_completion_matches_every_typed_word_the_last_as_prefix() -> None:
    body = completion_body("hebammen sp", size=5)
    match = body["query"]["multi_match"]
    assert (match["type"], match["operator"]) == ("bool_prefix", "and")
    assert "title.suggest._2gram" in match["fields"]
    assert body["collapse"] == {"field": "title.keyword"}
