"""A gap made on purpose: one municipality's feed without its crisis-counselling offers,
synced by a real Celery worker, shows up in the planning report of the API process; the reach
of a topic that stayed is computed by hand from the indexed points; the snapshot task runs on
the worker."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.core.places import district_members
from hub.core.settings import Settings
from hub.dev.processes import Supervisor
from hub.planning.snapshots import months
from hub.queue import TAKE_PLANNING_SNAPSHOT, send
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import OFFERS, drop_prefixed, ensure_indices
from tests.e2e.test_pipeline import corpus_feed, finished_run, register
from tests.support.feeds import FeedServer, Route
from tests.support.stack import supervisor, wait_for

OBERBERG = "05374"
GUMMERSBACH = "05374012"
REMOVED = "beratung_krisen"


@pytest.fixture(scope="module")
def own(services: None, settings: Settings) -> Iterator[Settings]:
    """Indices of this module only: nothing another test indexed can fill the gap."""
    local = settings.model_copy(
        update={"index_prefix": f"{settings.index_prefix}plane2e-{uuid.uuid4().hex[:6]}-"}
    )
    engine = SearchEngine(local)
    ensure_indices(engine)
    yield local
    drop_prefixed(engine)
    engine.close()


@pytest.fixture(scope="module")
def stack(own: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supervisor]:
    """The API and a Celery worker on this module's indices (overrides the e2e stack)."""
    sup = supervisor(own, Path(tmp_path_factory.mktemp("plan-logs")))
    sup.api()
    sup.worker()
    yield sup
    sup.stop_all()


def _sync(api: httpx.Client, admin: dict[str, str], server: FeedServer, name: str) -> int:
    records = corpus_feed(name)
    if name == "gummersbach":  # the gap made on purpose (Wiehl's feed has none either)
        records = [r for r in records if REMOVED not in r["topics"]]
    url = server.route(f"/{name}.json", Route(json.dumps({"offers": records})))
    source_id = f"plan-{name}"
    key = register(api, admin, source_id, url, corpus_ags(name))
    own = {"Authorization": f"Bearer {key}"}
    assert api.post(f"/api/v1/sources/{source_id}/sync", headers=own).status_code == 202
    run = wait_for(lambda: finished_run(api, source_id, own), timeout=120, what="sync run")
    assert run["status"] == "succeeded", run
    return len(records)


def corpus_ags(name: str) -> str:
    return {"gummersbach": GUMMERSBACH, "wiehl": "05374048"}[name]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _points(settings: Settings, topic: str) -> list[tuple[float, float]]:
    """Where the indexed in-person offers of `topic` of the two test sources are."""
    engine = get_engine(settings)
    body = {
        "size": 500,
        "_source": ["geo", "online"],
        "query": {
            "bool": {
                "filter": [
                    {"terms": {"source_id": ["plan-gummersbach", "plan-wiehl"]}},
                    {"term": {"topics": topic}},
                ]
            }
        },
    }
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    points = []
    for hit in hits:
        if hit["_source"].get("online"):
            continue
        geo: Any = hit["_source"].get("geo") or []
        points += [(g["lat"], g["lon"]) for g in (geo if isinstance(geo, list) else [geo])]
    return points


def test_a_topic_removed_from_a_feed_is_a_gap_in_the_report(
    api: httpx.Client, admin: dict[str, str], feed_server: FeedServer, own: Settings
) -> None:
    assert _sync(api, admin, feed_server, "gummersbach") > 0
    assert _sync(api, admin, feed_server, "wiehl") > 0

    answer = api.get("/api/v1/planning/report", params={"area": OBERBERG}, headers=admin)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    cells = {(c["topic"], c["age_group"]): c for c in report["cells"]}
    removed = [c for (t, _), c in cells.items() if t == REMOVED]
    assert removed and all(c["offers"] == 0 and c["reach"] == 0 for c in removed)
    assert all(c["unreached"] == report["population"] for c in removed)
    gap_towns = {
        g["ags"] for g in report["gaps"] if (g["topic"], g["age_group"]) == (REMOVED, "baby_0_1")
    }
    assert GUMMERSBACH in gap_towns
    assert GUMMERSBACH in report["without_topic"][REMOVED]
    assert GUMMERSBACH not in report["without_topic"].get("hebammen", [])
    assert report["notice"] == ""  # sources serve the district

    # begegnung stayed: reach by hand = inhabitants whose town centre lies within 10 km of an offer
    points = _points(own, "begegnung")
    assert points
    towns = district_members(OBERBERG)
    reached = sum(
        m.population for m in towns if any(_km(m.lat, m.lon, lat, lon) <= 10 for lat, lon in points)
    )
    population = sum(m.population for m in towns)
    expected = round(reached / population, 4)
    group_reach = {c["reach"] for (t, _), c in cells.items() if t == "begegnung" and c["offers"]}
    assert expected in group_reach, (expected, group_reach)
    assert 0 < expected < 1

    send(own, TAKE_PLANNING_SNAPSHOT, {})
    wait_for(lambda: months(get_engine(own)), timeout=120, what="planning snapshot")
    trend = api.get("/api/v1/planning/trend", params={"area": OBERBERG}, headers=admin)
    assert trend.status_code == 200, trend.text
    assert trend.json()["compared_with"] is None  # the first snapshot has nothing before it
