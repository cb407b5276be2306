"""Full resyncs skip feed pages whose bytes did not change, on the real engine and a real feed.

A paged Atom feed is served on 127.0.0.1; each test syncs it in full once, changes (or not)
what it serves, and syncs again in full. A skipped page shows in the run's
`skipped_unchanged_pages`; its records count as seen and unchanged, so deletions still follow
the complete listing.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qs

import pytest

from hub.core.settings import Settings
from hub.dev.fleet.generate import generate_fleet
from hub.dev.fleet.server import FleetSimulator
from hub.ingest import pages as kept_pages
from hub.ingest.pages import PageStore
from hub.ingest.runner import SyncOptions, SyncRunner
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.search.writer import OfferWriter
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.feeds import FeedServer, Request, Route

ATOM = "application/atom+xml; charset=utf-8"
FULL = SyncOptions(full=True)


def entry(number: int, title: str = "") -> str:
    return f"""
  <entry>
    <title>{title or f"Eltern-Kind-Gruppe {number}"}</title>
    <link href="https://www.unna.de/familie/gruppe-{number}"/>
    <id>urn:gruppe:{number}</id>
    <updated>2026-11-18T12:00:00Z</updated>
    <category term="Eltern-Kind-Gruppe"/>
    <summary>Treffen für Eltern mit Kindern unter drei Jahren im Familienzentrum.</summary>
  </entry>"""


def page(path: str, entries: list[str], following: str | None) -> Route:
    link = f'<link rel="next" href="{following}"/>' if following else ""
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
  <title>Familienangebote Unna</title>
  <link rel="self" href="{path}"/>{link}
  <id>urn:uuid:unna-familie</id>
  <updated>2026-11-18T12:00:00Z</updated>{"".join(entries)}
</feed>"""
    return Route(body, content_type=ATOM)


class PagedFeed:
    """Two pages of three entries each; `serve` puts what is given on the server."""

    def __init__(self, server: FeedServer, source_id: str) -> None:
        self.server, self.path = server, f"/{source_id}.atom"
        self.pages = [[entry(n) for n in (1, 2, 3)], [entry(n) for n in (4, 5, 6)]]

    def serve(self) -> None:
        second = f"{self.path}?seite=2"
        self.server.route(self.path, page(self.path, self.pages[0], second))
        self.server.route(second, page(second, self.pages[1], None))


@pytest.fixture
def source(engine: SearchEngine, feed_server: FeedServer) -> str:
    source_id = f"pages-{uuid.uuid4().hex[:8]}"
    SourceRegistry(engine).create(
        SourceInput(
            id=source_id, ags=["05978036"], kind="rss", url=feed_server.url(f"/{source_id}.atom")
        )
    )
    return source_id


@pytest.fixture
def feed(feed_server: FeedServer, source: str) -> PagedFeed:
    served = PagedFeed(feed_server, source)
    served.serve()
    return served


@pytest.fixture
def runner(settings: Settings, engine: SearchEngine) -> SyncRunner:
    return SyncRunner(settings, engine)


def indexed(engine: SearchEngine, source: str) -> dict[str, dict[str, Any]]:
    engine.request("POST", f"/{engine.name(OFFERS)}/_refresh")
    body = {"size": 100, "query": {"term": {"source_id": source}}, "version": True}
    hits = engine.request("POST", f"/{engine.name(OFFERS)}/_search", body)["hits"]["hits"]
    return {h["_source"]["local_id"]: {**h["_source"], "_version": h["_version"]} for h in hits}


def test_unchanged_pages_are_skipped_and_their_records_kept(
    engine: SearchEngine, runner: SyncRunner, source: str, feed: PagedFeed
) -> None:
    first = runner.run(source, FULL)
    before = indexed(engine, source)
    second = runner.run(source, FULL)

    assert (first.counts.created, first.counts.skipped_unchanged_pages) == (6, 0)
    counts = second.counts
    assert (counts.skipped_unchanged_pages, counts.seen, counts.unchanged) == (2, 6, 6)
    assert (counts.created, counts.updated, counts.deleted) == (0, 0, 0)
    assert indexed(engine, source) == before  # same documents, same versions
    assert feed.server.hits(feed.path) == 4  # both pages were still fetched, twice each


def test_a_record_removed_from_an_unchanged_feed_is_deleted(
    engine: SearchEngine, runner: SyncRunner, source: str, feed: PagedFeed
) -> None:
    runner.run(source, FULL)
    feed.pages[1] = [entry(4), entry(6)]
    feed.serve()

    second = runner.run(source, FULL)

    assert second.counts.skipped_unchanged_pages == 1  # page 1 only
    assert (second.counts.seen, second.counts.deleted) == (5, 1)
    assert sorted(indexed(engine, source)) == [f"urn:gruppe:{n}" for n in (1, 2, 3, 4, 6)]


def test_a_page_whose_bytes_changed_is_read(
    engine: SearchEngine, runner: SyncRunner, source: str, feed: PagedFeed
) -> None:
    runner.run(source, FULL)
    feed.pages[0][1] = entry(2, title="Krabbelgruppe am Dienstag")
    feed.serve()

    second = runner.run(source, FULL)

    assert (second.counts.skipped_unchanged_pages, second.counts.updated) == (1, 1)
    assert indexed(engine, source)["urn:gruppe:2"]["title"] == "Krabbelgruppe am Dienstag"


