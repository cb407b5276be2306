"""A town and its district publish the same course: synced by real Celery workers from feeds
over HTTP, found through the search API and the web page once, with both publishers.

Balve and the Märkischer Kreis (corpus feeds) both list the baby massage course at the
Familienbildungsstätte Balve on the same dates (`balve-0003` ↔ `maerkischer-kreis-0026`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.core.settings import Settings
from hub.dev.processes import Supervisor
from hub.search.engine import SearchEngine
from hub.search.indices import drop_prefixed, ensure_indices
from tests.e2e.test_pipeline import corpus_feed, finished_run
from tests.support.feeds import FeedServer, Route
from tests.support.stack import supervisor, wait_for

BALVE = "05962008"
DISTRICT = ["05962004", "05962008", "05962020", "05962024", "05962048", "05962056"]
TOWN_COPY, DISTRICT_COPY = "e2e-dup-balve:balve-0003", "e2e-dup-mk:maerkischer-kreis-0026"


@pytest.fixture(scope="module")
def stack(
    engine: object, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supervisor]:
    """API and worker on an index set and queue of this module's own, with duplicate grouping
    on (the session's shared index keeps it off: tests/conftest.py)."""
    tag = uuid.uuid4().hex[:6]
    own = settings.model_copy(
        update={
            "index_prefix": f"{settings.index_prefix}dupe2e-{tag}-",
            "queue_name": f"{settings.queue_name}-dupe2e-{tag}",
            "duplicate_grouping": True,
        }
    )
    indices = SearchEngine(own)
    ensure_indices(indices)
    sup = supervisor(own, Path(tmp_path_factory.mktemp("logs")))
    sup.api()
    sup.worker()
    yield sup
    sup.stop_all()
    drop_prefixed(indices)
    indices.close()


def _own_streets(*feeds: list[dict[str, Any]]) -> None:
    """Streets of this test's own (same street, same new name in both feeds), so records that
    other tests sync from the same corpus never join this test's duplicate groups."""
    token = uuid.uuid4().hex[:8]
    renamed: dict[str, str] = {}
    for feed in feeds:
        for record in feed:
            for location in record.get("locations", []):
                street = location.get("street")
                if street:
                    new = renamed.setdefault(street, f"Prüfweg {len(renamed) + 1}{token}")
                    location["street"] = new


def _register(
    api: httpx.Client, admin: dict[str, str], source_id: str, name: str, url: str, ags: list[str]
) -> None:
    body = {"id": source_id, "name": name, "ags": ags, "kind": "push", "url": url}
    response = api.post("/api/v1/sources", json=body, headers=admin)
    assert response.status_code == 201, response.text


def _sync(api: httpx.Client, admin: dict[str, str], *source_ids: str) -> None:
    before = {s: _run_ids(api, admin, s) for s in source_ids}
    for source_id in source_ids:  # queued together: the two sources sync at the same time
        assert api.post(f"/api/v1/sources/{source_id}/sync", headers=admin).status_code == 202
    for source_id in source_ids:

        def done(source_id: str = source_id) -> dict[str, Any] | None:
            run = finished_run(api, source_id, admin)
            return run if run and run["id"] not in before[source_id] else None

        run = wait_for(done, what=f"sync of {source_id}")
        assert run["status"] == "succeeded", run


def _run_ids(api: httpx.Client, admin: dict[str, str], source_id: str) -> set[str]:
    runs = api.get(f"/api/v1/sources/{source_id}/runs", headers=admin).json()
    return {r["id"] for r in runs}


def _search(api: httpx.Client, **params: Any) -> dict[str, Any]:
    response = api.get("/api/v1/offers", params={"ags": BALVE, "size": 100, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _ids(found: dict[str, Any]) -> set[str]:
    return {h["id"] for h in found["hits"]}


def test_one_course_of_two_sources_is_one_result_until_one_source_drops_it(
    api: httpx.Client, admin: dict[str, str], feed_server: FeedServer
) -> None:
    town = corpus_feed("balve")
    district = corpus_feed("maerkischer-kreis")
    _own_streets(town, district)
    town_url = feed_server.route("/dup-balve.json", Route(json.dumps({"offers": town})))
    district_url = feed_server.route("/dup-mk.json", Route(json.dumps({"offers": district})))
    _register(api, admin, "e2e-dup-balve", "Stadt Balve", town_url, [BALVE])
    _register(api, admin, "e2e-dup-mk", "Märkischer Kreis", district_url, DISTRICT)
    _sync(api, admin, "e2e-dup-balve", "e2e-dup-mk")

    found = _search(api)
    ids = _ids(found)
    assert TOWN_COPY in ids and DISTRICT_COPY not in ids  # the town is the more local publisher
    assert found["total"] == len(found["hits"])
    shown = next(h for h in found["hits"] if h["id"] == TOWN_COPY)
    urls = {r["local_id"]: r["url"] for r in town + district}
    assert [(p["name"], p["url"]) for p in shown["publishers"]] == [
        ("Stadt Balve", urls["balve-0003"]),
        ("Märkischer Kreis", urls["maerkischer-kreis-0026"]),
    ]
    # facet counts count the offer once: exactly the topics of the listed hits
    counted: dict[str, int] = {}
    for hit in found["hits"]:
        for topic in set(hit["topics"]):
            counted[topic] = counted.get(topic, 0) + 1
    assert found["facets"]["topics"] == counted
    # other offers at the same place (same office, other services) stay results of their own
    assert {"e2e-dup-balve:balve-0006", "e2e-dup-balve:balve-0009"} <= ids
    # each source keeps its own record
    own = api.get(f"/api/v1/offers/{DISTRICT_COPY}")
    assert own.status_code == 200 and own.json()["duplicate_canonical"] is False
    page = api.get(f"/angebote/{TOWN_COPY}")
    assert page.status_code == 200
    assert "Veröffentlicht von" in page.text and "Märkischer Kreis" in page.text
    assert urls["maerkischer-kreis-0026"] in page.text and urls["balve-0003"] in page.text
    listing = api.get("/", params={"q": "Babymassage", "place": "Balve"})
    assert listing.status_code == 200 and "Veröffentlicht von" in listing.text

    # the town drops the course: the district's record becomes the visible one
    kept = [r for r in town if r["local_id"] != "balve-0003"]
    feed_server.route("/dup-balve.json", Route(json.dumps({"offers": kept})))
    _sync(api, admin, "e2e-dup-balve")
    after = _search(api)
    assert DISTRICT_COPY in _ids(after) and TOWN_COPY not in _ids(after)
    alone = next(h for h in after["hits"] if h["id"] == DISTRICT_COPY)
    assert "publishers" not in alone and "duplicate_canonical" not in alone
    assert after["total"] == found["total"]
