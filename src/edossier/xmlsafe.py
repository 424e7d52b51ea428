"""Parsing XML that comes from outside.

Every XML byte string we read (ASiC manifests, dossier records, trust lists) may be hostile, so one
parser configuration is used everywhere: no DTDs, no entities, no network, no XInclude, bounded size
and depth. A DOCTYPE is refused outright rather than ignored, because nothing legitimate in our
formats needs one and its presence is a sign of an attack (billion laughs, XXE).
"""

from __future__ import annotations

from lxml import etree

MAX_XML_BYTES = 16 * 1024 * 1024
MAX_XML_DEPTH = 64


class XmlError(ValueError):
    """The bytes are not acceptable XML for us; the message says why (English, for logs)."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
        collect_ids=False,
    )


def parse_xml(data: bytes, *, max_bytes: int = MAX_XML_BYTES, max_depth: int = MAX_XML_DEPTH) -> etree._Element:
    """Parse untrusted XML bytes and return the root element, or raise XmlError."""
    if len(data) > max_bytes:
        raise XmlError(f"XML is {len(data)} bytes, more than the limit of {max_bytes}")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"not well-formed XML: {exc}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XmlError("a DOCTYPE declaration is not allowed")
    for el in root.iter():
        if isinstance(el, etree._Entity):
            raise XmlError("entity references are not allowed")
    if _depth(root) > max_depth:
        raise XmlError(f"XML nesting is deeper than the limit of {max_depth}")
    return root


def _depth(root: etree._Element) -> int:
    deepest = 0
    stack = [(root, 1)]
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        if d > MAX_XML_DEPTH + 1:
            return d
        stack.extend((child, d + 1) for child in el)
    return deepest


def load_schema(xsd_bytes: bytes) -> etree.XMLSchema:
    """Compile one of our own XSDs (trusted input, but parsed with the same safe parser)."""
    return etree.XMLSchema(etree.fromstring(xsd_bytes, _parser()))
