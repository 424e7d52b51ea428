"""6.2.3-6.2.10 Graphics: output intents, ICC profiles, colour spaces, ExtGState, images, XObjects,
rendering intents, transparency."""

from __future__ import annotations

import hashlib
import struct
import threading

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from .graphics import facts
from .rules import check
from .util import (name_str, dict_nodes, all_arrays, all_dicts, filter_names, get, key, num, objref,
                   page_objs, resource_entries)

# PDF names compared with in the checks, built once: `Name.X` costs ~0.5 us each time (pikepdf builds it)
_N_GTS_PDFA1 = Name.GTS_PDFA1
_N_GTS_PDFX = Name.GTS_PDFX
_N_ICCBased = Name.ICCBased
_N_ExtGState = Name.ExtGState
_N_Image = Name.Image
_N_Default = Name.Default
_N_XObject = Name.XObject
_N_JPXDecode = Name.JPXDecode
_N_Form = Name.Form
_N_PS = Name.PS
_N_Transparency = Name.Transparency


_icc = threading.local()  # this thread's ICC headers by their stream's bytes (_icc_header)
_ICC_MAX = 256


def _icc_header(ctx, s) -> tuple[str, str, float] | None:
    """(class, colour space, version) from the header of the ICC profile in stream s; None if unreadable.

    The corpus and a document's several checks decode the same profiles again and again (the whole profile,
    to 560 KB, for 128 bytes): the answer is kept per document by object and per thread by what decides it.
    Without /DecodeParms, what ctx.stream_bytes returns (or raises) is a function of the raw bytes, the
    filter names and the stream-size limit alone, so those are the key (SHA-256 of the raw bytes); a stream
    with /DecodeParms is decoded each time."""
    done = ctx.cache.setdefault("icc_headers", {})
    k = key(s)
    if k in done:
        return done[k]
    shared = None
    try:
        if get(s, "/DecodeParms") is None:
            shared = (hashlib.sha256(s.read_raw_bytes()).digest(), tuple(filter_names(s)),
                      ctx.limits.max_stream_bytes)
    except Exception:  # noqa: BLE001 - left to stream_bytes below, which fails the same way
        shared = None
    cache = getattr(_icc, "cache", None)
    if cache is None:
        cache = _icc.cache = {}
    if shared is not None and shared in cache:
        h = cache[shared]
    else:
        h = _icc_header_of(ctx, s)
        if shared is not None:
            if len(cache) >= _ICC_MAX:
                cache.clear()
            cache[shared] = h
    if not isinstance(k[0], str):  # an indirect object: the same stream later in this document
        done[k] = h
    return h


def _icc_header_of(ctx, s) -> tuple[str, str, float] | None:
    try:
        data = ctx.stream_bytes(s)
    except Exception:  # noqa: BLE001
        return None
    if len(data) < 128:
        return None
    cls = data[12:16].decode("latin-1")
    cs = data[16:20].decode("latin-1")
    ver = data[8] + (data[9] >> 4) / 10
    if data[36:40] != b"acsp":
        return None
    return cls, cs, ver


def output_cs(ctx) -> str | None:
    """Colour space of the PDF/A OutputIntent profile ("RGB ", "CMYK", "GRAY") or None."""
    if "gOutputCS" in ctx.cache:
        return ctx.cache["gOutputCS"]
    res = None
    ois = get(ctx.pdf.Root, "/OutputIntents")
    if isinstance(ois, Array):
        for oi in ois:
            if isinstance(oi, Dictionary) and get(oi, "/S") == _N_GTS_PDFA1:
                p = get(oi, "/DestOutputProfile")
                if isinstance(p, Stream):
                    h = _icc_header(ctx, p)
                    if h:
                        res = h[1]
                break
    ctx.cache["gOutputCS"] = res
    return res


