"""xml_feed connector: a namespaced municipal XML export end to end, golden file, hostile XML.

`angebote.expected.json` holds `notes`, `offers` (`Offer.document()` minus `next_date` and
`content_hash`) and `rejected` (local id, code, field, German message). Set UPDATE_GOLDEN=1 to
rewrite it after a deliberate change and review the diff.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.sdk.base import RawRecord, SourceContext
from connectors.sdk.paging import RetryPolicy
from connectors.sdk.registry import connector_class
from connectors.xml_feed import XmlFeedConfig, XmlFeedConnector
from hub.core.errors import PermanentFetchError
from tests.support.connectors import local_fetcher, outcome, run
from tests.support.feeds import FeedServer, Request, Route
from tests.support.golden import assert_golden_parts
from tests.support.paths import DEFUSEDXML, FIXTURES

FIXTURES = FIXTURES / "xml_feed"
CONTEXT = SourceContext(source_id="luedenscheid", ags=("05962032",), name="Stadt Lüdenscheid")
NO_WAIT = RetryPolicy(attempts=3, sleep=lambda _seconds: None)
USED_FIXTURES = {"angebote.xml", "angebote.expected.json"}
NS = "https://www.luedenscheid.de/schema/familienangebote/1.0"
XML = "application/xml; charset=utf-8"


def connector(url: str, mapping: Any = "example-xml") -> XmlFeedConnector:
    config = XmlFeedConfig.model_validate({"url": url, "mapping": mapping})
    feed = XmlFeedConnector(config, local_fetcher(), CONTEXT)
    feed.retry = NO_WAIT
    return feed


def assert_golden(case: str, got: dict[str, Any]) -> None:
    assert_golden_parts(FIXTURES / f"{case}.expected.json", got)


def page(ids: list[str], next_page: str | None = None) -> str:
    """A small generated page in the fixture's format."""
    attribute = f' naechsteSeite="{next_page}"' if next_page else ""
    items = "".join(
        f'<angebot id="{i}" geaendert="2026-03-0{n % 9 + 1}T10:00:00+01:00">'
        f"<titel>Angebot {i}</titel><link>https://www.luedenscheid.de/a/{i}</link></angebot>"
        for n, i in enumerate(ids)
    )
    return f'<?xml version="1.0"?><angebote xmlns="{NS}"{attribute}>{items}</angebote>'


# --- golden file -----------------------------------------------------------------------------


def test_municipal_xml_export_matches_the_golden_file(feed_server: FeedServer) -> None:
    body = (FIXTURES / "angebote.xml").read_bytes()
    url = feed_server.route("/export/angebote.xml", Route(body, content_type=XML))
    feed = connector(url)
    records, _ = run(feed)

    assert [r.local_id for r in records] == ["LS-2041", "LS-2057", "LS-2060"]
    assert_golden("angebote", outcome(feed, records))


def test_stored_payload_re_normalises_without_fetching(feed_server: FeedServer) -> None:
    body = (FIXTURES / "angebote.xml").read_bytes()
    url = feed_server.route("/export/angebote.xml", Route(body, content_type=XML))
    feed = connector(url)
    records, _ = run(feed)
    stored = json.loads(json.dumps(records[0].payload))
    replayed = RawRecord(records[0].local_id, stored, records[0].updated_at, records[0].source_url)

    assert feed.to_offer(replayed) == feed.to_offer(records[0])
    assert feed_server.hits("/export/angebote.xml") == 1


def test_every_fixture_is_used() -> None:
    assert {p.name for p in FIXTURES.iterdir()} == USED_FIXTURES


# --- paging and conditional GET --------------------------------------------------------------


def test_next_page_attribute_is_followed(feed_server: FeedServer) -> None:
    pages = {"": page(["a", "b"], "/export.xml?seite=2"), "seite=2": page(["c"])}

    def serve(request: Request) -> Route:
        return Route(pages[request.query], content_type=XML)

    url = feed_server.route("/export.xml", serve)
    feed = connector(url)
    records, _ = run(feed)

    assert [r.local_id for r in records] == ["a", "b", "c"]
    assert len(outcome(feed, records)["offers"]) == 3


