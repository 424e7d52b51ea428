"""6.1 File structure: header, trailer, EOF, lexical rules on raw bytes, filters, limits."""

from __future__ import annotations

import re
from decimal import Decimal
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from .rules import check
from .util import graph, name_raw, name_str, num, filter_names, get, is_valid_utf8_name, objref, page_objs

# --------------------------------------------------------------------------------------------
# raw-byte scan (qpdf normalises these details away, so we lex the file ourselves)


@dataclass
class RawObj:
    num: int
    gen: int
    start: int  # offset of the object number
    header: bytes  # "1 0 obj" as written, including the whitespace
    body_end: int  # offset of "endobj" (or -1)
    stream_kw: int = -1  # offset of the "stream" keyword
    data_start: int = -1
    endstream: int = -1
    # one space between number, generation and "obj" (6.1.9), read from the match that found the header (the
    # check matched the header again for it: ~0.5 us an object)
    single_spaces: bool = False
    # The answers of two checks about the object's own bytes, found by the scan (issue 19, seventh round: a
    # Python loop over every object each, ~30 ms a veraPDF corpus pass, where the C scan has the bytes at hand):
    # 6.1.9 (obj_spacing): one space in the header, an EOL after "obj", before the number, and around "endobj"
    spacing_ok: bool = False
    # 6.1.6 (hex_strings): the body (to the stream keyword or "endobj") has a <...> that is not a well-formed
    # hex string (hex_suspicious); only such an object is lexed
    hex_suspicious: bool = False


def _object_facts(raw: bytes, ro: "RawObj") -> None:
    """spacing_ok and hex_suspicious of `ro` (the Python scan's; _jpegscan.c's raw_objects finds the same)."""
    h = ro.header
    ok = ro.single_spaces
    # obj keyword followed by EOL; preceded by EOL
    after = raw[ro.start + len(h):ro.start + len(h) + 1]
    before = raw[ro.start - 1:ro.start] if ro.start > 0 else b"\n"
    if after not in (b"\r", b"\n"):
        ok = False
    if before not in (b"\r", b"\n"):
        ok = False
    if ro.body_end != -1:
        pre = raw[ro.body_end - 1:ro.body_end]
        post = raw[ro.body_end + 6:ro.body_end + 7]
        if pre not in (b"\r", b"\n") or post not in (b"\r", b"\n", b""):
            ok = False
    ro.spacing_ok = ok
    end = ro.stream_kw if ro.stream_kw != -1 else ro.body_end
    if end != -1:
        body = raw[ro.start + len(h):end]
        ro.hex_suspicious = b"<" in body and hex_suspicious(body)


_OBJ_RE = re.compile(rb"(?<![0-9])(\d{1,10})([\x00\t\n\x0c\r ]+)(\d{1,5})([\x00\t\n\x0c\r ]+)obj(?![A-Za-z])")
_WS = b"\x00\t\n\x0c\r "


try:  # the C helpers of pdfa/ (built by setup.py where a compiler exists)
    from edossier.pdfa._jpegscan import raw_objects as _raw_objects_c
except ImportError:  # pragma: no cover - a source install without a C compiler
    _raw_objects_c = None


def raw_scan(ctx) -> list[RawObj]:
    """Locate indirect objects and stream extents in the raw file.

    Stream data (nearly all of a scanned document's bytes) is skipped, not searched: the next
    ">> stream" keyword is looked up once and reused for the objects before it, and a stream's
    /Length is trusted when it lands on an "endstream" keyword (otherwise the first "endstream"
    after the data is searched for, as a lenient reader would).

    The loop is _jpegscan.c's raw_objects where it was built (~1.5 us of Python an object, ~17,000 objects a
    veraPDF corpus pass: issue 19, seventh round), else _raw_scan_py, the reference (tests/test_pdfa_raw_scan.py
    compares the two); both ask _endstream_by_length for each stream's end.
    """
    if "raw_objs" in ctx.cache:
        return ctx.cache["raw_objs"]
    if _raw_objects_c is None:
        return _raw_scan_py(ctx)
    raw = ctx.raw
    found = _raw_objects_c(raw, ctx.limits.max_objects,
                           lambda dict_start, stream_kw, data_start: _endstream_by_length(ctx, raw, dict_start,
                                                                                          stream_kw, data_start))
    objs = [RawObj(*t) for t in found]
    ctx.cache["raw_objs"] = objs
    return objs