@check("6.2.3-1", "6.2.3-2", "6.2.3-3")
def output_intents(ctx) -> None:
    ois = get(ctx.pdf.Root, "/OutputIntents")
    if not isinstance(ois, Array):
        return
    profiles = []
    for i, oi in enumerate(ois):
        if not isinstance(oi, Dictionary):
            continue
        loc = f"OutputIntent {i + 1}"
        p = get(oi, "/DestOutputProfile")
        if p is not None:
            profiles.append(p)
        if get(oi, "/S") == _N_GTS_PDFX and "/DestOutputProfileRef" in oi:
            ctx.add("6.2.3-3", loc)
        if get(oi, "/S") == _N_GTS_PDFA1 and isinstance(p, Stream):
            h = _icc_header(ctx, p)
            if h is None:
                ctx.add("6.2.3-1", loc, "not a readable ICC profile")
            else:
                cls, cs, ver = h
                if cls not in ("prtr", "mntr") or cs not in ("RGB ", "CMYK", "GRAY") or ver >= 5:
                    ctx.add("6.2.3-1", loc, f"class {cls!r}, space {cs!r}, version {ver}")
    keys = {key(p) for p in profiles}
    if len(keys) > 1:
        ctx.add("6.2.3-2", "OutputIntents", f"{len(keys)} different DestOutputProfile objects")


def _spaces(cs, depth=0):
    """Yield every colour-space component of cs (the space itself, bases, alternates)."""
    if depth > 8 or cs is None:
        return
    yield cs
    if isinstance(cs, Array) and len(cs) >= 1 and isinstance(cs[0], Name):
        fam = name_str(cs[0])
        if fam in ("/Indexed", "/I") and len(cs) >= 2:
            yield from _spaces(cs[1], depth + 1)
        elif fam == "/Pattern" and len(cs) >= 2:
            yield from _spaces(cs[1], depth + 1)
        elif fam == "/Separation" and len(cs) >= 3:
            yield from _spaces(cs[2], depth + 1)
        elif fam == "/DeviceN" and len(cs) >= 3:
            yield from _spaces(cs[2], depth + 1)
            attrs = cs[4] if len(cs) >= 5 else None
            if isinstance(attrs, Dictionary):
                cols = get(attrs, "/Colorants")
                if isinstance(cols, Dictionary):
                    for _, v in cols.items():
                        yield from _spaces(v, depth + 1)
                proc = get(attrs, "/Process")
                if isinstance(proc, Dictionary):
                    yield from _spaces(get(proc, "/ColorSpace"), depth + 1)


@check("6.2.4.3-2", "6.2.4.3-3", "6.2.4.3-4", "6.2.4.2-1",
       partial=("6.2.4.2-1",), note={"6.2.4.2-1": "ICC header only (class, colour space, version)"})
def device_colours(ctx) -> None:
    f = facts(ctx)
    ocs = output_cs(ctx)
    icc_done = set()
    for use in f.colours:
        for sp in _spaces(use.space):
            if isinstance(sp, Name):
                if not use.painted:
                    continue  # set but never painted with: not a use (6.2.4.3; veraPDF tests painting operators)
                s = name_str(sp)
                if s == "/DeviceRGB" and ocs != "RGB " and "/DefaultRGB" not in use.defaults:
                    ctx.add("6.2.4.3-2", use.loc, use.what)
                elif s == "/DeviceCMYK" and ocs != "CMYK" and "/DefaultCMYK" not in use.defaults:
                    ctx.add("6.2.4.3-3", use.loc, use.what)
                elif s == "/DeviceGray" and ocs is None and "/DefaultGray" not in use.defaults:
                    ctx.add("6.2.4.3-4", use.loc, use.what)
            elif isinstance(sp, Array) and len(sp) >= 2 and sp[0] == _N_ICCBased:
                p = sp[1]
                k = key(p)
                if k in icc_done or not isinstance(p, Stream):
                    continue
                icc_done.add(k)
                h = _icc_header(ctx, p)
                if h is None:
                    ctx.add("6.2.4.2-1", use.loc, "not a readable ICC profile")
                    continue
                cls, cs, ver = h
                if cls not in ("prtr", "mntr", "scnr", "spac") or cs not in ("RGB ", "CMYK", "GRAY", "Lab ") \
                        or ver >= 5:
                    ctx.add("6.2.4.2-1", use.loc, f"class {cls!r}, space {cs!r}, version {ver}")
                n = num(get(p, "/N"))
                exp = {"RGB ": 3, "CMYK": 4, "GRAY": 1, "Lab ": 3}.get(cs)
                if n is not None and exp is not None and n != exp:
                    ctx.add("6.2.4.2-1", use.loc, f"N {n} does not match profile space {cs!r}")


