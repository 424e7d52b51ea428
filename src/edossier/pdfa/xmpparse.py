"""6.6 Metadata, the reading half: the XMP value model (simple values, arrays, structures, the
malformed), value types and the type environment, the packet and the pdfaid claim. The checks are in
xmp.py."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Stream

from ..xmlsafe import XmlError, parse_xml
from .context import read_stream
from .util import get
from .xmp_schemas import RDF_NS, STRUCTS, XML_NS

PDFAID_NS = "http://www.aiim.org/pdfa/ns/id/"
MAX_XMP_BYTES = 8 << 20
_R = "{%s}" % RDF_NS


# --------------------------------------------------------------------------------------------
# value model


@dataclass
class Simple:
    text: str
    lang: str | None = None


@dataclass
class Arr:
    kind: str  # Bag | Seq | Alt
    items: list


@dataclass
class Struct:
    fields: dict  # (ns, local) -> value
    prefixes: dict = field(default_factory=dict)


@dataclass
class Bad:
    why: str


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


_LANG = "{%s}lang" % XML_NS
_RDF_ATTRS = {_R + "about", _R + "ID", _R + "nodeID", _R + "datatype", _R + "parseType", _R + "resource",
              _R + "type", _LANG}
# RDF/XML (W3C, 2004, 6.1.4) lets a processor read the unqualified attributes about and ID on an
# rdf: element as rdf:about / rdf:ID, and the XMP toolkit does exactly that (ParseRDF, GetRDFTermKind):
# writers that emit <rdf:Description about=""> produce XMP that every XMP reader accepts.
_BARE_RDF_ATTRS = {"about", "ID"}


def _rdf_attr(el, a: str) -> bool:
    """Is attribute a of element el RDF syntax (not a property or a field)?"""
    return a in _RDF_ATTRS or (a in _BARE_RDF_ATTRS and el.tag.startswith(_R))


def _inscope_lang(el) -> str | None:
    """xml:lang in scope at el (XML 1.0 2.12: it applies to the element and everything inside it)."""
    while el is not None:
        v = el.get(_LANG)
        if v is not None:
            return v
        el = el.getparent()
    return None


def parse_value(el, lang: str | None = None) -> object:
    """Turn an RDF property element into Simple / Arr / Struct / Bad.

    lang is the xml:lang in scope at el's parent; a value without its own xml:lang inherits it.
    """
    pt = el.get(_R + "parseType")
    lang = el.get(_LANG, lang)
    kids = [c for c in el if isinstance(c.tag, str)]
    if el.get(_R + "resource") is not None:
        # emptyPropertyElt with rdf:resource: a URI value (other attributes would be qualifiers)
        if kids or (el.text or "").strip():
            return Bad("rdf:resource with content")
        return Simple(el.get(_R + "resource"), lang)
    if pt == "Literal":
        return Simple("".join(el.itertext()), lang)
    if pt == "Resource":
        if (el.text or "").strip():
            return Bad("mixed content")
        return _struct_from(el, kids, lang)
    if pt is not None:
        return Bad(f"parseType {pt}")
    other_attrs = [a for a in el.attrib if not _rdf_attr(el, a)]
    if not kids:
        if other_attrs:
            # emptyPropertyElt with property attributes: a struct whose fields are the attributes
            if (el.text or "").strip():
                return Bad("property attributes with text content")
            return _struct_from(el, [], lang)
        return Simple(el.text or "", lang)
    if (el.text or "").strip() or any((k.tail or "").strip() for k in kids):
        return Bad("mixed content")
    if other_attrs:
        return Bad("property attributes on a property element with child elements")
    if len(kids) == 1:
        k = kids[0]
        ns, local = _split(k.tag)
        if ns == RDF_NS and local in ("Bag", "Seq", "Alt"):
            items = []
            alang = k.get(_LANG, lang)
            for li in k:
                if not isinstance(li.tag, str):
                    continue
                if li.tag != _R + "li":
                    return Bad(f"array item {li.tag}")
                items.append(parse_value(li, alang))
            return Arr(local, items)
        if ns == RDF_NS and local == "Description":
            return _struct_from(k, [c for c in k if isinstance(c.tag, str)], k.get(_LANG, lang))
        if ns != RDF_NS and ns:
            # a typed node (RDF/XML 2.13): a struct whose rdf:type is the element name; XMP reads it as a
            # struct with an rdf:type qualifier, which is not a field
            return _struct_from(k, [c for c in k if isinstance(c.tag, str)], k.get(_LANG, lang))
    return Bad("property element with child elements but no rdf:parseType")


def _struct_from(el, kids, lang: str | None) -> object:
    """A node's property attributes and property elements as struct fields.

    A node with an rdf:value is a qualified simple value (XMP 2005, "Qualifiers"): its value is the
    rdf:value, and its language is that of the rdf:value or, failing that, the one in scope.
    """
    fields: dict = {}
    prefixes: dict = {}
    for a, v in el.attrib.items():
        if _rdf_attr(el, a):
            continue
        ns, local = _split(a)
        fields[(ns, local)] = Simple(v, lang)
        prefixes[(ns, local)] = _attr_prefix(el, ns)
    for k in kids:
        ns, local = _split(k.tag)
        if (ns, local) == (RDF_NS, "type"):
            continue  # rdf:type is a qualifier naming the struct's type, not a field
        fields[(ns, local)] = parse_value(k, lang)
        prefixes[(ns, local)] = k.prefix
    if (RDF_NS, "value") in fields:  # qualified simple value
        v = fields[(RDF_NS, "value")]
        if isinstance(v, Simple) and v.lang is None:
            v = Simple(v.text, lang)
        return v
    return Struct(fields, prefixes)


def _attr_prefix(el, ns: str) -> str | None:
    for p, u in el.nsmap.items():
        if u == ns and p is not None:
            return p
    return None


# --------------------------------------------------------------------------------------------
# type checking

_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?")
_INT = re.compile(r"[+-]?\d+")
_REAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_RATIONAL = re.compile(r"[+-]?\d+/[+-]?\d+")
_GPS = re.compile(r"\d{1,3},\d{1,2}(,\d{1,2}|\.\d+)[NSEWnsew]")


def _simple_ok(t: str, v: object) -> bool:
    if not isinstance(v, Simple):
        return False
    s = v.text.strip() if t != "Text" else v.text
    if t == "Boolean":
        return s in ("True", "False")
    if t == "Integer":
        return bool(_INT.fullmatch(s))
    if t == "Real":
        return bool(_REAL.fullmatch(s))
    if t == "Date":
        return bool(_DATE.fullmatch(s))
    if t == "Rational":
        return bool(_RATIONAL.fullmatch(s))
    if t == "GPSCoordinate":
        return bool(_GPS.fullmatch(s))
    return True


_BASIC = {"Text", "URI", "URL", "Date", "Integer", "Real", "Boolean", "MIMEType", "Locale", "AgentName",
          "ProperName", "RenditionClass", "XPath", "GUID", "Rational", "GPSCoordinate", "Choice"}


class TypeEnv:
    def __init__(self) -> None:
        self.structs: dict[str, tuple[str, dict[str, str]]] = dict(STRUCTS)

    def known(self, t: str) -> bool:
        t = _norm(t)
        if t == "Lang Alt":
            return True
        for pre in ("Bag ", "Seq ", "Alt "):
            if t.startswith(pre):
                return self.known(t[4:])
        return t in _BASIC or t in self.structs

    def ok(self, t: str, v: object) -> bool:
        t = _norm(t)
        if isinstance(v, Bad):
            return False
        if t == "Lang Alt":
            return isinstance(v, Arr) and v.kind == "Alt" and all(
                isinstance(i, Simple) and i.lang is not None for i in v.items)
        for pre in ("Bag ", "Seq ", "Alt "):
            if t.startswith(pre):
                return isinstance(v, Arr) and v.kind == pre.strip() and all(self.ok(t[4:], i) for i in v.items)
        if t in _BASIC:
            return _simple_ok("Text" if t == "Choice" else t, v)
        st = self.structs.get(t)
        if st is None:
            return isinstance(v, Simple)  # unknown type name: accept simple values only
        ns, fields = st
        if not fields and isinstance(v, Simple):
            # ISO 19005-2 6.6.2.3.3 Table 5: pdfaType:field is optional. A value type declared without
            # field descriptions says nothing about a simple value (e.g. a choice of text), so a simple
            # value is accepted; a struct value still needs every field declared (below), since an
            # undeclared field is an undeclared property (6.6.2.3.1).
            return True
        if not isinstance(v, Struct):
            return False
        for (fns, fname), fv in v.fields.items():
            if fns != ns or fname not in fields:
                return False
            if not self.ok(fields[fname], fv):
                return False
        return True


_NORMED: dict[str, str] = {}  # _norm's answers: a pure function of the text, asked ~10 times a packet (issue 19)
_NORMED_MAX = 4096


def _norm(t: str) -> str:
    r = _NORMED.get(t)
    if r is None:
        r = _norm_text(t)
        if len(t) <= 256:  # type names come from the file (extension schemas): the memo is bounded
            if len(_NORMED) >= _NORMED_MAX:
                _NORMED.clear()
            _NORMED[t] = r
    return r


def _norm_text(t: str) -> str:
    t = " ".join(t.split())
    for pre in ("Closed Choice of ", "Open Choice of ", "closed Choice of ", "open Choice of ", "Choice of "):
        if t.startswith(pre):
            return t[len(pre):]
    if t in ("Open Choice", "Closed Choice"):
        return "Text"
    if t.startswith("bag "):
        t = "Bag " + t[4:]
    if t.startswith("seq "):
        t = "Seq " + t[4:]
    if t.startswith("alt "):
        t = "Alt " + t[4:]
    if t == "Lang alt":
        t = "Lang Alt"
    return t


# --------------------------------------------------------------------------------------------
# packet handling


@dataclass
class Packet:
    data: bytes
    header_attrs: dict
    root: object | None
    error: str | None


_PI = re.compile(rb"<\?xpacket\s+([^?]*)\?>")


_last = threading.local()  # the last packet parsed on this thread


def load_packet(data: bytes) -> Packet:
    """The packet parsed from `data`. The check reads the same Metadata stream twice (the claimed level
    before the checks, the 6.6 checks after): the second time the same bytes give the same Packet,
    which nothing modifies."""
    last = getattr(_last, "packet", None)
    if last is not None and last.data == data:
        return last
    _last.packet = packet = _load_packet(data)
    return packet


def _load_packet(data: bytes) -> Packet:
    attrs: dict = {}
    m = _PI.search(data[:4096])
    if m:
        for am in re.finditer(rb"(\w+)\s*=\s*(['\"])(.*?)\2", m.group(1), re.S):
            attrs[am.group(1).decode("latin-1")] = am.group(3)
    try:
        root = parse_xml(data, max_bytes=MAX_XMP_BYTES, max_depth=60)
    except XmlError as exc:
        return Packet(data, attrs, None, str(exc))
    except Exception as exc:  # noqa: BLE001
        return Packet(data, attrs, None, f"{type(exc).__name__}: {exc}")
    return Packet(data, attrs, root, None)


def _packet(ctx) -> tuple[object | None, Packet | None]:
    if "xmp" in ctx.cache:
        return ctx.cache["xmp"]
    res: tuple = (None, None)
    md = get(ctx.pdf.Root, "/Metadata")
    if isinstance(md, Stream):
        data = ctx.stream_bytes(md)
        res = (md, load_packet(data))
    ctx.cache["xmp"] = res
    return res


def _rdf(root):
    if root is None:
        return None
    if root.tag == _R + "RDF":
        return root
    # root.find(".//rdf:RDF"), the first rdf:RDF below root in document order, without ElementPath (~10 x
    # the time: the path is parsed on every call); root itself is not rdf:RDF, so iter's first is find's
    return next(root.iter(_R + "RDF"), None)


def _descriptions(root):
    rdf = _rdf(root)
    if rdf is None:
        return []
    return [d for d in rdf if isinstance(d.tag, str) and d.tag == _R + "Description"]


_props_of = threading.local()  # the property list of the last root read on this thread


def _props(root) -> list:
    """(ns, local, prefix, value, element_or_None) for every top-level property.

    Every rdf:Description (XMP writes one per schema, all with the same rdf:about) contributes its
    property attributes (<rdf:Description dc:format="application/pdf"/>) and property elements.

    The claimed level and three 6.6 checks read the same packet's properties: the list is built once per root
    (kept with the root, so the identity test cannot meet a new tree at a freed one's address). Nothing
    modifies the values or the tree, which load_packet already shares between readers of the same bytes.
    """
    if root is None:
        return []
    last = getattr(_props_of, "last", None)
    if last is not None and last[0] is root:
        return last[1]
    props = list(_read_props(root))
    _props_of.last = (root, props)
    return props


def _read_props(root):
    for d in _descriptions(root):
        lang = _inscope_lang(d)
        for a, v in d.attrib.items():
            if _rdf_attr(d, a):
                continue
            ns, local = _split(a)
            yield ns, local, _attr_prefix(d, ns), Simple(v, lang), None
        for k in d:
            if not isinstance(k.tag, str):
                continue
            ns, local = _split(k.tag)
            yield ns, local, k.prefix, parse_value(k, lang), k


def claimed_level(pdf: pikepdf.Pdf) -> str | None:
    md = get(pdf.Root, "/Metadata")
    if not isinstance(md, Stream):
        return None
    try:
        # the checks' own bounded reader: the claim sees the bytes the XMP checks see, and a bomb stops at the cap
        data = read_stream(md, MAX_XMP_BYTES)
    except Exception:  # noqa: BLE001 - LimitExceeded, or a stream qpdf cannot decode: no claim
        return None
    pk = load_packet(data)
    part = conf = None
    for ns, local, prefix, v, _ in _props(pk.root):
        if ns == PDFAID_NS and isinstance(v, Simple):
            if local == "part":
                part = v.text.strip()
            elif local == "conformance":
                conf = v.text.strip()
    if part is None:
        return None
    return f"{part}{conf or ''}".upper()
