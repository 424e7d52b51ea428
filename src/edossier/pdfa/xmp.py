"""6.6 Metadata: the XMP packet, pdfaid identification, property value types, extension schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pikepdf import Name, Stream

from .limits import LimitExceeded
from .rules import check
from .util import get
from .xmpparse import PDFAID_NS, Arr, Bad, Simple, Struct, TypeEnv, _packet, _props, _rdf, load_packet
from .xmp_schemas import EXT_NS, FIELD_NS, PREDEFINED, PROPERTY_NS, SCHEMA_NS, TYPE_NS


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


_METADATA = Name.Metadata  # built once: Name.<attribute> costs ~0.7 us, and other_packets tests every stream


@check("6.6.2.1-4", partial=("6.6.2.1-4",),
       note={"6.6.2.1-4": "every metadata stream (document, pages, fonts, images) must be well-formed XML with "
                          "rdf:RDF; property value types are checked for the document packet only"})
def other_packets(ctx) -> None:
    from .util import dict_nodes, objref

    md = get(ctx.pdf.Root, "/Metadata")
    main = md.objgen if isinstance(md, Stream) and md.is_indirect else None
    for n in dict_nodes(ctx):
        o = n.obj
        if not isinstance(o, Stream) or n.d.get("/Type") != _METADATA:
            continue
        if o.is_indirect and o.objgen == main:
            continue
        try:
            data = ctx.stream_bytes(o)
        except LimitExceeded:
            raise  # a bomb is PDF-UNREADABLE (the runner)
        except Exception as exc:  # noqa: BLE001 - a stream qpdf cannot decode: not shown well-formed
            # (it passed unchecked until issue 19's ninth round)
            ctx.add("6.6.2.1-4", objref(o), f"metadata stream cannot be read: {type(exc).__name__}")
            continue
        pk = load_packet(data)
        if pk.root is None:
            ctx.add("6.6.2.1-4", objref(o), pk.error or "not well-formed")
        elif _rdf(pk.root) is None:
            ctx.add("6.6.2.1-4", objref(o), "no rdf:RDF element")
