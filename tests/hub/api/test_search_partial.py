"""Every citizen search carries the engine-side time limit (`search_timeout`); a page the engine
cut short at that limit says so with `partial`, and a search within it does not."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator

import pytest

from hub.api.app import create_app
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from hub.search.runner import _search, is_partial
from tests.support.own_index import own_index
from tests.support.relevance_corpus import offers

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def indexed(services: None, settings: Settings) -> Iterator[Settings]:
    with own_index(settings, "partial", offers()) as own:
        yield own


def _page(settings: Settings, timeout: str) -> dict[str, object]:
    limited = settings.model_copy(update={"search_timeout": timeout})
    with TestClient(create_app(limited)) as client:
        response = client.get("/api/v1/offers", params={"q": "Kurs Eltern", "size": 10})
    assert response.status_code == 200, response.text
    page: dict[str, object] = response.json()
    return page


def test_a_search_within_the_limit_is_complete(indexed: Settings) -> None:
    page = _page(indexed, "2s")
    assert page["partial"] is False
    assert page["total"] > 0  # type: ignore[operator]


def test_a_query_the_engine_cuts_short_at_the_limit_is_marked_partial(
    services: None, settings: Settings
) -> None:
    """The hub's own queries are too quick to reach a limit on a test index, so a slow one
    (a script filter looping per document) goes through the same `_search` on the real engine:
    with the limit at 1 ms the engine answers with what it found so far and says `timed_out`."""
    engine = SearchEngine(settings.model_copy(update={"search_timeout": "1ms"}))
    index = engine.name(f"partial-{uuid.uuid4().hex[:6]}")
    engine.request("PUT", f"/{index}", {"settings": {"number_of_shards": 1}})
    try:
        actions = ({"_index": index, "_source": {"n": n}} for n in range(5000))
        assert all(ok for ok, _ in engine.streaming_bulk(actions, chunk_size=1000))
        engine.request("POST", f"/{index}/_refresh")
        loop = "long x = 0; for (int i = 0; i < 200000; i++) { x += i; } return x > 0;"
        slow = {"size": 1, "query": {"bool": {"filter": {"script": {"script": loop}}}}}
        assert is_partial(_search(engine, index, slow))
        engine.settings = settings.model_copy(update={"search_timeout": "60s"})
        assert not is_partial(
            _search(engine, index, {**slow, "size": 0, "query": {"match_all": {}}})
        )
    finally:
        engine.request("DELETE", f"/{index}")
        engine.close()


def test_a_failed_shard_also_makes_an_answer_partial() -> None:
    assert is_partial({"timed_out": False, "_shards": {"total": 2, "failed": 1}})
    assert not is_partial({"timed_out": False, "_shards": {"total": 1, "failed": 0}})
