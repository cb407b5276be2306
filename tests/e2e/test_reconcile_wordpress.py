"""Deletions reach an incremental WordPress source: real WordPress → API → Celery worker → search.

A post deleted or unpublished in WordPress cannot show up in an incremental run (`modified_after`
only lists published posts changed since), so it stays searchable until the next
reconciliation lists the published ids and deletes the rest — and only then. A reconciliation
whose listing fails deletes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hub import queue
from hub.core.settings import Settings
from tests.support.stack import wait_for
from tests.support.wordpress import WordPressSite, running_wordpress

SOURCE = "e2e-guetersloh-wp"
AGS = "05754008"
POSTS = 11  # removing 2 of 11 stays below the mass-delete share (20 %)
CATEGORY = (
    "echo wp_insert_term('Familientreffs', 'category', array('slug' => 'treffs'))['term_id'];"
)
INSERT = (
    "echo wp_insert_post(array('post_title' => 'Familientreff {n}', 'post_status' => 'publish', "
    "'post_content' => '<p>Offener Treff für Familien mit Kindern, Nummer {n}.</p>', "
    "'post_category' => array({category}), "
    "'meta_input' => array('plz' => '33330', 'ort' => 'Gütersloh')), true);"
)
PLACE = {"postcode": "acf.plz", "city": "acf.ort"}


@pytest.fixture(scope="module")
def wordpress() -> Iterator[WordPressSite]:
    with running_wordpress() as site:
        yield site


def runs(api: httpx.Client, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = api.get(f"/api/v1/sources/{SOURCE}/runs", headers=headers)
    assert response.status_code == 200, response.text
    return [run for run in response.json() if run["status"] != "running"]


def next_run(api: httpx.Client, headers: dict[str, str], done_before: int) -> dict[str, Any]:
    """Wait for the next finished run of the source and return it."""
    finished = wait_for(
        lambda: (done := runs(api, headers)) and len(done) > done_before and done,
        what="the next finished run",
    )
    return finished[0]


def found(api: httpx.Client, post_id: int) -> bool:
    """Whether the citizen's search lists the post (and its detail page answers)."""
    listed = api.get("/api/v1/offers", params={"ags": AGS, "size": 100}).json()
    ids = {hit["local_id"] for hit in listed["hits"] if hit["source_id"] == SOURCE}
    detail = api.get(f"/api/v1/offers/{SOURCE}:{post_id}").status_code
    assert (str(post_id) in ids) == (detail == 200), (ids, detail)
    return str(post_id) in ids


def test_removed_posts_leave_the_search_at_the_next_reconciliation_and_only_then(
    api: httpx.Client, admin: dict[str, str], settings: Settings, wordpress: WordPressSite
) -> None:
    category = int(wordpress.php(CATEGORY))  # its own category: the seeded posts stay out
    posts = [int(wordpress.php(INSERT.format(n=n, category=category))) for n in range(POSTS)]
    body = {"id": SOURCE, "name": "Gütersloh WordPress", "ags": [AGS], "kind": "wordpress"}
    config = {"categories": ["treffs"], "fields": PLACE, "per_page": 4}
    body |= {"url": wordpress.url, "config": config}
    created = api.post("/api/v1/sources", json=body, headers=admin)
    assert created.status_code == 201, created.text
    own = {"Authorization": f"Bearer {created.json()['api_key']}"}

    assert api.post(f"/api/v1/sources/{SOURCE}/sync", headers=own).status_code == 202
    first = next_run(api, own, 0)
    assert (first["mode"], first["status"], first["counts"]["created"]) == (
        "full", "succeeded", POSTS,
    )  # fmt: skip
    deleted, unpublished, kept = posts[:3]
    assert found(api, deleted) and found(api, unpublished)

    wordpress.php(f"wp_delete_post({deleted}, true);")
    wordpress.php(f"wp_update_post(array('ID' => {unpublished}, 'post_status' => 'draft'));")
    wordpress.php(f"wp_update_post(array('ID' => {kept}, 'post_title' => 'Familientreff neu'));")
    assert api.post(f"/api/v1/sources/{SOURCE}/sync", headers=own).status_code == 202
    incremental = next_run(api, own, 1)
    assert (incremental["mode"], incremental["status"]) == ("incremental", "succeeded")
    assert incremental["counts"]["updated"] == 1  # the edited post, nothing else was listed
    assert found(api, deleted) and found(api, unpublished)  # an incremental run cannot know

    wordpress.php("update_option('familienhub_rest_locked', 1);")
    try:
        queue.enqueue_reconcile(settings, SOURCE, trigger="test")
        refused = next_run(api, own, 2)
    finally:
        wordpress.php("delete_option('familienhub_rest_locked');")
    assert (refused["mode"], refused["status"], refused["counts"]["deleted"]) == (
        "reconcile", "failed", 0,
    )  # fmt: skip
    assert found(api, deleted) and found(api, unpublished)  # a failed listing deletes nothing

    queue.enqueue_reconcile(settings, SOURCE, trigger="test")
    reconciled = next_run(api, own, 3)
    assert (reconciled["mode"], reconciled["status"]) == ("reconcile", "succeeded")
    counts = reconciled["counts"]
    assert (counts["seen"], counts["deleted"]) == (POSTS - 2, 2)
    assert (counts["created"], counts["updated"]) == (0, 0)  # ids only: nothing fetched in full
    assert not found(api, deleted) and not found(api, unpublished)
    assert found(api, kept)
    assert api.get(f"/api/v1/sources/{SOURCE}", headers=own).json()["last_reconciled_at"]