_PROCESS = {"/Cyan", "/Magenta", "/Yellow", "/Black", "/None", "/All"}


def _sig(o) -> bytes:
    try:
        if isinstance(o, Stream):
            return b"S" + o.read_raw_bytes()[:100000] + o.stream_dict.unparse(resolved=True)
        if isinstance(o, pikepdf.Object):
            return o.unparse(resolved=True)
        return repr(o).encode()
    except Exception:  # noqa: BLE001
        return repr(key(o)).encode()


@check("6.2.4.4-1", "6.2.4.4-2", "6.1.13-9")
def spot_colours(ctx) -> None:
    seps: dict[str, bytes] = {}
    for a in all_arrays(ctx):
        if len(a) < 3 or not isinstance(a[0], Name):
            continue
        fam = name_str(a[0])
        if fam == "/Separation" and len(a) >= 4 and isinstance(a[1], Name):
            nm = name_str(a[1])
            if nm in ("/None", "/All"):
                continue
            sig = _sig(a[2]) + b"|" + _sig(a[3])
            if nm in seps and seps[nm] != sig:
                ctx.add("6.2.4.4-2", objref(a), f"Separation {nm}")
            seps.setdefault(nm, sig)
        elif fam == "/DeviceN" and isinstance(a[1], Array):
            names = [name_str(x) for x in a[1] if isinstance(x, Name)]
            if len(names) > 32:
                ctx.add("6.1.13-9", objref(a), f"{len(names)} colourants")
            attrs = a[4] if len(a) >= 5 else None
            cols = get(attrs, "/Colorants") if isinstance(attrs, Dictionary) else None
            proc = get(attrs, "/Process") if isinstance(attrs, Dictionary) else None
            comps = set()
            if isinstance(proc, Dictionary) and isinstance(get(proc, "/Components"), Array):
                comps = {name_str(x) for x in proc.Components}
            spots = [n for n in names if n not in _PROCESS and n not in comps]
            if spots and len(names) > 1:
                missing = [n for n in spots if not (isinstance(cols, Dictionary) and n in cols)]
                if missing:
                    ctx.add("6.2.4.4-1", objref(a), ", ".join(missing[:5]))


_BLEND = {"/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken", "/Lighten", "/ColorDodge",
          "/ColorBurn", "/HardLight", "/SoftLight", "/Difference", "/Exclusion", "/Hue", "/Saturation", "/Color",
          "/Luminosity"}
_INTENTS = {"/RelativeColorimetric", "/AbsoluteColorimetric", "/Perceptual", "/Saturation"}