def _raw_scan_py(ctx) -> list[RawObj]:
    """raw_scan's loop in Python: the reference for _jpegscan.c's raw_objects, and the fallback."""
    raw = ctx.raw
    objs: list[RawObj] = []
    pos = 0
    n = len(raw)
    kw, kw_from = None, -1  # the first ">> stream" at or after kw_from (None: there is none)
    while pos < n:
        m = _OBJ_RE.search(raw, pos)
        if not m:
            break
        ro = RawObj(int(m.group(1)), int(m.group(3)), m.start(), m.group(0), -1)
        ro.single_spaces = m.group(2) == b" " and m.group(4) == b" "
        p = m.end()
        if kw_from == -1 or kw_from > p or (kw is not None and kw.start() < p):
            kw, kw_from = _STREAM_RE.search(raw, p), p
        # the object is a stream when its stream keyword comes before the first "endobj" after it
        eo = raw.find(b"endobj", p, kw.start()) if kw is not None else raw.find(b"endobj", p)
        if kw is not None and eo == -1:
            ro.stream_kw = st = kw.start(1)
            ds = st + 6
            if raw[ds:ds + 2] == b"\r\n":
                ds += 2
            elif raw[ds:ds + 1] in (b"\n", b"\r"):
                ds += 1
            ro.data_start = ds
            es = _endstream_by_length(ctx, raw, m.end(), st, ds)
            if es == -1:
                es = raw.find(b"endstream", ds)
            ro.endstream = es
            eo = raw.find(b"endobj", es if es != -1 else ds)
        ro.body_end = eo
        _object_facts(raw, ro)
        objs.append(ro)
        if len(objs) > ctx.limits.max_objects:
            break
        pos = (eo + 6) if eo != -1 else m.end()
    ctx.cache["raw_objs"] = objs
    return objs


def _endstream_by_length(ctx, raw: bytes, dict_start: int, stream_kw: int, data_start: int) -> int:
    """Offset of "endstream" right after /Length bytes of data (an EOL may precede it), else -1."""
    try:
        length = _raw_length(ctx, raw[dict_start:stream_kw])
    except Exception:  # noqa: BLE001 - an unresolvable length: fall back to searching
        return -1
    # kept for stream_lexical, which asks for the same stream's /Length (the same bytes of the same document,
    # so the same answer; one that raised is not kept, and is asked again there)
    ctx.cache.setdefault("raw_lengths", {})[dict_start, stream_kw] = length
    if length is None or length < 0:
        return -1
    end = data_start + length
    tail = raw[end:end + 11]
    i = tail.find(b"endstream")
    return end + i if i != -1 and tail[:i] in (b"", b"\n", b"\r", b"\r\n") else -1


def syntax_spans(ctx) -> list[tuple[int, int]]:
    """(start, end) spans of the raw file outside stream data: where PDF syntax (keywords, trailers,
    dictionaries) can be. Scanning these instead of the whole file skips the image data that makes
    up nearly all of a scanned document, and keeps bytes inside images from looking like keywords."""
    if "syntax_spans" in ctx.cache:
        return ctx.cache["syntax_spans"]
    spans, pos = [], 0
    for ro in raw_scan(ctx):
        if ro.stream_kw != -1 and ro.endstream != -1 and ro.data_start >= pos:
            spans.append((pos, ro.data_start))
            pos = ro.endstream
    spans.append((pos, len(ctx.raw)))
    ctx.cache["syntax_spans"] = spans
    return spans


