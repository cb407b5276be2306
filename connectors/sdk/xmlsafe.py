"""Parsing untrusted XML feeds: defusedxml with DTDs, entities and external references refused.

Feeds never need a DTD, so the default refuses any DOCTYPE: entity bombs (billion laughs,
quadratic blow-up), XXE (`file://`, `http://`, `php://` entities) and parameter-entity
exfiltration all need one. `allow_doctype=True` tolerates a bare DOCTYPE line (old RSS 0.91
feeds carry one) while entity declarations and external references stay refused. The document
is never validated against its DTD or a schema, and XSLT/XSD documents are refused outright.
"""

from __future__ import annotations

from typing import cast
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml import ElementTree as SafeElementTree

from hub.core.errors import UnsafeXMLError

MAX_XML_BYTES = 20 * 1024 * 1024
FOREIGN_ROOTS = {
    "{http://www.w3.org/1999/XSL/Transform}stylesheet": "ein XSLT-Stylesheet",
    "{http://www.w3.org/1999/XSL/Transform}transform": "ein XSLT-Stylesheet",
    "{http://www.w3.org/2001/XMLSchema}schema": "ein XML-Schema (XSD)",
}


def parse_xml(
    content: bytes, *, max_bytes: int = MAX_XML_BYTES, allow_doctype: bool = False
) -> Element:
    """The root element of `content`, or `UnsafeXMLError` (a `PermanentFetchError`)."""
    if len(content) > max_bytes:
        raise UnsafeXMLError(
            f"XML of {len(content)} bytes exceeds {max_bytes}",
            reason="too-large",
            message_de=f"Das XML-Dokument ist zu groß (mehr als {max_bytes // 1024 // 1024} MB).",
        )
    try:
        root = SafeElementTree.fromstring(
            content, forbid_dtd=not allow_doctype, forbid_entities=True, forbid_external=True
        )
    except DTDForbidden as exc:
        raise _refused(exc, "dtd", "eine DOCTYPE-Deklaration (DTD)") from exc
    except EntitiesForbidden as exc:
        raise _refused(exc, "entities", "selbst definierte Entitäten (<!ENTITY …>)") from exc
    except ExternalReferenceForbidden as exc:
        raise _refused(exc, "external", "Verweise auf externe Dateien oder Adressen") from exc
    except (ParseError, ValueError) as exc:
        position = getattr(exc, "position", None)
        where = f" (Zeile {position[0]}, Spalte {position[1] + 1})" if position else ""
        raise UnsafeXMLError(
            f"malformed XML: {exc}",
            reason="malformed",
            message_de=f"Der Feed ist kein wohlgeformtes XML{where}.",
        ) from exc
    element = cast(Element, root)
    if element.tag in FOREIGN_ROOTS:
        raise UnsafeXMLError(
            f"XML root {element.tag} is not a feed",
            reason="foreign-document",
            message_de=f"Die Adresse liefert {FOREIGN_ROOTS[element.tag]}, keinen Feed.",
        )
    return element


def _refused(exc: Exception, reason: str, feature_de: str) -> UnsafeXMLError:
    return UnsafeXMLError(
        f"XML uses a refused feature ({reason}): {exc}",
        reason=reason,
        message_de=f"Das XML-Dokument enthält {feature_de}; das wird aus Sicherheitsgründen "
        "nicht verarbeitet. Bitte den Feed ohne DTD und Entitäten ausliefern.",
    )
