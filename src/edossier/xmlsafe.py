"""Parsing XML that comes from outside.

Every XML byte string we read (ASiC manifests, dossier records, trust lists) may be hostile, so one
parser configuration is used everywhere: no DTDs, no entities, no network, bounded size and depth
(libxml2's own limits stay on: huge_tree is off, so text nodes above 10 MB and nesting above 256 fail
even before our checks). A DOCTYPE is refused outright rather than ignored, because nothing legitimate
in our formats needs one and its presence is a sign of an attack (billion laughs, XXE). XInclude is
never processed, and an XInclude element or an `xsi:schemaLocation` (an invitation to fetch a schema
from elsewhere) is refused as well; so is any encoding other than UTF-8. See docs/security.md.
"""

from __future__ import annotations

import re

from lxml import etree

MAX_XML_BYTES = 16 * 1024 * 1024
MAX_XML_DEPTH = 64
XINCLUDE_NS = ("http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude")
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_XINCLUDE_TAGS = tuple(f"{{{ns}}}" for ns in XINCLUDE_NS)  # built once, not for every element
_XSI_FORBIDDEN = {f"{{{XSI_NS}}}schemaLocation", f"{{{XSI_NS}}}noNamespaceSchemaLocation"}
_DECL_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?\sencoding\s*=\s*[\"']([^\"']*)[\"']")
_OTHER_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class XmlError(ValueError):
    """The bytes are not acceptable XML for us; `en` (also the exception's text, for logs) and `zh` say why."""

    def __init__(self, en: str, zh: str | None = None):
        super().__init__(en)
        self.en = en
        self.zh = en if zh is None else zh


class _NoResolver(etree.Resolver):
    """Refuse every external resource (DTD, entity, XInclude); libxml2 otherwise opens local paths
    named in a DOCTYPE's external subset even with load_dtd=False (tested: /etc/passwd, /dev/zero)."""

    def resolve(self, url, pubid, context):
        raise XmlError(f"external resource {url!r} refused", f"拒绝外部资源 {url!r}")


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
        collect_ids=False,
        recover=False,
        compact=True,
    )
    parser.resolvers.add(_NoResolver())
    return parser


def parse_xml(data: bytes, *, max_bytes: int = MAX_XML_BYTES, max_depth: int = MAX_XML_DEPTH) -> etree._Element:
    """Parse untrusted XML bytes and return the root element, or raise XmlError."""
    if not isinstance(data, (bytes, bytearray)):
        raise XmlError("XML must be given as bytes", "XML 必须以字节给出")
    if len(data) > max_bytes:
        raise XmlError(f"XML is {len(data)} bytes, more than the limit of {max_bytes}",
                       f"XML 有 {len(data)} 字节，超过上限 {max_bytes}")
    if data.startswith(_OTHER_BOMS) or b"\x00" in data[:4]:
        raise XmlError("only UTF-8 is allowed (the data looks like UTF-16 or UTF-32)",
                       "只允许 UTF-8 编码（数据看似 UTF-16 或 UTF-32）")
    m = _DECL_ENCODING.match(bytes(data[:200]))
    if m and m.group(1).upper() not in (b"UTF-8", b"UTF8"):
        raise XmlError(f"only UTF-8 is allowed, the declaration says {m.group(1).decode('ascii', 'replace')}",
                       f"只允许 UTF-8 编码，声明的编码为 {m.group(1).decode('ascii', 'replace')}")
    # Refused before libxml2 sees them: a DOCTYPE can name files it would open (external subset).
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise XmlError("a DOCTYPE declaration is not allowed", "不允许 DOCTYPE 声明")
    try:
        root = etree.fromstring(bytes(data), _parser())
    except etree.XMLSyntaxError as exc:
        # libxml2's own words stay in the English text; the Chinese keeps where it is
        line, column = (exc.position if getattr(exc, "position", None) else (exc.lineno, 0))
        raise XmlError(f"not well-formed XML: {exc}", f"不是格式正确的 XML（第 {line} 行，第 {column} 列）") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # lxml refuses some inputs with these
        raise XmlError(f"not acceptable XML: {type(exc).__name__}: {exc}",
                       f"不可接受的 XML（{type(exc).__name__}）") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
        raise XmlError("a DOCTYPE declaration is not allowed", "不允许 DOCTYPE 声明")
    encoding = (tree.docinfo.encoding or "UTF-8").upper()
    if encoding not in ("UTF-8", "UTF8"):
        raise XmlError(f"only UTF-8 is allowed, the document declares {tree.docinfo.encoding}",
                       f"只允许 UTF-8 编码，文档声明的编码为 {tree.docinfo.encoding}")
    if _too_deep(root, max_depth):
        raise _nesting(max_depth)
    if not _anything_refused(root):
        return root
    # something is refused below: the walk in document order says what comes first, as it always did
    if _depth(root, max_depth) > max_depth:
        raise _nesting(max_depth)
    for el in root.iter():
        if isinstance(el, etree._Entity):
            raise XmlError("entity references are not allowed", "不允许实体引用")
        if not isinstance(el.tag, str):
            continue  # comments and processing instructions
        if el.tag.startswith(_XINCLUDE_TAGS):
            raise XmlError("XInclude is not allowed", "不允许 XInclude")
        if _XSI_FORBIDDEN.intersection(el.attrib):
            raise XmlError("xsi:schemaLocation is not allowed (the schema is edossier's own)",
                           "不允许 xsi:schemaLocation（模式由 edossier 自带）")
    return root


