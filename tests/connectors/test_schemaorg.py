"""schema.org JSON-LD crawler against a small municipal site served over a real HTTP server.

The site (tests/fixtures/schemaorg/) has a sitemap index, two sitemaps, robots.txt, a listing
page and one HTML page per schema.org example (and two German ones). `{{BASE}}` in a fixture
stands for the server's address. Each example page is crawled on its own (link_pattern) and its
offers are compared with `<case>.expected.json` (documents minus next_date/content_hash, the
base URL written as `{{BASE}}`; `UPDATE_GOLDEN=1` rewrites them). Rejections and tombstones are
asserted below, per case.
"""

from __future__ import annotations

import gzip
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from connectors.schemaorg import SchemaOrgConfig, SchemaOrgConnector
from connectors.sdk import jsonld
from connectors.sdk.base import SourceContext
from connectors.sdk.recurrence import Window
from connectors.sdk.robots import RobotsCache
from hub.core.errors import PermanentFetchError, TransientFetchError
from hub.core.ratelimit import TokenBucketLimiter
from hub.core.schema import offer_id
from hub.core.settings import Settings
from hub.ingest.runner import SyncRunner
from hub.search.engine import SearchEngine
from hub.search.writer import OfferWriter
from hub.sources.store import SourceInput, SourceRegistry
from tests.support import golden
from tests.support.connectors import local_fetcher, normalise_by_id, run
from tests.support.feeds import FeedServer, Route
from tests.support.golden import templated
from tests.support.paths import DEFUSEDXML, FIXTURES

FIXTURES = FIXTURES / "schemaorg"
ANGEBOTE = "/familie/angebote/"
DEFAULT_NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CASES = sorted(p.stem for p in FIXTURES.glob("*.html") if p.stem.startswith(("eg-", "de-")))
# per case: the injected "now" and window (schedules expand from now), rejections, tombstones
CLOCK = {
    "eg-0240-event-schedule-1": (datetime(2017, 3, 1, tzinfo=UTC), 28),
    "eg-0241-event-schedule-2": (DEFAULT_NOW, 45),
    "eg-0242-event-schedule-3": (datetime(2016, 12, 20, tzinfo=UTC), 180),
    "eg-0243-event-schedule-4": (DEFAULT_NOW, 7),
    "eg-0244-event-schedule-5": (DEFAULT_NOW, 90),
}
REJECTED = {
    "eg-0313-eventseries": {"http://www.rio2016.com/en/rowing": "invalid_missing"},
    "eg-0332-course-courseinstance-1": {
        "{{BASE}}/familie/angebote/eg-0332-course-courseinstance-1.html": "invalid_missing"
    },
    "eg-0421-service-taxiservice-geocircle": {
        "{{BASE}}/familie/angebote/eg-0421-service-taxiservice-geocircle.html": "invalid_missing"
    },
}
DELETED = {"eg-0171-event-cancelled": ["{{BASE}}/familie/angebote/eg-0171-event-cancelled.html"]}
WITHOUT_OFFERS = {
    "eg-0005-place-geocoordinates",
    "eg-0007-organization-address",
    "eg-0015-place-localbusiness-address",
    "eg-0193-store-openinghoursspecification",
    "eg-0199-organization-contactpoint",
    "eg-0200-organization-contactpoint-options",
    "eg-0378-library-openinghoursspecification",
    "eg-0403-policestation-areaserved",
}