def syntax_finditer(ctx, pattern: re.Pattern):
    """`pattern.finditer` over the syntax spans only (see `syntax_spans`)."""
    raw = ctx.raw
    for start, end in syntax_spans(ctx):
        yield from pattern.finditer(raw, start, end)


_STREAM_RE = re.compile(rb">>[\x00\t\n\x0c\r ]*(stream)(?![a-zA-Z])")


@check("6.1.2-1", "6.1.2-2")
def header(ctx) -> None:
    raw = ctx.raw
    m = re.match(rb"%PDF-1\.[0-7](\r\n|\r|\n)", raw)
    if not m:
        ctx.add("6.1.2-1", "file header", repr(raw[:16]))
        if raw.find(b"%PDF-") <= 0:
            return
        start = raw.find(b"%PDF-")
        m2 = re.compile(rb"%PDF-\d\.\d(\r\n|\r|\n)").match(raw, start)
        if not m2:
            return
        end = m2.end()
    else:
        end = m.end()
    b = raw[end:end + 5]
    if len(b) < 5 or b[0:1] != b"%" or not all(x > 127 for x in b[1:5]):
        ctx.add("6.1.2-2", "file header", repr(b))


@check("6.1.3-1", "6.1.3-2")
def trailer(ctx) -> None:
    t = ctx.pdf.trailer
    ident = get(t, "/ID")
    if not isinstance(ident, Array) or len(ident) == 0 or \
            sum(len(bytes(x)) for x in ident if isinstance(x, pikepdf.String)) == 0:
        ctx.add("6.1.3-1", "trailer")
    if "/Encrypt" in t or ctx.pdf.is_encrypted:
        ctx.add("6.1.3-2", "trailer")


@check("6.1.3-3")
def post_eof(ctx) -> None:
    raw = ctx.raw
    i = raw.rfind(b"%%EOF")
    if i == -1:
        ctx.add("6.1.3-3", "end of file", "no %%EOF marker")
        return
    tail = raw[i + 5:]
    if tail not in (b"", b"\n", b"\r", b"\r\n"):
        ctx.add("6.1.3-3", "end of file", f"{len(tail)} bytes after %%EOF")


_XREF = re.compile(rb"xref")


@check("6.1.4-2")
def xref_eol(ctx) -> None:
    raw = ctx.raw
    for m in syntax_finditer(ctx, _XREF):
        s = m.start()
        if raw[s - 5:s] == b"start" or raw[s - 1:s].isalpha() or raw[s + 4:s + 5].isalpha():
            continue
        after = raw[s + 4:s + 7]
        if after[:2] == b"\r\n":
            rest = after[2:3]
        elif after[:1] in (b"\r", b"\n"):
            rest = after[1:2]
        else:
            ctx.add("6.1.4-2", f"xref at offset {s}")
            continue
        if not rest.isdigit():
            ctx.add("6.1.4-2", f"xref at offset {s}")


@check("6.1.9-1")
def obj_spacing(ctx) -> None:
    for ro in raw_scan(ctx):
        if not ro.spacing_ok:  # the scan's test (_object_facts)
            ctx.add("6.1.9-1", f"object {ro.num} {ro.gen} R")


