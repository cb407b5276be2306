"""Generic XML feeds (CMS exports that are neither RSS nor HSDS), mapped by a YAML file.

Parsing goes through `connectors.sdk.xmlsafe` (defusedxml, no DTD, no entities, no external
references): billion laughs and XXE are refused with a German reason. Paths are ElementTree's
limited XPath (`angebot`, `.//ort`, `termine/termin/@beginn`); the mapping may name the expected
root element and namespace prefixes. Each record is kept as its XML text, so a reindex can
re-normalise it without fetching.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from xml.etree.ElementTree import Element, tostring

from connectors.json_feed import MappedFeedConfig, MappedFeedConnector, refuse_html
from connectors.sdk.base import ConnectorConfig
from connectors.sdk.mapping import Resolver, XmlResolver
from connectors.sdk.xmlsafe import parse_xml
from hub.core.errors import PermanentFetchError, RecordError
from hub.core.fetcher import FetchResponse


class XmlFeedConfig(MappedFeedConfig):
    """An XML feed and its mapping (`format: xml`)."""

    mapping_format: ClassVar[str] = "xml"


class XmlFeedConnector(MappedFeedConnector[XmlFeedConfig]):
    """XML documents; records found by an ElementTree path, fields mapped by the mapping."""

    kind: ClassVar[str] = "xml_feed"
    config_model: ClassVar[type[ConnectorConfig]] = XmlFeedConfig

    def resolver(self) -> Resolver:
        return XmlResolver(self.mapping.namespaces)

    def parse(self, response: FetchResponse) -> Element:
        refuse_html(response, (b"<?xml", b"<"))
        root = parse_xml(response.content, max_bytes=self.fetcher.settings.fetch_max_bytes)
        expected = self.mapping.root
        if expected and _local(root.tag) != expected.rpartition(":")[2]:
            raise PermanentFetchError(
                f"root element {root.tag!r}, expected {expected!r}",
                message_de=f"Der Feed hat nicht die erwartete Form: Wurzelelement "
                f"<{_local(root.tag)}> statt <{expected}>.",
            )
        return root

    def nodes(self, document: Any) -> list[Any]:
        path = self.mapping.records
        if path in ("$", "", "."):
            return list(document)
        return list(document.findall(path, self.mapping.namespaces))

    def payload(self, node: Any) -> Mapping[str, Any]:
        return {"xml": tostring(node, encoding="unicode")}

    def node(self, payload: Mapping[str, Any]) -> Any:
        text = payload.get("xml")
        if not isinstance(text, str):
            return None
        try:
            return parse_xml(text.encode("utf-8"))
        except PermanentFetchError as exc:
            raise RecordError(
                f"stored XML of the record does not parse: {exc.message}",
                code="record_shape",
                message_de=exc.message_de,
            ) from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