def test_unchanged_xml_feed_answers_304(feed_server: FeedServer) -> None:
    def conditional(request: Request) -> Route:
        if request.headers.get("if-modified-since") == "Mon, 04 May 2026 06:00:00 GMT":
            return Route(b"", status=304)
        headers = {"Last-Modified": "Mon, 04 May 2026 06:00:00 GMT"}
        return Route(page(["a"]), content_type=XML, headers=headers)

    url = feed_server.route("/export.xml", conditional)
    feed = connector(url)
    _, cursor = run(feed)
    again, second = run(feed, cursor)

    assert again == [] and second.not_modified


# --- hostile and bad feeds -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "xmlbomb.xml",
        "xmlbomb2.xml",
        "quadratic.xml",
        "cyclic.xml",
        "external.xml",
        "external_file.xml",
        "dtd.xml",
    ],
)
def test_xml_bombs_and_external_entities_are_refused(feed_server: FeedServer, name: str) -> None:
    body = (DEFUSEDXML / name).read_bytes()
    url = feed_server.route("/export.xml", Route(body, content_type=XML))
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert "Sicherheitsgründen" in error.value.message_de


def test_xslt_instead_of_a_feed_is_refused(feed_server: FeedServer) -> None:
    body = (DEFUSEDXML / "xalan_exec.xsl").read_bytes()
    url = feed_server.route("/export.xml", Route(body, content_type=XML))
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert "XSLT" in error.value.message_de


def test_malformed_xml_names_the_position(feed_server: FeedServer) -> None:
    body = f'<?xml version="1.0"?>\n<angebote xmlns="{NS}">\n<angebot id="1"><titel>x</angebot>'
    url = feed_server.route("/export.xml", Route(body, content_type=XML))
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert "kein wohlgeformtes XML (Zeile 3" in error.value.message_de


def test_html_page_instead_of_a_feed_is_refused(feed_server: FeedServer) -> None:
    body = "<!DOCTYPE html><html><body><h1>Familienportal</h1></body></html>"
    url = feed_server.route("/export.xml", Route(body, content_type="text/html"))
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert error.value.message_de.startswith("Die Adresse liefert eine Webseite, keinen Feed")


def test_other_xml_document_is_refused_by_its_root(feed_server: FeedServer) -> None:
    body = '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title></channel></rss>'
    url = feed_server.route("/export.xml", Route(body, content_type=XML))
    with pytest.raises(PermanentFetchError) as error:
        run(connector(url))
    assert "Wurzelelement <rss> statt <angebote>" in error.value.message_de


def test_server_error_is_reported_after_retries(feed_server: FeedServer) -> None:
    url = feed_server.route("/export.xml", Route("gateway", status=502))
    with pytest.raises(Exception, match="HTTP 502"):
        run(connector(url))
    assert feed_server.hits("/export.xml") == NO_WAIT.attempts


def test_not_found_is_permanent(feed_server: FeedServer) -> None:
    url = feed_server.route("/export.xml", Route("weg", status=404))
    with pytest.raises(PermanentFetchError):
        run(connector(url))


def test_plain_xml_without_namespaces_works_with_an_inline_mapping(
    feed_server: FeedServer,
) -> None:
    body = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><liste><eintrag nr="7">'
        "<name>Elterncaf\xe9</name><url>https://www.halver.de/elterncafe</url>"
        "<stand>01.03.2026</stand><alter>U3</alter></eintrag></liste>"
    ).encode("latin-1")
    url = feed_server.route("/liste.xml", Route(body, content_type="text/xml"))
    mapping = {
        "format": "xml",
        "records": "eintrag",
        "id": "@nr",
        "updated_at": {"path": "stand", "transform": "datetime_de"},
        "fields": {"title": "name", "url": "url"},
        "hints": {"age_text": "alter"},
    }
    feed = connector(url, mapping=mapping)
    records, _ = run(feed)
    offer = outcome(feed, records)["offers"][0]

    assert offer["title"] == "Elterncafé"
    assert (offer["age_min_months"], offer["age_max_months"]) == (0, 36)
    assert offer["updated_at"] == "2026-03-01T00:00:00+01:00"


def test_xml_feed_is_registered_under_its_kind() -> None:
    assert connector_class("xml_feed") is XmlFeedConnector


def test_path_with_an_undeclared_namespace_prefix_is_refused_at_registration() -> None:
    mapping = {"format": "xml", "records": "f:angebot", "id": "@id", "fields": {"title": "f:t"}}
    with pytest.raises(ValueError, match="prefix 'f' not found"):
        XmlFeedConfig.model_validate({"url": "https://a.example/x.xml", "mapping": mapping})