@check("6.1.7.1-1", "6.1.7.1-2")
def stream_lexical(ctx) -> None:
    raw = ctx.raw
    pdf = ctx.pdf
    objs = raw_scan(ctx)
    lengths = ctx.cache.get("raw_lengths", {})  # the /Length of each stream the scan resolved
    for ro in objs:
        if ro.stream_kw == -1:
            continue
        loc = f"object {ro.num} {ro.gen} R"
        kw_end = ro.stream_kw + 6
        if not (raw[kw_end:kw_end + 2] == b"\r\n" or raw[kw_end:kw_end + 1] == b"\n"):
            ctx.add("6.1.7.1-2", loc, "stream keyword not followed by CRLF or LF")
        es = ro.endstream
        if es == -1:
            continue
        if raw[es - 1:es] not in (b"\r", b"\n"):
            ctx.add("6.1.7.1-2", loc, "no EOL before endstream")
        span = (ro.start + len(ro.header), ro.stream_kw)  # the stream's dictionary, as the scan read it
        length = lengths[span] if span in lengths else _raw_length(ctx, raw[span[0]:span[1]])
        if length is None:
            continue
        real = es - ro.data_start
        # real length excludes the EOL that precedes endstream
        cands = {real}
        if raw[es - 1:es] in (b"\r", b"\n"):
            cands.add(real - 1)
        if raw[es - 2:es] == b"\r\n":
            cands.add(real - 2)
        if length not in cands:
            ctx.add("6.1.7.1-1", loc, f"Length {length}, actual {min(cands)}")


_LEN_DIRECT = re.compile(rb"/Length\s+(\d+)(?![\d.])(?!\s+\d+\s+R)")
_LEN_REF = re.compile(rb"/Length\s+(\d+)\s+(\d+)\s+R")


def _raw_length(ctx, dict_bytes: bytes) -> int | None:
    """The /Length of a stream as written in its dictionary (resolving an indirect length)."""
    m = _LEN_REF.search(dict_bytes)
    if m:
        try:
            v = ctx.pdf.get_object((int(m.group(1)), int(m.group(2))))
            return int(v)
        except Exception:  # noqa: BLE001
            return None
    m = _LEN_DIRECT.search(dict_bytes)
    return int(m.group(1)) if m else None


_HEXSTR = re.compile(rb"<([^<>]*)>")


@check("6.1.6-1", "6.1.6-2")
def hex_strings(ctx) -> None:
    raw = ctx.raw
    for ro in raw_scan(ctx):
        if not ro.hex_suspicious:  # the scan's pre-filter (_object_facts): only these are lexed
            continue
        end = ro.stream_kw if ro.stream_kw != -1 else ro.body_end
        body = raw[ro.start + len(ro.header):end]
        for content in _lex_hex(body):
            stripped = re.sub(rb"[\x00\t\n\x0c\r ]", b"", content)
            if not re.fullmatch(rb"[0-9A-Fa-f]*", stripped):
                ctx.add("6.1.6-2", f"object {ro.num} {ro.gen} R")
            elif len(stripped) % 2:
                ctx.add("6.1.6-1", f"object {ro.num} {ro.gen} R")


_HEX_CAND = re.compile(rb"<([^<>]*)>")
_HEX_OK = re.compile(rb"[0-9A-Fa-f\x00\t\n\x0c\r ]*")


HEX_TOKENS = re.compile(rb"(?<!<)<([^<>]*)>")
_NON_HEX = re.compile(rb"[^0-9A-Fa-f\x00\t\n\x0c\r ]")


def hex_suspicious(data: bytes) -> bool:
    """Cheap pre-filter (C regex): is there any <...> that is not a well-formed hex string?"""
    cands = HEX_TOKENS.findall(data)
    if not cands:
        return False
    if _NON_HEX.search(b"".join(cands)):
        return True
    return any(len(c.translate(None, _WS)) & 1 for c in cands)


def _lex_hex(body: bytes):
    """Yield the contents of hex strings, skipping literal strings and comments."""
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == 0x28:  # (
            depth = 1
            i += 1
            while i < n and depth:
                ch = body[i]
                if ch == 0x5C:
                    i += 2
                    continue
                if ch == 0x28:
                    depth += 1
                elif ch == 0x29:
                    depth -= 1
                i += 1
        elif c == 0x25:  # %
            j = body.find(b"\n", i)
            k = body.find(b"\r", i)
            ends = [x for x in (j, k) if x != -1]
            i = min(ends) if ends else n
        elif c == 0x3C:  # <
            if body[i + 1:i + 2] == b"<":
                i += 2
                continue
            j = body.find(b">", i + 1)
            if j == -1:
                return
            yield body[i + 1:j]
            i = j + 1
        else:
            i += 1


