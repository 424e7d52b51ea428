"""6.6 Metadata: the XMP packet, pdfaid identification, property value types, extension schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Name, Stream

from ..xmlsafe import XmlError, parse_xml
from .rules import check
from .util import get
from .xmp_schemas import (EXT_NS, FIELD_NS, PREDEFINED, PROPERTY_NS, RDF_NS, SCHEMA_NS, STRUCTS, TYPE_NS,
                          XML_NS)

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


def _norm(t: str) -> str:
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


def load_packet(data: bytes) -> Packet:
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
    return root.find(".//" + _R + "RDF")


def _descriptions(root):
    rdf = _rdf(root)
    if rdf is None:
        return []
    return [d for d in rdf if isinstance(d.tag, str) and d.tag == _R + "Description"]


def _props(root):
    """Yield (ns, local, prefix, value, element_or_None) for every top-level property.

    Every rdf:Description (XMP writes one per schema, all with the same rdf:about) contributes its
    property attributes (<rdf:Description dc:format="application/pdf"/>) and property elements.
    """
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
        data = md.read_bytes()
    except Exception:  # noqa: BLE001
        return None
    if len(data) > MAX_XMP_BYTES:
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


# --------------------------------------------------------------------------------------------
# checks


@check("6.6.2.1-1", "6.6.2.1-2", "6.6.2.1-3", "6.6.2.1-4", "6.6.2.1-5")
def packet(ctx) -> None:
    md, pk = _packet(ctx)
    if md is None:
        ctx.add("6.6.2.1-1", "Catalog", "no Metadata stream")
        return
    if pk is None:
        return
    if "bytes" in pk.header_attrs:
        ctx.add("6.6.2.1-2", "XMP")
    if "encoding" in pk.header_attrs:
        ctx.add("6.6.2.1-3", "XMP")
    d = pk.data
    enc_ok = True
    if d[:2] in (b"\xfe\xff", b"\xff\xfe") or d[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        enc_ok = False
    else:
        m = re.match(rb"<\?xml[^?]*encoding=['\"]([^'\"]+)['\"]", d.lstrip(b"\xef\xbb\xbf"))
        if m and m.group(1).upper().replace(b"_", b"-") not in (b"UTF-8", b"UTF8"):
            enc_ok = False
        else:
            try:
                d.decode("utf-8")
            except UnicodeDecodeError:
                enc_ok = False
    if not enc_ok:
        ctx.add("6.6.2.1-5", "XMP")
    if pk.root is None:
        if enc_ok:
            ctx.add("6.6.2.1-4", "XMP", pk.error or "")
        return
    if _rdf(pk.root) is None:
        ctx.add("6.6.2.1-4", "XMP", "no rdf:RDF element")
        return
    # RDF structure: every property value must be well-formed RDF
    for ns, local, prefix, v, el in _props(pk.root):
        if isinstance(v, Bad) or _has_bad(v):
            ctx.add("6.6.2.1-4", "XMP", f"{prefix}:{local}: invalid RDF ({_bad_reason(v)})")


def _has_bad(v) -> bool:
    if isinstance(v, Bad):
        return True
    if isinstance(v, Arr):
        return any(_has_bad(i) for i in v.items)
    if isinstance(v, Struct):
        return any(_has_bad(i) for i in v.fields.values())
    return False


def _bad_reason(v) -> str:
    if isinstance(v, Bad):
        return v.why
    if isinstance(v, Arr):
        for i in v.items:
            if _has_bad(i):
                return _bad_reason(i)
    if isinstance(v, Struct):
        for i in v.fields.values():
            if _has_bad(i):
                return _bad_reason(i)
    return ""


@check("6.6.4-1", "6.6.4-2", "6.6.4-3", "6.6.4-4", "6.6.4-5", "6.6.4-6", "6.6.4-7")
def identification(ctx) -> None:
    md, pk = _packet(ctx)
    if pk is None or pk.root is None:
        ctx.add("6.6.4-1", "XMP", "no readable XMP")
        return
    found = {}
    for ns, local, prefix, v, el in _props(pk.root):
        if ns == PDFAID_NS:
            found[local] = (prefix, v)
    if "part" not in found:
        ctx.add("6.6.4-1", "XMP", "no pdfaid:part")
        return
    prefix, v = found["part"]
    if not (isinstance(v, Simple) and v.text.strip() == "2"):
        ctx.add("6.6.4-2", "XMP", f"pdfaid:part = {getattr(v, 'text', '?')}")
    cv = found.get("conformance", (None, None))[1]
    conf = cv.text.strip() if isinstance(cv, Simple) else None
    allowed = ("U", "A") if ctx.flavour == "2u" else ("A", "B", "U")
    if conf not in allowed:
        ctx.add("6.6.4-3", "XMP", f"pdfaid:conformance = {conf}")
    for rid, name in (("6.6.4-4", "part"), ("6.6.4-5", "conformance"), ("6.6.4-6", "amd"), ("6.6.4-7", "corr")):
        if name in found and found[name][0] not in (None, "pdfaid"):
            ctx.add(rid, "XMP", f"prefix {found[name][0]}")


# extension schemas ----------------------------------------------------------------------------


@dataclass
class ExtInfo:
    props: dict  # ns -> {name: valueType}
    types: dict  # type name -> (ns, {field: valueType})


def _text_of(v) -> str | None:
    return v.text if isinstance(v, Simple) else None


def _collect_extensions(ctx, root) -> ExtInfo:
    info = ExtInfo({}, {})
    for ns, local, prefix, v, el in _props(root):
        if ns != EXT_NS or local != "schemas":
            continue
        if prefix != "pdfaExtension" or not isinstance(v, Arr) or v.kind != "Bag":
            ctx.add("6.6.2.3.3-1", "XMP", "pdfaExtension:schemas must be a Bag with prefix pdfaExtension")
        items = v.items if isinstance(v, Arr) else []
        for sch in items:
            _one_schema(ctx, sch, info)
    return info


def _field(st: "Struct", ns: str, name: str):
    return st.fields.get((ns, name)), st.prefixes.get((ns, name))


def _one_schema(ctx, sch, info: ExtInfo) -> None:
    if not isinstance(sch, Struct):
        ctx.add("6.6.2.3.3-1", "XMP", "schema entry is not a structure")
        return
    for (fns, fname) in sch.fields:
        if fns != SCHEMA_NS or fname not in ("schema", "namespaceURI", "prefix", "property", "valueType"):
            ctx.add("6.6.2.3.2-1", "XMP", f"undefined field {fname} in pdfaSchema")
    checks = (("6.6.2.3.3-2", "schema"), ("6.6.2.3.3-3", "namespaceURI"), ("6.6.2.3.3-4", "prefix"))
    for rid, name in checks:
        v, p = _field(sch, SCHEMA_NS, name)
        if not isinstance(v, Simple) or (p not in (None, "pdfaSchema")):
            ctx.add(rid, "XMP", f"pdfaSchema:{name}")
    ns_v, _ = _field(sch, SCHEMA_NS, "namespaceURI")
    ns = ns_v.text.strip() if isinstance(ns_v, Simple) else None
    # value types
    vt, p = _field(sch, SCHEMA_NS, "valueType")
    if vt is not None:
        if not (isinstance(vt, Arr) and vt.kind == "Seq") or p not in (None, "pdfaSchema"):
            ctx.add("6.6.2.3.3-6", "XMP", "pdfaSchema:valueType")
        for t in (vt.items if isinstance(vt, Arr) else []):
            _one_type(ctx, t, info)
    pr, p = _field(sch, SCHEMA_NS, "property")
    if pr is not None:
        if not (isinstance(pr, Arr) and pr.kind == "Seq") or p not in (None, "pdfaSchema"):
            ctx.add("6.6.2.3.3-5", "XMP", "pdfaSchema:property")
        for prop in (pr.items if isinstance(pr, Arr) else []):
            if not isinstance(prop, Struct):
                ctx.add("6.6.2.3.3-7", "XMP", "property entry is not a structure")
                continue
            for (fns, fname) in prop.fields:
                if fns != PROPERTY_NS or fname not in ("name", "valueType", "category", "description"):
                    ctx.add("6.6.2.3.2-1", "XMP", f"undefined field {fname} in pdfaProperty")
            nv, np_ = _field(prop, PROPERTY_NS, "name")
            if not isinstance(nv, Simple) or np_ not in (None, "pdfaProperty"):
                ctx.add("6.6.2.3.3-7", "XMP", "pdfaProperty:name")
            tv, tp = _field(prop, PROPERTY_NS, "valueType")
            if not isinstance(tv, Simple) or tp not in (None, "pdfaProperty"):
                ctx.add("6.6.2.3.3-8", "XMP", "pdfaProperty:valueType")
            cv, cp = _field(prop, PROPERTY_NS, "category")
            if not isinstance(cv, Simple) or cv.text.strip() not in ("external", "internal") or \
                    cp not in (None, "pdfaProperty"):
                ctx.add("6.6.2.3.3-9", "XMP", "pdfaProperty:category")
            dv, dp = _field(prop, PROPERTY_NS, "description")
            if not isinstance(dv, Simple) or dp not in (None, "pdfaProperty"):
                ctx.add("6.6.2.3.3-10", "XMP", "pdfaProperty:description")
            if ns and isinstance(nv, Simple) and isinstance(tv, Simple):
                info.props.setdefault(ns, {})[nv.text.strip()] = tv.text.strip()
                ctx.cache.setdefault("xmp_pending_vt", []).append(("6.6.2.3.3-8", tv.text.strip()))


def _one_type(ctx, t, info: ExtInfo) -> None:
    if not isinstance(t, Struct):
        ctx.add("6.6.2.3.3-11", "XMP", "valueType entry is not a structure")
        return
    for (fns, fname) in t.fields:
        if fns != TYPE_NS or fname not in ("type", "namespaceURI", "prefix", "description", "field"):
            ctx.add("6.6.2.3.2-1", "XMP", f"undefined field {fname} in pdfaType")
    for rid, name in (("6.6.2.3.3-11", "type"), ("6.6.2.3.3-12", "namespaceURI"), ("6.6.2.3.3-13", "prefix"),
                      ("6.6.2.3.3-14", "description")):
        v, p = _field(t, TYPE_NS, name)
        if not isinstance(v, Simple) or p not in (None, "pdfaType"):
            ctx.add(rid, "XMP", f"pdfaType:{name}")
    tname, _ = _field(t, TYPE_NS, "type")
    tns, _ = _field(t, TYPE_NS, "namespaceURI")
    fields: dict[str, str] = {}
    fv, fp = _field(t, TYPE_NS, "field")
    if fv is not None:
        if not (isinstance(fv, Arr) and fv.kind == "Seq") or fp not in (None, "pdfaType"):
            ctx.add("6.6.2.3.3-15", "XMP", "pdfaType:field")
        for f in (fv.items if isinstance(fv, Arr) else []):
            if not isinstance(f, Struct):
                ctx.add("6.6.2.3.3-16", "XMP", "field entry is not a structure")
                continue
            for (fns, fname) in f.fields:
                if fns != FIELD_NS or fname not in ("name", "valueType", "description"):
                    ctx.add("6.6.2.3.2-1", "XMP", f"undefined field {fname} in pdfaField")
            nv, np_ = _field(f, FIELD_NS, "name")
            if not isinstance(nv, Simple) or np_ not in (None, "pdfaField"):
                ctx.add("6.6.2.3.3-16", "XMP", "pdfaField:name")
            vv, vp = _field(f, FIELD_NS, "valueType")
            if not isinstance(vv, Simple) or vp not in (None, "pdfaField"):
                ctx.add("6.6.2.3.3-17", "XMP", "pdfaField:valueType")
            dv, dp = _field(f, FIELD_NS, "description")
            if not isinstance(dv, Simple) or dp not in (None, "pdfaField"):
                ctx.add("6.6.2.3.3-18", "XMP", "pdfaField:description")
            if isinstance(nv, Simple) and isinstance(vv, Simple):
                fields[nv.text.strip()] = vv.text.strip()
                ctx.cache.setdefault("xmp_pending_vt", []).append(("6.6.2.3.3-17", vv.text.strip()))
    if isinstance(tname, Simple) and isinstance(tns, Simple):
        info.types[tname.text.strip()] = (tns.text.strip(), fields)


@check("6.6.2.3.1-1", "6.6.2.3.1-2", "6.6.2.3.2-1", *[f"6.6.2.3.3-{i}" for i in range(1, 19)],
       partial=("6.6.2.3.1-2",),
       note={"6.6.2.3.1-2": "value types of the XMP 2005 schemas and declared extension types; "
                            "closed-choice value lists are not enforced"})
def properties(ctx) -> None:
    md, pk = _packet(ctx)
    if pk is None or pk.root is None:
        return
    ctx.cache["xmp_pending_vt"] = []
    ext = _collect_extensions(ctx, pk.root)
    env = TypeEnv()
    env.structs.update(ext.types)
    for rid, vt in ctx.cache.get("xmp_pending_vt", []):
        if not env.known(vt):
            ctx.add(rid, "XMP", f"undefined value type {vt!r}")
    for ns, local, prefix, v, el in _props(pk.root):
        if ns == EXT_NS:
            continue
        if isinstance(v, Bad) or _has_bad(v):
            continue  # reported under 6.6.2.1-4
        types = PREDEFINED.get(ns)
        t = None
        if types is not None and local in types:
            t = types[local]
        elif ns in ext.props and local in ext.props[ns]:
            t = ext.props[ns][local]
        if t is None:
            ctx.add("6.6.2.3.1-1", "XMP", f"{prefix}:{local} ({ns})")
            continue
        if not env.ok(t, v):
            ctx.add("6.6.2.3.1-2", "XMP", f"{prefix}:{local} is not {t}")


@check("6.6.2.1-4", partial=("6.6.2.1-4",),
       note={"6.6.2.1-4": "every metadata stream (document, pages, fonts, images) must be well-formed XML with "
                          "rdf:RDF; property value types are checked for the document packet only"})
def other_packets(ctx) -> None:
    from .util import dict_nodes, objref

    md = get(ctx.pdf.Root, "/Metadata")
    main = md.objgen if isinstance(md, Stream) and md.is_indirect else None
    for n in dict_nodes(ctx):
        o = n.obj
        if not isinstance(o, Stream) or n.d.get("/Type") != Name.Metadata:
            continue
        if o.is_indirect and o.objgen == main:
            continue
        try:
            data = ctx.stream_bytes(o)
        except Exception:  # noqa: BLE001
            continue
        pk = load_packet(data)
        if pk.root is None:
            ctx.add("6.6.2.1-4", objref(o), pk.error or "not well-formed")
        elif _rdf(pk.root) is None:
            ctx.add("6.6.2.1-4", objref(o), "no rdf:RDF element")
