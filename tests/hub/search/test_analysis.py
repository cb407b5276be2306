"""German analysis on the real engine: compounds, umlauts, synonyms, typos, suggestions.

Runs against the engine `HUB_SEARCH_URL` names (default http://127.0.0.1:9200) in an index of
its own under the session's prefix; the index settings come from `mappings/` as in production.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from hub.search.intent import understand
from hub.search.query import SearchRequest, build_query
from hub.search.runner import complete, did_you_mean
from tests.hub.search.search_fixtures import offer_index

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def search(settings: Settings) -> Iterator[tuple[SearchEngine, str]]:
    engine = SearchEngine(settings)
    with offer_index(engine) as index:
        yield engine, index
    engine.close()


def _found(search: tuple[SearchEngine, str], text: str) -> list[str]:
    """Local ids the hub's query finds for `text`, best first (no spelling correction)."""
    engine, index = search
    body = {"query": build_query(SearchRequest(q=text), understand(text)), "size": 20}
    hits = engine.request("POST", f"/{index}/_search", body)["hits"]["hits"]
    return [hit["_source"]["local_id"] for hit in hits]


def _tokens(search: tuple[SearchEngine, str], analyzer: str, text: str) -> list[str]:
    engine, index = search
    body = {"analyzer": analyzer, "text": text}
    return [t["token"] for t in engine.request("POST", f"/{index}/_analyze", body)["tokens"]]


def test_familienhebamme_is_found_by_hebamme(search: tuple[SearchEngine, str]) -> None:
    assert _found(search, "hebamme")[0] == "familienhebamme"
    assert "hebamm" in _tokens(search, "german_index", "Familienhebamme")


def test_elterncafe_is_found_by_cafe_in_every_spelling(search: tuple[SearchEngine, str]) -> None:
    for typed in ("café", "cafe", "elterncafe", "eltern-café", "Elterncafé"):
        found = _found(search, typed)
        assert {"elterncafe", "eltern-cafe"} <= set(found[:2]), typed


def test_umlauts_match_their_digraphs_and_dotless_forms(search: tuple[SearchEngine, str]) -> None:
    for typed in ("rückbildung", "rueckbildung", "ruckbildung", "RÜCKBILDUNGSGYMNASTIK"):
        assert _found(search, typed)[:1] == ["rueckbildung"], typed
    assert _tokens(search, "german_exact", "Müller Mueller Straße") == [
        "mueller", "mueller", "strasse"
    ]  # fmt: skip


def test_kita_and_kindertagesstaette_find_each_other(search: tuple[SearchEngine, str]) -> None:
    assert {"kindertagesstaette", "kita-platz"} <= set(_found(search, "kita")[:2])
    assert {"kindertagesstaette", "kita-platz"} <= set(_found(search, "kindertagesstätte")[:2])
    assert "kita-platz" in _found(search, "kindergarten")


def test_tagesmutter_finds_kindertagespflege(search: tuple[SearchEngine, str]) -> None:
    assert _found(search, "tagesmutter")[:1] == ["kindertagespflege"]


def test_a_typo_is_tolerated_by_the_query(search: tuple[SearchEngine, str]) -> None:
    assert _found(search, "hebame")[:1] == ["familienhebamme"]
    assert _found(search, "babymasage")[:1] == ["babymassage"]


def test_stop_words_do_not_match(search: tuple[SearchEngine, str]) -> None:
    assert "fuer" not in _tokens(search, "german_index", "Kurse für Eltern")
    assert _found(search, "und") == []


def test_did_you_mean_corrects_a_misspelt_word(search: tuple[SearchEngine, str]) -> None:
    engine, index = search
    assert did_you_mean(engine, "hebame", index) == "hebamme"
    assert did_you_mean(engine, "babymassage", index) is None


def test_completion_finds_titles_by_any_compound_part(search: tuple[SearchEngine, str]) -> None:
    engine, index = search
    assert complete(engine, "massage", index=index) == ["Babymassage-Kurs"]
    assert set(complete(engine, "kindertages", index=index)) == {
        "Kindertagesstätte Sonnenschein",
        "Kindertagespflege – Beratung und Vermittlung",
    }
    assert complete(engine, "rückb", index=index) == ["Rückbildungsgymnastik"]
    assert complete(engine, "ruckb", index=index) == ["Rückbildungsgymnastik"]