_OK_FILTERS = {"/ASCIIHexDecode", "/ASCII85Decode", "/FlateDecode", "/RunLengthDecode", "/CCITTFaxDecode",
               "/JBIG2Decode", "/DCTDecode", "/JPXDecode"}


@check("6.1.7.1-3", "6.1.7.2-1", "6.1.13-7")
def streams(ctx) -> None:
    objects = ctx.cache.get("objects")
    n = 0
    for o in (objects if objects is not None else ctx.pdf.objects):
        n += 1
        if not isinstance(o, Stream):
            continue
        # the location and the decode parameters only where a finding or a /Crypt filter needs them
        if "/F" in o or "/FFilter" in o or "/FDecodeParms" in o:
            ctx.add("6.1.7.1-3", objref(o))
        f = get(o, "/Filter")
        fl = [f] if isinstance(f, Name) else list(f) if isinstance(f, Array) else []
        dps = None
        for idx, x in enumerate(fl):
            s = name_str(x)
            if s in _OK_FILTERS:
                continue
            if s == "/Crypt":
                if dps is None:
                    dp = get(o, "/DecodeParms")
                    dps = [dp] if not isinstance(dp, Array) else list(dp)
                p = dps[idx] if idx < len(dps) else None
                if isinstance(p, Dictionary) and name_str(get(p, "/Name", "/Identity")) == "/Identity":
                    continue
                if p is None:
                    continue  # default crypt filter name is Identity
            ctx.add("6.1.7.2-1", objref(o), s)
    if n > 8388607:
        ctx.add("6.1.13-7", "file", f"{n} indirect objects")


_INT_MAX = 2147483647
_REAL_MAX = 3.403e38
_REAL_MIN = 1.175e-38


@check("6.1.13-1", "6.1.13-2", "6.1.13-3", "6.1.13-4", "6.1.13-5", "6.1.8-1", partial=("6.1.8-1",),
       note={"6.1.8-1": "font names (BaseFont/FontName), Separation/DeviceN colourant names and structure "
                        "element types (/S); RoleMap keys are not checked"})
def limits(ctx) -> None:
    for n in graph(ctx):
        o = n.obj
        if n.is_array:
            vals = n.items
            _check_vals(ctx, o, vals)
            if len(vals) >= 2 and isinstance(vals[0], Name) and vals[0] in _COLOURANT_SPACES:
                names = [vals[1]] if isinstance(vals[1], Name) else list(vals[1]) if isinstance(vals[1], Array) else []
                for nm in names:
                    if isinstance(nm, Name) and not is_valid_utf8_name(nm):
                        ctx.add("6.1.8-1", objref(o), "colourant name")
        else:
            d = n.d
            _check_vals(ctx, o, d.values(), keys=d.keys())
            t = d.get("/Type")
            if (("/P" in d and "/K" in d) or (t is not None and t == _STRUCT_ELEM)) and isinstance(d.get("/S"), Name):
                if not is_valid_utf8_name(d["/S"]):
                    ctx.add("6.1.8-1", objref(o), "structure type name is not valid UTF-8")
            if t is not None and (t == _FONT or t == _FONT_DESCRIPTOR):
                for k in ("/BaseFont", "/FontName"):
                    v = d.get(k)
                    if isinstance(v, Name) and not is_valid_utf8_name(v):
                        ctx.add("6.1.8-1", objref(o), f"{k} is not valid UTF-8")