@check("6.2.5-1", "6.2.5-2", "6.2.5-3", "6.2.5-4", "6.2.5-5", "6.2.5-6", "6.2.10-1", "6.2.6-1")
def extgstates(ctx) -> None:
    gss = [(v, loc) for v, loc in resource_entries(ctx, "/ExtGState") if isinstance(v, Dictionary)]
    seen = {key(v) for v, _ in gss if v.is_indirect}
    ext_gstate, image = _N_ExtGState, _N_Image
    for n in dict_nodes(ctx):
        dd = n.d  # the node's entries, read once by the graph walk: no qpdf call per entry here
        if "/BM" not in dd and "/Type" not in dd and "/Subtype" not in dd:
            continue
        d = n.obj
        loc = None
        if "/BM" in dd:
            loc = objref(d)
            bm = dd["/BM"]
            names = [bm] if isinstance(bm, Name) else list(bm) if isinstance(bm, Array) else []
            for b in names:
                if isinstance(b, Name) and name_str(b) not in _BLEND:
                    ctx.add("6.2.10-1", loc, name_str(b))
        if dd.get("/Type") == ext_gstate and not (d.is_indirect and key(d) in seen):
            gss.append((d, loc or objref(d)))
        if dd.get("/Subtype") == image:
            ri = dd.get("/Intent")
            if isinstance(ri, Name) and name_str(ri) not in _INTENTS:
                ctx.add("6.2.6-1", loc or objref(d), name_str(ri))
    for d, loc in gss:
        if "/TR" in d:
            ctx.add("6.2.5-1", loc)
        tr2 = get(d, "/TR2")
        if tr2 is not None and tr2 != _N_Default:
            ctx.add("6.2.5-2", loc)
        if "/HTP" in d:
            ctx.add("6.2.5-3", loc)
        ht = get(d, "/HT")
        if isinstance(ht, (Dictionary, Stream)):
            _halftone(ctx, ht, loc, 0)
        ri = get(d, "/RI")
        if isinstance(ri, Name) and name_str(ri) not in _INTENTS:
            ctx.add("6.2.6-1", loc, name_str(ri))
    for ri, loc in facts(ctx).intents:
        if ri not in _INTENTS:
            ctx.add("6.2.6-1", loc, ri)


def _halftone(ctx, ht, loc, depth, colorant=None) -> None:
    if depth > 4:
        return
    t = num(get(ht, "/HalftoneType"))
    if t not in (1, 5):
        ctx.add("6.2.5-4", loc, f"HalftoneType {t}")
    if "/HalftoneName" in ht:
        ctx.add("6.2.5-5", loc)
    if depth > 0 and colorant != "/Default" and t != 5:
        has_tf = "/TransferFunction" in ht
        if colorant in ("/Cyan", "/Magenta", "/Yellow", "/Black"):
            if has_tf:
                ctx.add("6.2.5-6", loc, f"TransferFunction for {colorant}")
        elif colorant is not None and not has_tf:
            ctx.add("6.2.5-6", loc, f"no TransferFunction for {colorant}")
    if t == 5:
        for k, v in ht.items():
            if isinstance(v, (Dictionary, Stream)) and k not in ("/Type",):
                _halftone(ctx, v, loc, depth + 1, k)


@check("6.2.8-1", "6.2.8-2", "6.2.8-3", "6.2.8-4", "6.2.8-5", "6.2.9-1", "6.2.9-2", "6.2.9-3",
       "6.2.8.3-1", "6.2.8.3-2", "6.2.8.3-3", "6.2.8.3-4", "6.2.8.3-5")
def xobjects(ctx) -> None:
    xobject = _N_XObject
    for n in dict_nodes(ctx):
        d = n.obj
        dd = n.d  # the entries, read once by the graph walk (no qpdf call per entry here)
        if not isinstance(d, Stream):
            continue
        st = dd.get("/Subtype")
        typ = dd.get("/Type")
        if typ not in (None, xobject):
            continue
        loc = objref(d)
        if st == _N_Image:
            if "/Alternates" in dd:
                ctx.add("6.2.8-1", loc)
            if "/OPI" in dd:
                ctx.add("6.2.8-2", loc)
            if dd.get("/Interpolate") is True:
                ctx.add("6.2.8-3", loc)
            bpc = num(dd.get("/BitsPerComponent"))
            if dd.get("/ImageMask") is not True and bpc is not None and bpc not in (1, 2, 4, 8, 16):
                ctx.add("6.2.8-4", loc, f"BitsPerComponent {bpc}")
            m = get(d, "/Mask")
            if isinstance(m, Stream):
                mb = num(get(m, "/BitsPerComponent"))
                if mb is not None and mb != 1:
                    ctx.add("6.2.8-5", objref(m), f"BitsPerComponent {mb}")
            if dd.get("/ImageMask") is True:
                mb = bpc
                if mb is not None and mb != 1:
                    ctx.add("6.2.8-5", loc, f"BitsPerComponent {mb}")
            flt = dd.get("/Filter")
            if flt == _N_JPXDecode or (isinstance(flt, Array) and _N_JPXDecode in list(flt)):
                _jpx(ctx, d, loc)
        elif st == _N_Form:
            if "/OPI" in dd or "/PS" in dd or dd.get("/Subtype2") == _N_PS:
                ctx.add("6.2.9-1", loc)
            if "/Ref" in dd:
                ctx.add("6.2.9-2", loc)
        elif st == _N_PS:
            ctx.add("6.2.9-3", loc)


