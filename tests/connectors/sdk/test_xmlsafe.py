"""`parse_xml` against the defusedxml test corpus and the PayloadsAllTheThings XXE lists.

Every hostile document is refused with a German `PermanentFetchError`; the benign ones parse.
No payload may read a file or open a socket, and memory stays bounded (tracemalloc).
"""

from __future__ import annotations

import socket
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, tostring

import pytest

from connectors.sdk.xmlsafe import parse_xml
from hub.core.errors import PermanentFetchError, UnsafeXMLError
from hub.core.text import html_to_text
from tests.support.paths import HOSTILE_XML

FILES = sorted(p for p in HOSTILE_XML.rglob("*") if p.suffix in {".xml", ".xsd", ".xsl"})
BENIGN = {"simple.xml", "simple-ns.xml"}
LINES = [
    (f"{path.stem}:{number}", line)
    for path in sorted(HOSTILE_XML.rglob("*.txt"))
    if not path.name.startswith("LICENSE")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
    if line.strip()
]
PEAK_LIMIT = 50 * 1024 * 1024


@pytest.fixture(autouse=True)
def no_network_or_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to resolve an external entity over the network fails the test loudly."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"XML parsing tried to open a connection: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield


def parse_measured(content: bytes) -> tuple[Element | PermanentFetchError, int]:
    """The parse outcome (element or error) and the peak traced memory in bytes."""
    tracemalloc.start()
    try:
        try:
            outcome: Element | PermanentFetchError = parse_xml(content)
        except PermanentFetchError as exc:
            outcome = exc
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_is_refused_or_parsed_if_benign(path: Path) -> None:
    outcome, peak = parse_measured(path.read_bytes())
    assert peak < PEAK_LIMIT
    if path.name in BENIGN:
        assert isinstance(outcome, Element)
        assert "text" in tostring(outcome).decode()
    else:
        assert isinstance(outcome, UnsafeXMLError), outcome
        assert outcome.message_de and outcome.code == "unsafe_xml"


@pytest.mark.parametrize("line", [line for _, line in LINES], ids=[name for name, _ in LINES])
def test_payload_line_is_refused_or_parses_inert(line: str) -> None:
    outcome, peak = parse_measured(line.encode("utf-8"))
    assert peak < PEAK_LIMIT
    if isinstance(outcome, Exception):
        assert isinstance(outcome, UnsafeXMLError)
        return
    assert "<!DOCTYPE" not in line and "<!ENTITY" not in line
    rendered = tostring(outcome).decode()
    assert "root:" not in rendered and "[boot loader]" not in rendered
    text = html_to_text(" ".join(outcome.itertext()))
    assert "<script" not in text.lower()  # CDATA-smuggled markup dies in the sanitiser


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("defusedxml/xmlbomb.xml", "dtd"),
        ("defusedxml/quadratic.xml", "dtd"),
        ("payloadsallthethings/Classic_XXE_-_etc_passwd.xml", "dtd"),
        ("defusedxml/xalan_exec.xsl", "foreign-document"),
        ("defusedxml/schema-include.xsd", "foreign-document"),
        ("payloadsallthethings/XXE_OOB_Attack_Yunusov_2013.xml", "malformed"),
    ],
)
def test_refusals_say_why(name: str, reason: str) -> None:
    with pytest.raises(UnsafeXMLError) as caught:
        parse_xml((HOSTILE_XML / name).read_bytes())
    assert caught.value.reason == reason


def test_a_bare_doctype_may_be_allowed_but_entities_never() -> None:
    rss = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC '
        b'"-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"/>'
    )
    assert parse_xml(rss, allow_doctype=True).tag == "rss"
    with pytest.raises(UnsafeXMLError):
        parse_xml(rss)
    for name in ("xmlbomb.xml", "external.xml", "external_file.xml", "cyclic.xml"):
        with pytest.raises(UnsafeXMLError) as caught:
            parse_xml((HOSTILE_XML / "defusedxml" / name).read_bytes(), allow_doctype=True)
        assert caught.value.reason in {"entities", "external"}


def test_oversized_xml_is_refused_before_parsing() -> None:
    with pytest.raises(UnsafeXMLError) as caught:
        parse_xml(b"<a>" + b"x" * 2048 + b"</a>", max_bytes=1024)
    assert caught.value.reason == "too-large"


def test_malformed_xml_names_the_position_in_german() -> None:
    with pytest.raises(UnsafeXMLError) as caught:
        parse_xml(b"<feed>\n  <item></feed>")
    assert "Zeile 2" in caught.value.message_de


def test_a_deep_and_wide_benign_document_parses_in_bounded_memory() -> None:
    document = b"<r>" + b"<a>" * 5000 + b"</a>" * 5000 + b"<i>x</i>" * 200_000 + b"</r>"
    outcome, peak = parse_measured(document)
    assert not isinstance(outcome, Exception)
    assert peak < PEAK_LIMIT