def _check_vals(ctx, parent, vals, keys=()) -> None:
    # A key (the name as text, with its slash) is at most 4 UTF-8 bytes a character, so only one of more than 32
    # characters can be longer than 127 bytes: 32 four-byte characters are 128 (the test was "more than 40",
    # which let a 128-byte key of 33-40 characters through: a soundness fix of issue 19's fifth round)
    for k in keys:
        if len(k) > 32 and len(k.encode("utf-8", "surrogateescape")) - 1 > 127:
            ctx.add("6.1.13-4", objref(parent))
    # by exact type, pikepdf's objects by type code (pikepdf.String and Name are type-code tests behind a
    # metaclass): the same tests as isinstance for what items() gives (bool, int, Decimal, None, Object)
    for v in vals:
        t = type(v)
        if t is _PObj:
            tc = v._type_code
            if tc == _NAME_T:
                # a name's bytes after #xx expansion are never more than its written form without the slash,
                # so only a name written longer than 128 bytes is expanded
                try:
                    long = len(v.unparse()) > 128
                except Exception:  # noqa: BLE001 - name_raw has its own way round
                    long = True
                if long and len(name_raw(v)) > 127:
                    ctx.add("6.1.13-4", objref(parent))
            elif tc == _STRING_T:
                if len(bytes(v)) > 32767:
                    ctx.add("6.1.13-3", objref(parent))
        elif t is int:
            if v > _INT_MAX or v < -_INT_MAX - 1:
                ctx.add("6.1.13-1", objref(parent), name_str(v))
        elif t is Decimal:
            fv = abs(float(v))
            if fv > _REAL_MAX:
                ctx.add("6.1.13-2", objref(parent), name_str(v))
            elif fv != 0.0 and fv < _REAL_MIN:
                ctx.add("6.1.13-5", objref(parent), name_str(v))
        elif t is not bool and t is not type(None):
            _check_other(ctx, parent, v)


def _check_other(ctx, parent, v) -> None:
    """The isinstance tests for a value of another type (none that pikepdf gives today)."""
    if isinstance(v, bool):
        return
    if isinstance(v, int):
        if v > _INT_MAX or v < -_INT_MAX - 1:
            ctx.add("6.1.13-1", objref(parent), name_str(v))
    elif isinstance(v, Decimal):
        fv = abs(float(v))
        if fv > _REAL_MAX:
            ctx.add("6.1.13-2", objref(parent), name_str(v))
        elif fv != 0.0 and fv < _REAL_MIN:
            ctx.add("6.1.13-5", objref(parent), name_str(v))
    elif isinstance(v, pikepdf.String):
        if len(bytes(v)) > 32767:
            ctx.add("6.1.13-3", objref(parent))
    elif isinstance(v, Name):
        if len(name_raw(v)) > 127:
            ctx.add("6.1.13-4", objref(parent))


_PObj = pikepdf.Object
_STRUCT_ELEM, _FONT, _FONT_DESCRIPTOR = Name.StructElem, Name.Font, Name.FontDescriptor
_COLOURANT_SPACES = (Name.Separation, Name.DeviceN)
_NAME_T = pikepdf.ObjectType.name_
_STRING_T = pikepdf.ObjectType.string


@check("6.1.13-11")
def page_boxes(ctx) -> None:
    for i, po in enumerate(page_objs(ctx)):
        for k in ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
            box = None
            o = po
            for _ in range(32):  # MediaBox and CropBox are inheritable
                if o is None:
                    break
                box = get(o, k)
                if box is not None or k not in ("/MediaBox", "/CropBox"):
                    break
                o = get(o, "/Parent")
            if not isinstance(box, Array) or len(box) != 4:
                continue
            v = [num(x) for x in box]
            if any(x is None for x in v):
                continue
            w, h = abs(v[2] - v[0]), abs(v[3] - v[1])
            if not (3 <= w <= 14400 and 3 <= h <= 14400):
                ctx.add("6.1.13-11", f"page {i + 1}, {k}", f"{w:g} x {h:g}")
