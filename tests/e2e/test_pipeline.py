"""Feed over HTTP → registration via the API → sync by a real Celery worker → search via the API."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.support.feeds import FeedServer, Route
from tests.support.paths import DEMO_CORPUS
from tests.support.stack import wait_for

CORPUS = DEMO_CORPUS


def corpus_feed(prefix: str) -> list[dict[str, Any]]:
    """Corpus lines of one municipality in the common schema (push format)."""
    records = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["local_id"].startswith(prefix + "-"):
            record.pop("source_municipality_ags")
            record["categories"] = record.pop("categories_free_text")
            records.append(record)
    return records


def finished_run(
    api: httpx.Client, source_id: str, headers: dict[str, str]
) -> dict[str, Any] | None:
    response = api.get(f"/api/v1/sources/{source_id}/runs", headers=headers)
    assert response.status_code == 200, response.text
    runs = response.json()
    done = [r for r in runs if r["status"] != "running"]
    return done[0] if done else None


def register(api: httpx.Client, admin: dict[str, str], source_id: str, url: str, ags: str) -> str:
    body = {"id": source_id, "name": source_id, "ags": [ags], "kind": "push", "url": url}
    response = api.post("/api/v1/sources", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["api_key"])


def test_feed_is_synced_by_worker_and_found_through_search_api(
    api: httpx.Client, admin: dict[str, str], feed_server: FeedServer
) -> None:
    records = corpus_feed("dortmund")  # a town no other test of the shared index syncs
    url = feed_server.route("/dortmund.json", Route(json.dumps({"offers": records})))
    key = register(api, admin, "e2e-dortmund", url, "05913000")
    own = {"Authorization": f"Bearer {key}"}

    queued = api.post("/api/v1/sources/e2e-dortmund/sync", headers=own)
    assert queued.status_code == 202
    run = wait_for(lambda: finished_run(api, "e2e-dortmund", own), what="sync run")

    assert run["status"] == "succeeded"
    assert run["counts"]["seen"] == len(records)
    assert run["counts"]["created"] == len(records)
    found = api.get("/api/v1/offers", params={"ags": "05913000", "size": 100}).json()
    assert found["total"] == len(records)
    assert {h["local_id"] for h in found["hits"]} == {r["local_id"] for r in records}
    expected_topics: dict[str, int] = {}
    for record in records:
        for topic in set(record["topics"]):
            expected_topics[topic] = expected_topics.get(topic, 0) + 1
    assert found["facets"]["topics"] == expected_topics

    one = records[0]
    detail = api.get(f"/api/v1/offers/e2e-dortmund:{one['local_id']}").json()
    assert detail["title"] == one["title"]
    assert detail["url"] == one["url"]


def test_keyword_age_and_topic_filters_narrow_the_result(
    api: httpx.Client, admin: dict[str, str], feed_server: FeedServer
) -> None:
    records = corpus_feed("muenster")
    url = feed_server.route("/muenster.json", Route(json.dumps({"offers": records})))
    register(api, admin, "e2e-muenster", url, "05515000")
    api.post("/api/v1/sources/e2e-muenster/sync", headers=admin)
    wait_for(lambda: finished_run(api, "e2e-muenster", admin), what="sync run")

    params: dict[str, Any] = {"ags": "05515000", "age_months": 14, "size": 100}
    found = api.get("/api/v1/offers", params=params).json()
    expected = {
        r["local_id"]
        for r in records
        # a missing bound is open; offers only for pregnancy (no bounds) do not match an age
        if (r["age_min_months"] is None or r["age_min_months"] <= 14)
        and (r["age_max_months"] is None or r["age_max_months"] >= 14)
        and not (r["pregnancy"] and r["age_min_months"] is None and r["age_max_months"] is None)
    }
    assert {h["local_id"] for h in found["hits"]} == expected

    topic = "begegnung"
    with_topic = api.get("/api/v1/offers", params={**params, "topic": topic}).json()
    assert {h["local_id"] for h in with_topic["hits"]} == {
        r["local_id"] for r in records if r["local_id"] in expected and topic in r["topics"]
    }
    # the topic facet ignores its own filter, so it still lists the other topics
    assert set(with_topic["facets"]["topics"]) == set(found["facets"]["topics"])


def test_invalid_records_become_rejections_and_the_rest_is_indexed(
    api: httpx.Client, admin: dict[str, str], feed_server: FeedServer
) -> None:
    records = corpus_feed("meinerzhagen")
    records[0]["title"] = ""
    records[1]["url"] = "keine-adresse"
    records[2]["kind"] = "zauberei"
    records[3].pop("updated_at")
    url = feed_server.route("/meinerzhagen.json", Route(json.dumps({"offers": records})))
    register(api, admin, "e2e-meinerzhagen", url, "05962036")
    api.post("/api/v1/sources/e2e-meinerzhagen/sync", headers=admin)
    run = wait_for(lambda: finished_run(api, "e2e-meinerzhagen", admin), what="sync run")

    assert run["status"] == "succeeded"
    assert run["counts"]["rejected"] == 4
    assert run["counts"]["created"] == len(records) - 4
    reasons = {r["local_id"]: r for r in run["rejections"]}
    assert reasons[records[0]["local_id"]]["message_de"].startswith("Titel")
    assert reasons[records[1]["local_id"]]["field"] == "url"
    assert "zauberei" in reasons[records[2]["local_id"]]["message"]
    assert reasons[records[3]["local_id"]]["code"] == "invalid_missing"
    found = api.get("/api/v1/offers", params={"ags": "05962036", "size": 100}).json()
    assert found["total"] == len(records) - 4


def test_unreachable_feed_is_recorded_as_failed_and_deletes_nothing(
    api: httpx.Client, admin: dict[str, str], feed_server: FeedServer
) -> None:
    records = corpus_feed("rheine")
    url = feed_server.route("/rheine.json", Route(json.dumps({"offers": records})))
    register(api, admin, "e2e-rheine", url, "05566076")
    api.post("/api/v1/sources/e2e-rheine/sync", headers=admin)
    wait_for(lambda: finished_run(api, "e2e-rheine", admin), what="first run")

    feed_server.route("/rheine.json", Route(b"gone", status=404, content_type="text/plain"))
    api.post("/api/v1/sources/e2e-rheine/sync", params={"full": True}, headers=admin)

    def failed_run() -> dict[str, Any] | None:
        runs = api.get("/api/v1/sources/e2e-rheine/runs", headers=admin).json()
        return next((r for r in runs if r["status"] == "failed"), None)

    run = wait_for(failed_run, what="failed run")
    assert "HTTP 404" in run["errors"][0]["message_de"]
    found = api.get("/api/v1/offers", params={"ags": "05566076", "size": 100}).json()
    assert found["total"] == len(records)


def test_municipality_key_cannot_read_another_source(
    api: httpx.Client, admin: dict[str, str], feed_server: FeedServer
) -> None:
    url = feed_server.route("/a.json", Route(json.dumps({"offers": []})))
    key_a = register(api, admin, "e2e-key-a", url, "05962004")
    register(api, admin, "e2e-key-b", url, "05962008")
    mine = api.get("/api/v1/sources/e2e-key-a", headers={"Authorization": f"Bearer {key_a}"})
    other = api.get("/api/v1/sources/e2e-key-b", headers={"Authorization": f"Bearer {key_a}"})
    assert mine.status_code == 200
    assert other.status_code == 403
    assert api.get("/api/v1/sources/unknown-source", headers=admin).status_code == 404
