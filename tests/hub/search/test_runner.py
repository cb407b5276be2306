"""A whole search on the real engine: filters, facet counts, distance, deep paging."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.core.errors import UnknownPlace
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from hub.search.query import Near, SearchRequest
from hub.search.runner import (
    SearchPage,
    count_offers,
    counted,
    counted_offers,
    iter_offers,
    prepare_search,
    run_search,
    search_page,
)
from tests.hub.search.search_fixtures import ESSEN, offer_index

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def search(settings: Settings) -> Iterator[tuple[SearchEngine, str]]:
    engine = SearchEngine(settings)
    with offer_index(engine) as index:
        yield engine, index
    engine.close()


def _run(search: tuple[SearchEngine, str], **fields: object) -> SearchPage:
    engine, index = search
    return run_search(engine, SearchRequest.model_validate(fields), index=index)


def _ids(page: SearchPage) -> set[str]:
    return {hit.offer["local_id"] for hit in page.hits}


def _counts(page: SearchPage, facet: str) -> dict[str, int]:
    return {value.value: value.count for value in page.facets[facet]}


def test_municipality_filter_includes_online_offers_published_there(
    search: tuple[SearchEngine, str],
) -> None:
    page = _run(search, municipality=[ESSEN[0]])
    assert _ids(page) == {"familienhebamme", "babymassage", "online-still"}


def test_age_filter_keeps_open_ranges_and_drops_pregnancy_only_offers(
    search: tuple[SearchEngine, str],
) -> None:
    found = _ids(_run(search, age_months=6, size=50))
    assert {"familienhebamme", "babymassage", "kita-platz"} <= found
    assert "rueckbildung" not in found and "kindertagesstaette" not in found


def test_facet_counts_honour_the_other_filters_only(search: tuple[SearchEngine, str]) -> None:
    page = _run(search, languages=["tr"], topics=["begegnung"])
    assert _ids(page) == {"elterncafe"}
    assert _counts(page, "languages") == {"de": 2, "tr": 1, "ar": 1}
    assert _counts(page, "topics") == {"hebammen": 1, "begegnung": 1}
    labels = {value.value: value.label for value in page.facets["languages"]}
    assert labels["tr"] == "Türkisch"


def test_near_filter_sorts_by_distance_and_reports_it(search: tuple[SearchEngine, str]) -> None:
    near = Near(lat=ESSEN[3], lon=ESSEN[4], km=30)
    page = _run(search, near=near, sort="distance")
    ids = [hit.offer["local_id"] for hit in page.hits]
    assert sorted(ids[:2]) == ["babymassage", "familienhebamme"]
    assert ids[2:] == ["kindertagespflege"]  # Bochum; Dortmund is 32 km away, online never near
    distances = [hit.distance_km for hit in page.hits]
    assert distances[0] == 0.0 and 10 < distances[-1] < 20  # type: ignore[operator]


def test_relevance_order_still_tells_the_distance_to_the_place(
    search: tuple[SearchEngine, str],
) -> None:
    page = _run(search, q="kita", place="Dortmund")
    hit = next(h for h in page.hits if h.offer["local_id"] == "kindertagesstaette")
    assert hit.distance_km is not None and hit.distance_km < 5
    assert page.place is not None and page.place.label == "Dortmund"


def test_unknown_place_of_residence_is_refused_in_german(search: tuple[SearchEngine, str]) -> None:
    with pytest.raises(UnknownPlace) as caught:
        _run(search, place="Atlantis")
    assert "kennen wir in NRW nicht" in caught.value.message_de


def test_search_after_pages_through_everything_once(search: tuple[SearchEngine, str]) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = _run(search, size=2, search_after=after)
        seen += [hit.offer["local_id"] for hit in page.hits]
        if page.next_search_after is None:
            break
        after = page.next_search_after
    assert len(seen) == len(set(seen)) == page.total == 9


def test_misspelt_query_is_corrected_and_reported(search: tuple[SearchEngine, str]) -> None:
    page = _run(search, q="hebame")
    assert page.did_you_mean == "hebamme"
    assert page.hits[0].offer["local_id"] == "familienhebamme"


def test_count_and_export_read_the_offers_of_the_list(search: tuple[SearchEngine, str]) -> None:
    engine, index = search
    prepared = prepare_search(engine, SearchRequest(q="hebame", size=50), index=index)
    listed = {hit.offer["id"] for hit in search_page(engine, prepared, index=index).hits}
    exported = [offer["id"] for offer in iter_offers(engine, prepared, index=index)]
    assert prepared.corrected == "hebamme" and listed
    assert set(exported) == listed and len(exported) == len(listed)
    assert count_offers(engine, prepared, index=index) == len(listed)


def test_export_stops_at_the_limit(search: tuple[SearchEngine, str]) -> None:
    engine, index = search
    everything = prepare_search(engine, SearchRequest(), index=index)
    assert len(list(iter_offers(engine, everything, 4, index=index))) == 4


@pytest.mark.parametrize("q", ["hebame", "babymassage", "familienhebamme essen", "kita"])
def test_deferred_spelling_finds_what_the_separate_check_finds(
    search: tuple[SearchEngine, str], q: str
) -> None:
    engine, index = search
    request = SearchRequest(q=q, size=50)
    asked = search_page(engine, prepare_search(engine, request, index=index), index=index)
    pending = prepare_search(engine, request, index=index, defer_spelling=True)
    deferred = search_page(engine, pending, index=index)
    assert pending.corrected is None
    assert deferred.did_you_mean == asked.did_you_mean
    assert deferred.prepared is not None  # what the demand counters count: the settled search
    assert (
        deferred.prepared.corrected == asked.did_you_mean and not deferred.prepared.spelling_pending
    )
    assert [h.offer["id"] for h in deferred.hits] == [h.offer["id"] for h in asked.hits]
    assert deferred.total == asked.total


def test_deferred_spelling_costs_one_call_without_a_correction(
    search: tuple[SearchEngine, str],
) -> None:
    engine, index = search
    sent: list[dict[str, object]] = []
    original = engine.request

    def recorded(method: str, path: str, body: object = None, params: object = None) -> object:
        sent.append(body if isinstance(body, dict) else {})
        return original(method, path, body, params)

    engine.request = recorded  # type: ignore[method-assign]
    try:
        well = prepare_search(engine, SearchRequest(q="babymassage"), index=index,
                              defer_spelling=True)  # fmt: skip
        search_page(engine, well, index=index)
        calls_well = len(sent)
        typo = prepare_search(engine, SearchRequest(q="hebame"), index=index, defer_spelling=True)
        total, settled = counted(engine, typo, index=index)
        exported = list(iter_offers(engine, settled, index=index))
    finally:
        del engine.request
    assert calls_well == 1 and "suggest" in sent[0]
    assert settled.corrected == "hebamme" and not settled.spelling_pending
    assert len(sent) == calls_well + 3  # count with the check, count again corrected, one page
    assert "suggest" not in sent[-1] and len(exported) == total > 0


def test_counted_offers_count_and_read_what_count_and_export_do(
    search: tuple[SearchEngine, str],
) -> None:
    engine, index = search
    for fields in ({"q": "hebame"}, {}, {"municipality": [ESSEN[0]]}):
        prepared = prepare_search(engine, SearchRequest.model_validate(fields), index=index)
        total, offers = counted_offers(engine, prepared, 3, index=index)
        assert total == count_offers(engine, prepared, index=index)
        assert [o["id"] for o in offers] == [
            o["id"] for o in iter_offers(engine, prepared, 3, index=index)
        ]