def _boxes(data: bytes, start: int, end: int):
    i = start
    while i + 8 <= end:
        ln, typ = struct.unpack(">I4s", data[i:i + 8])
        hdr = 8
        if ln == 1:
            if i + 16 > end:
                return
            ln = struct.unpack(">Q", data[i + 8:i + 16])[0]
            hdr = 16
        elif ln == 0:
            ln = end - i
        if ln < hdr:
            return
        yield typ, i + hdr, min(i + ln, end)
        i += ln


def _jpx(ctx, d, loc) -> None:
    try:
        data = d.read_raw_bytes()
    except Exception:  # noqa: BLE001
        return
    has_cs = "/ColorSpace" in d
    if data[:4] == b"\xff\x4f\xff\x51":  # raw codestream, no JP2 boxes
        if len(data) >= 42:
            nc = struct.unpack(">H", data[40:42])[0]
            if nc not in (1, 3, 4):
                ctx.add("6.2.8.3-1", loc, f"{nc} channels")
        return
    nc = bpc = None
    colrs = []
    bpcc = False
    for typ, s, e in _boxes(data, 0, len(data)):
        if typ == b"jp2h":
            for t2, s2, e2 in _boxes(data, s, e):
                if t2 == b"ihdr" and e2 - s2 >= 14:
                    _, _, nc, bpc = struct.unpack(">IIHB", data[s2:s2 + 11])
                elif t2 == b"colr" and e2 - s2 >= 3:
                    meth, prec, approx = data[s2], data[s2 + 1], data[s2 + 2]
                    enum = struct.unpack(">I", data[s2 + 3:s2 + 7])[0] if meth == 1 and e2 - s2 >= 7 else None
                    colrs.append((meth, approx, enum))
                elif t2 == b"bpcc":
                    bpcc = True
    if nc is not None and nc not in (1, 3, 4):
        ctx.add("6.2.8.3-1", loc, f"{nc} channels")
    if not has_cs:
        if len(colrs) > 1 and sum(1 for c in colrs if c[1] == 1) != 1:
            ctx.add("6.2.8.3-2", loc)
        chosen = [c for c in colrs if c[1] == 1] or colrs[:1]
        for meth, approx, enum in chosen[:1]:
            if meth not in (1, 2, 3):
                ctx.add("6.2.8.3-3", loc, f"METH {meth}")
            if enum == 19:
                ctx.add("6.2.8.3-4", loc)
    if bpc is not None:
        depth = (bpc & 0x7F) + 1
        if bpcc or bpc == 0xFF or not (1 <= depth <= 38):
            ctx.add("6.2.8.3-5", loc, "bpcc box / bit depth")


@check("6.2.10-2", partial=("6.2.10-2",),
       note={"6.2.10-2": "transparency = soft masks, constant alpha < 1, non-Normal blend modes, "
                         "transparency groups, SMask images on the page and in its forms/annotations"})
def transparency(ctx) -> None:
    if output_cs(ctx) is not None:
        return
    f = facts(ctx)
    for i, po in enumerate(page_objs(ctx)):
        grp = get(po, "/Group")
        tr = f.page_transparency.get(i, False)
        if isinstance(grp, Dictionary) and get(grp, "/S") == _N_Transparency:
            tr = True
        if tr and not (isinstance(grp, Dictionary) and "/CS" in grp):
            ctx.add("6.2.10-2", f"page {i + 1}")