def test_a_page_listing_an_offer_no_longer_indexed_is_read_again(
    engine: SearchEngine, runner: SyncRunner, source: str, feed: PagedFeed
) -> None:
    runner.run(source, FULL)
    gone = indexed(engine, source)["urn:gruppe:5"]["id"]
    writer = OfferWriter(engine)
    writer.delete([gone])
    writer.refresh()

    second = runner.run(source, FULL)

    # page 2 went through the writer again, which keeps the deletion (its tombstone) as before
    assert (second.counts.skipped_unchanged_pages, second.counts.stale) == (1, 1)
    assert second.counts.unchanged == 5


def test_a_config_change_reads_every_page_again(
    engine: SearchEngine, runner: SyncRunner, source: str, feed: PagedFeed
) -> None:
    runner.run(source, FULL)
    SourceRegistry(engine).update(source, lambda s: s.config.update(kind="kurs"))

    second = runner.run(source, FULL)
    third = runner.run(source, FULL)

    assert (second.counts.skipped_unchanged_pages, second.counts.seen) == (0, 6)
    assert second.counts.updated == 6  # the new config changed every offer
    assert third.counts.skipped_unchanged_pages == 2


def test_a_new_normaliser_reads_every_page_again(
    engine: SearchEngine,
    runner: SyncRunner,
    source: str,
    feed: PagedFeed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner.run(source, FULL)
    newer = kept_pages.normaliser_state() + "+changed"
    monkeypatch.setattr(kept_pages, "normaliser_state", lambda: newer)

    second = runner.run(source, FULL)

    assert (second.counts.skipped_unchanged_pages, second.counts.seen) == (0, 6)


def test_a_scheduled_run_of_a_feed_listed_in_full_skips_too(
    engine: SearchEngine, runner: SyncRunner, source: str, feed: PagedFeed
) -> None:
    runner.run(source, FULL)
    feed.pages[1] = [entry(4), entry(5)]
    feed.serve()

    second = runner.run(source)  # rss is listed in full on every run

    assert (second.mode, second.counts.skipped_unchanged_pages) == ("full", 1)
    assert (second.counts.seen, second.counts.deleted) == (5, 1)


def test_numbered_pages_read_after_a_skipped_page_keep_their_count(
    engine: SearchEngine, runner: SyncRunner, feed_server: FeedServer
) -> None:
    """A feed paged by number without a total (the paging goes on while pages are full):
    skipping page 1 must neither end the listing early nor read past its end."""
    offers = [
        {
            "local_id": f"kurs-{n}",
            "title": f"Familienkurs {n}",
            "url": f"https://www.unna.de/kurse/{n}",
            "kind": "kurs",
            "online": True,
            "updated_at": "2026-11-01T10:00:00+01:00",
        }
        for n in range(1, 9)
    ]

    def answer(request: Request) -> Route:
        number = int(parse_qs(request.query)["seite"][0])
        return Route(json.dumps({"offers": offers[(number - 1) * 3 : number * 3]}))

    source_id = f"pages-{uuid.uuid4().hex[:8]}"
    mapping = {
        "records": "offers",
        "id": "local_id",
        "updated_at": "updated_at",
        "fields": {"title": "title", "url": "url", "kind": "kind", "online": "online"},
        "paging": {"page_param": "seite", "size": 3},
    }
    url = feed_server.route(f"/{source_id}.json", answer)
    SourceRegistry(engine).create(
        SourceInput(
            id=source_id, ags=["05978036"], kind="json_feed", url=url, config={"mapping": mapping}
        )
    )
    runner.run(source_id, FULL)
    offers[4] = {**offers[4], "title": "Familienkurs am Samstag"}  # page 2 of 3

    second = runner.run(source_id, FULL)
    third = runner.run(source_id, FULL)

    counts = second.counts
    assert (counts.skipped_unchanged_pages, counts.seen, counts.updated) == (2, 8, 1)
    assert (counts.deleted, third.counts.skipped_unchanged_pages, third.counts.seen) == (0, 3, 8)
    assert feed_server.hits(f"/{source_id}.json") == 9  # pages 1–3, three runs


def test_a_wordpress_resync_that_skipped_every_page_keeps_its_cursor(
    engine: SearchEngine, runner: SyncRunner
) -> None:
    """WordPress posts carry a modified-since position read from the records; a full resync
    that skipped every page read none, so the position is the one read with those bytes."""
    sources = generate_fleet(1, 120, seed=5, kinds=("wordpress",), page_size=40)
    with FleetSimulator(sources) as sim:
        for registration in sim.registrations():
            SourceRegistry(engine).create(SourceInput.model_validate(registration))
        source_id = next(iter(sim.servers))
        first = runner.run(source_id, FULL)
        position = SourceRegistry(engine).get(source_id).cursor["position"]

        second = runner.run(source_id, FULL)
        kept = SourceRegistry(engine).get(source_id).cursor["position"]
        third = runner.run(source_id)

    pages = -(-first.counts.seen // 40)
    assert first.counts.seen > 40 and position["modified_gmt"]
    assert (second.counts.skipped_unchanged_pages, second.counts.seen) == (
        pages,
        first.counts.seen,
    )
    assert kept == position
    assert (third.mode, third.counts.seen) == ("incremental", 0)


def test_deleting_a_source_drops_its_kept_pages(
    engine: SearchEngine, runner: SyncRunner, source: str, feed: PagedFeed
) -> None:
    runner.run(source, FULL)
    assert len(PageStore(engine).load(source).pages) == 2

    SourceRegistry(engine).delete(source)

    assert PageStore(engine).load(source).pages == {}