# The same two questions as the walk in parse_xml, asked in libxml2 instead of a Python loop over every
# element (issue 19: an XMP packet of every PDF/A file; 19 of the 25 ms of the 707 packets of the veraPDF
# corpus were the two Python walks, now ~5 ms). Only when one says yes does the walk run, to report what
# it always did, in the same order.
_DEPTH_PROBES: dict[int, etree.XPath] = {}
_REFUSED = etree.XPath("boolean(//xi1:* | //xi2:* | //@xsi:schemaLocation | //@xsi:noNamespaceSchemaLocation)",
                       namespaces={"xi1": XINCLUDE_NS[0], "xi2": XINCLUDE_NS[1], "xsi": XSI_NS})


def _nesting(max_depth: int) -> XmlError:
    return XmlError(f"XML nesting is deeper than the limit of {max_depth}", f"XML 嵌套层数超过上限 {max_depth}")


def _too_deep(root: etree._Element, max_depth: int) -> bool:
    """Whether an element, a comment or a processing instruction lies deeper than `max_depth` (the root
    element is at depth 1), as `_depth` counts. (An entity reference, which `_depth` counts too, is refused
    anyway: `_anything_refused` sends such a tree to the walk, which measures the depth as before.)"""
    nodes = 0
    for nodes, _ in zip(range(1, max_depth + 2), root.iter()):
        pass
    if nodes <= max_depth:
        return False  # no path holds more nodes than the tree has
    probe = _DEPTH_PROBES.get(max_depth)
    if probe is None:
        probe = _DEPTH_PROBES[max_depth] = etree.XPath("boolean(/" + "*/" * max_depth + "node()[not(self::text())])")
    return bool(probe(root))


def _anything_refused(root: etree._Element) -> bool:
    """Whether the tree has an entity reference, an XInclude element or an xsi schema location."""
    for _ in root.iter(etree.Entity):
        return True
    return bool(_REFUSED(root))


def _depth(root: etree._Element, max_depth: int = MAX_XML_DEPTH) -> int:
    deepest = 0
    stack = [(root, 1)]
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        if d > max_depth:
            return d
        stack.extend((child, d + 1) for child in el)
    return deepest


def load_schema(xsd_bytes: bytes) -> etree.XMLSchema:
    """Compile one of our own XSDs (trusted input, but parsed with the same safe parser)."""
    return etree.XMLSchema(etree.fromstring(xsd_bytes, _parser()))