def fixture(name: str, base: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8").replace("{{BASE}}", base)


def serve_site(server: FeedServer) -> None:
    """Every page of the fixture site at its path; `{{BASE}}` filled with the server's URL."""
    base = server.base_url
    server.route("/robots.txt", Route(fixture("robots.txt", base), content_type="text/plain"))
    for sitemap in ("sitemap.xml", "sitemap-angebote.xml", "sitemap-seiten.xml"):
        server.route(f"/{sitemap}", Route(fixture(sitemap, base), content_type="application/xml"))
    pages = {
        ANGEBOTE: "listing.html",
        f"{ANGEBOTE}intern/entwurf.html": "robots-disallowed-draft.html",
        f"{ANGEBOTE}keine-daten.html": "no-jsonld.html",
        f"{ANGEBOTE}kaputt.html": "broken-jsonld-block.html",
    }
    pages |= {f"{ANGEBOTE}{case}.html": f"{case}.html" for case in CASES}
    for path, name in pages.items():
        html = Route(fixture(name, base), content_type="text/html; charset=utf-8")
        server.route(path, html)


@pytest.fixture
def site(feed_server: FeedServer) -> FeedServer:
    serve_site(feed_server)
    return feed_server


@pytest.fixture(scope="module")
def shared_site(module_server: FeedServer) -> FeedServer:
    """One read-only site for the golden cases (a server's shutdown costs half a second)."""
    serve_site(module_server)
    return module_server


def connector(
    server: FeedServer,
    now: datetime = DEFAULT_NOW,
    sleeps: list[float] | None = None,
    **config: Any,
) -> SchemaOrgConnector:
    raw = {"url": server.url("/sitemap.xml"), "link_pattern": re.escape(ANGEBOTE) + r".+\.html$"}
    parsed = SchemaOrgConfig.model_validate(raw | config)
    context = SourceContext("beispielstadt-web", ags=("05515000",), name="Familienportal")
    record_sleep = sleeps.append if sleeps is not None else lambda _s: None
    return SchemaOrgConnector(
        parsed,
        local_fetcher(),
        context,
        clock=lambda: now,
        limiter=TokenBucketLimiter(1000.0, sleep=record_sleep),
        sleep=record_sleep,
    )


def assert_golden(case: str, offers: list[dict[str, Any]]) -> None:
    golden.assert_golden(FIXTURES / f"{case}.expected.json", None, offers)


@pytest.mark.parametrize("case", CASES)
def test_example_page_becomes_golden_offers(shared_site: FeedServer, case: str) -> None:
    site = shared_site
    now, window = CLOCK.get(case, (DEFAULT_NOW, 180))
    pattern = re.escape(f"{ANGEBOTE}{case}.html") + "$"
    crawler = connector(site, now=now, link_pattern=pattern, window_days=window)

    records, cursor = run(crawler)
    offers, rejected = normalise_by_id(crawler, records, skip_deleted=True)

    base = site.base_url
    assert_golden(case, templated(offers, base))
    assert templated(rejected, base) == REJECTED.get(case, {})
    assert templated([r.local_id for r in records if r.deleted], base) == DELETED.get(case, [])
    assert crawler.stats["pages"] == 1
    assert crawler.stats["pages_without_offers"] == (1 if case in WITHOUT_OFFERS else 0)
    assert cursor.position == {}  # a crawl has no resume point: every run is full


def test_golden_files_and_pages_match_one_to_one() -> None:
    expected = sorted(
        p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json")
    )
    assert expected == CASES
    assert len([c for c in CASES if c.startswith("eg-")]) == 25


def test_full_crawl_honours_robots_txt_and_never_fetches_a_disallowed_page(
    site: FeedServer,
) -> None:
    crawler = connector(site)

    records, _cursor = run(crawler)

    paths = [r.path for r in site.requests]
    assert f"{ANGEBOTE}intern/entwurf.html" not in paths
    assert paths[:4] == [
        "/robots.txt",
        "/sitemap.xml",
        "/sitemap-angebote.xml",
        "/sitemap-seiten.xml",
    ]
    assert paths.count("/robots.txt") == 1
    assert all(r.headers["user-agent"].startswith("FamilienhubNRW") for r in site.requests)
    assert crawler.stats["robots_disallowed"] == 1
    assert crawler.stats["pages"] == len(CASES) + 1
    assert crawler.stats["pages_without_jsonld"] == 1
    assert {r.source_url for r in records} <= {site.url(f"{ANGEBOTE}{c}.html") for c in CASES}


def test_listing_page_links_are_followed_on_the_same_host_only(site: FeedServer) -> None:
    crawler = connector(site, url=site.url(ANGEBOTE))

    run(crawler)

    paths = {r.path for r in site.requests}
    assert {f"{ANGEBOTE}{case}.html" for case in CASES} <= paths
    assert f"{ANGEBOTE}keine-daten.html" in paths
    assert f"{ANGEBOTE}intern/entwurf.html" not in paths
    assert "/kontakt.html" not in paths
    assert crawler.stats["pages_without_jsonld"] == 1


def test_broken_json_ld_block_becomes_a_rejection_and_the_good_block_an_offer(
    site: FeedServer,
) -> None:
    site.route(
        ANGEBOTE + "links.html", Route('<a href="kaputt.html">x</a>', content_type="text/html")
    )
    crawler = connector(site, url=site.url(ANGEBOTE + "links.html"), link_pattern="kaputt")

    records, _cursor = run(crawler)
    offers, rejected = normalise_by_id(crawler, records, skip_deleted=True)

    assert [o["title"] for o in offers] == ["Babymassage-Kurs"]
    assert offers[0]["dates"] == [
        {"start": "2026-12-03T10:00:00+01:00", "end": "2026-12-03T11:00:00+01:00"}
    ]
    assert rejected == {site.url(ANGEBOTE + "kaputt.html") + "#jsonld-2": "invalid_jsonld"}


def test_page_gone_from_the_sitemap_is_skipped_and_counted(site: FeedServer) -> None:
    gone = f"{ANGEBOTE}eg-0012-event-place-offer.html"
    site.route(gone, Route("<h1>Nicht gefunden</h1>", status=404, content_type="text/html"))
    crawler = connector(site)

    records, _cursor = run(crawler)

    assert crawler.stats["pages_gone"] == 1
    assert site.url(gone) not in {r.source_url for r in records}


def test_transient_page_error_is_retried_without_restarting_the_crawl(site: FeedServer) -> None:
    flaky = f"{ANGEBOTE}de-geburtsvorbereitungskurs-course.html"
    answers = [Route("busy", status=503, headers={"Retry-After": "7"}, content_type="text/plain")]
    page = Route(
        fixture("de-geburtsvorbereitungskurs-course.html", site.base_url), content_type="text/html"
    )
    site.route(flaky, lambda _request: answers.pop() if answers else page)
    sleeps: list[float] = []
    crawler = connector(site, sleeps=sleeps)

    records, _cursor = run(crawler)

    assert [r.path for r in site.requests].count(flaky) == 2
    assert [r.path for r in site.requests].count("/sitemap.xml") == 1
    assert 7.0 in sleeps
    assert site.url(flaky) in {r.source_url for r in records}


def test_server_that_keeps_failing_fails_the_run(site: FeedServer) -> None:
    site.route(
        f"{ANGEBOTE}eg-0012-event-place-offer.html",
        Route("down", status=502, content_type="text/plain"),
    )

    with pytest.raises(TransientFetchError):
        run(connector(site))


def test_more_offer_pages_than_max_pages_fails_so_nothing_is_deleted(site: FeedServer) -> None:
    crawler = connector(site, max_pages=3)

    with pytest.raises(PermanentFetchError) as error:
        run(crawler)

    assert "max_pages" in error.value.message_de
    assert crawler.stats["pages"] == 3


def test_start_url_disallowed_by_robots_is_a_permanent_error(site: FeedServer) -> None:
    site.route(
        "/robots.txt", Route("User-agent: FamilienhubNRW\nDisallow: /\n", content_type="text/plain")
    )

    with pytest.raises(PermanentFetchError) as error:
        run(connector(site))

    assert "robots.txt" in error.value.message_de
    assert [r.path for r in site.requests] == ["/robots.txt"]


def test_missing_robots_txt_allows_everything(site: FeedServer) -> None:
    del site.routes["/robots.txt"]

    records, _cursor = run(connector(site))

    assert records
    assert f"{ANGEBOTE}intern/entwurf.html" in [r.path for r in site.requests]


def test_robots_txt_server_error_fails_the_run(site: FeedServer) -> None:
    site.route("/robots.txt", Route("oops", status=500, content_type="text/plain"))

    with pytest.raises(TransientFetchError):
        run(connector(site))


def test_crawl_delay_in_robots_txt_slows_the_crawl_down(site: FeedServer) -> None:
    robots = fixture("robots.txt", site.base_url).replace("/suche\n", "/suche\nCrawl-delay: 2\n")
    site.route("/robots.txt", Route(robots, content_type="text/plain"))
    sleeps: list[float] = []
    pattern = re.escape(ANGEBOTE) + "de-.+"

    run(connector(site, sleeps=sleeps, link_pattern=pattern))

    assert sleeps and min(sleeps) > 1.9


def test_requests_are_spaced_by_requests_per_second(site: FeedServer) -> None:
    config = SchemaOrgConfig.model_validate(
        {"url": site.url("/sitemap.xml"), "link_pattern": "de-", "requests_per_second": 10}
    )
    crawler = SchemaOrgConnector(config, local_fetcher(), SourceContext("s"))
    started = datetime.now(UTC)

    run(crawler)

    page_requests = [r for r in site.requests if r.path != "/robots.txt"]
    elapsed = (datetime.now(UTC) - started).total_seconds()
    assert len(page_requests) == 5
    assert elapsed >= 0.39  # five requests at 10/s: four gaps of 0.1 s


def test_gzipped_sitemap_is_read(site: FeedServer) -> None:
    body = gzip.compress(fixture("sitemap-angebote.xml", site.base_url).encode())
    site.route("/sitemap.xml.gz", Route(body, content_type="application/x-gzip"))

    records, _cursor = run(connector(site, url=site.url("/sitemap.xml.gz"), link_pattern="de-"))

    assert len({r.source_url for r in records}) == 2


@pytest.mark.parametrize(
    "name", ["xmlbomb.xml", "external.xml", "dtd.xml", "cyclic.xml", "quadratic.xml"]
)
def test_hostile_sitemap_xml_is_refused(site: FeedServer, name: str) -> None:
    hostile = DEFUSEDXML / name
    site.route("/evil.xml", Route(hostile.read_bytes(), content_type="application/xml"))

    with pytest.raises(PermanentFetchError):
        run(connector(site, url=site.url("/evil.xml")))


def test_xml_that_is_no_sitemap_is_refused(site: FeedServer) -> None:
    site.route(
        "/feed.xml", Route("<rss version='2.0'><channel/></rss>", content_type="application/xml")
    )

    with pytest.raises(PermanentFetchError) as error:
        run(connector(site, url=site.url("/feed.xml")))

    assert "Sitemap" in error.value.message_de


def test_unreachable_start_page_is_a_permanent_error(site: FeedServer) -> None:
    with pytest.raises(PermanentFetchError):
        run(connector(site, url=site.url("/gibt-es-nicht.xml")))


def test_invalid_link_pattern_is_refused_by_the_config() -> None:
    with pytest.raises(ValueError, match="regular expression"):
        SchemaOrgConfig.model_validate({"url": "https://example.org/", "link_pattern": "(["})


def test_token_bucket_spaces_requests_per_host() -> None:
    now = [0.0]
    waits: list[float] = []
    limiter = TokenBucketLimiter(2.0, clock=lambda: now[0], sleep=waits.append)

    for _ in range(3):
        limiter.acquire("a.example")
    limiter.acquire("b.example")
    now[0] = 10.0
    limiter.acquire("a.example")

    assert waits == [0.5, 1.0]


def test_token_bucket_rate_can_be_lowered_per_host() -> None:
    now = [0.0]
    limiter = TokenBucketLimiter(10.0, clock=lambda: now[0])
    limiter.set_rate("slow.example", 0.5)

    assert limiter.reserve("slow.example") == 0.0
    assert limiter.reserve("slow.example") == pytest.approx(2.0)
    assert limiter.reserve("fast.example") == 0.0


def test_robots_cache_fetches_each_host_once(site: FeedServer) -> None:
    fetcher = local_fetcher()
    robots = RobotsCache(fetcher, fetcher.settings.user_agent)

    assert robots.allowed(site.url(ANGEBOTE + "a.html"))
    assert not robots.allowed(site.url(ANGEBOTE + "intern/b.html"))
    assert not robots.allowed(site.url("/suche?q=kita"))

    assert [r.path for r in site.requests] == ["/robots.txt"]


def test_weekly_schedule_keeps_local_time_across_daylight_saving() -> None:
    event = {
        "@type": "Event",
        "name": "Elterncafé",
        "eventSchedule": {
            "@type": "Schedule",
            "startDate": "2027-03-17",
            "endDate": "2027-04-07",
            "repeatFrequency": "P1W",
            "byDay": "https://schema.org/Wednesday",
            "startTime": "15:00",
            "endTime": "17:00",
        },
    }
    zone = ZoneInfo("Europe/Berlin")
    now = datetime(2027, 3, 1, tzinfo=zone)
    graph = jsonld.Graph([event], "https://www.example.org/elterncafe")

    offer = jsonld.map_item(event, graph, Window(now, now + timedelta(days=60), zone))

    assert [d["start"] for d in offer["dates"]] == [
        "2027-03-17T15:00:00+01:00",
        "2027-03-24T15:00:00+01:00",
        "2027-03-31T15:00:00+02:00",
        "2027-04-07T15:00:00+02:00",
    ]
    assert offer["recurrence_text"] == "wöchentlich mittwochs, 15:00–17:00 Uhr"
    assert offer["valid_until"] == "2027-04-07"


def test_page_removed_from_the_site_leaves_the_index_at_the_next_run(
    site: FeedServer, engine: SearchEngine, settings: Settings
) -> None:
    source_id = f"crawl-{uuid.uuid4().hex[:8]}"
    config = {"link_pattern": re.escape(ANGEBOTE) + r"(eg-0[2-4]|de-).+\.html$"}
    config |= {"requests_per_second": 10}
    SourceRegistry(engine).create(
        SourceInput(id=source_id, ags=["05515000"], kind="schemaorg",
                    url=site.url("/sitemap.xml"), config=config)
    )  # fmt: skip
    runner, writer = SyncRunner(settings, engine), OfferWriter(engine)
    try:
        first = runner.run(source_id)
        removed = f"{ANGEBOTE}de-geburtsvorbereitungskurs-course.html"
        site.route(removed, Route("<h1>Nicht gefunden</h1>", status=404, content_type="text/html"))

        second = runner.run(source_id)

        assert (first.mode, second.mode) == ("full", "full")
        assert second.counts.deleted == 1
        kept = writer.ids_of_source(source_id)
        assert len(kept) == first.counts.created - 1
        assert offer_id(source_id, site.url(removed)) not in kept
    finally:  # the pages lie in Münster: leave no offers for the searches of other tests
        writer.delete(sorted(writer.ids_of_source(source_id)))
        writer.refresh()
