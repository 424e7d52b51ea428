"""Active-content and structural-safety policy beyond PDF/A (edossier ids ``AC-*``).

These run only with ``check_pdf(..., active_content=True)`` (the default), except ``AC-REPAIRED``,
which ``check.py`` always reports because the other results would describe a repaired copy.
Everything is found by walking every object reachable from the trailer, direct objects included
(iterating only indirect objects misses e.g. a direct /AA → /Launch).
"""

from __future__ import annotations

import re
import struct

from pikepdf import Array, Dictionary, Name, Stream

from .annots import page_annots
from .rules import check
from .util import name_str, dict_nodes, all_dicts, get, objref

# PDF names compared with in the checks, built once: `Name.X` costs ~0.5 us each time (pikepdf builds it)
_N_RichMedia = Name.RichMedia
_N_Movie = Name.Movie
_N_Sound = Name.Sound
_N_Screen = Name.Screen
_N_3D = Name("/3D")
_N_FileAttachment = Name.FileAttachment


def _action_type(d) -> str | None:
    s = get(d, "/S")
    return name_str(s) if isinstance(s, Name) else None


@check("AC-JS", "AC-LAUNCH", "AC-OPENACTION", "AC-AA", "AC-URI", "AC-SUBMIT", "AC-GOTOR", "AC-EMBEDDED",
       "AC-XFA", "AC-RICHMEDIA", active=True)
def active_objects(ctx) -> None:
    root = ctx.pdf.Root
    oa = get(root, "/OpenAction")
    if oa is not None:
        plain_goto = isinstance(oa, Array) or (isinstance(oa, Dictionary) and _action_type(oa) == "/GoTo"
                                               and "/Next" not in oa)
        if not plain_goto:
            ctx.add("AC-OPENACTION", "Catalog", _action_type(oa) or "")
    names = get(root, "/Names")
    if isinstance(names, Dictionary):
        if "/JavaScript" in names:
            ctx.add("AC-JS", "Names", "JavaScript name tree")
        if "/EmbeddedFiles" in names:
            ctx.add("AC-EMBEDDED", "Names", "EmbeddedFiles name tree")
    af = get(root, "/AcroForm")
    if isinstance(af, Dictionary) and "/XFA" in af:
        ctx.add("AC-XFA", "AcroForm")
    for n in dict_nodes(ctx):
        d = n.d
        if "/AA" in d and isinstance(d["/AA"], Dictionary):
            ctx.add("AC-AA", objref(n.obj))
        if "/JS" in d:
            ctx.add("AC-JS", objref(n.obj))
        if "/EF" in d:
            ctx.add("AC-EMBEDDED", objref(n.obj), "file specification with EF")
        s = d.get("/S")
        if not isinstance(s, Name):
            continue
        t = name_str(s)
        loc = objref(n.obj)
        d = n.obj
        if t == "/JavaScript":
            ctx.add("AC-JS", loc, "JavaScript action")
        elif t == "/Launch":
            ctx.add("AC-LAUNCH", loc)
        elif t == "/URI":
            uri = get(d, "/URI")
            ctx.add("AC-URI", loc, bytes(uri).decode("latin-1")[:120] if uri is not None else "")
        elif t in ("/SubmitForm", "/ImportData"):
            ctx.add("AC-SUBMIT", loc, t)
        elif t in ("/GoToR", "/GoToE"):
            ctx.add("AC-GOTOR", loc, t)
        elif t in ("/Movie", "/Sound", "/Rendition", "/RichMediaExecute", "/GoTo3DView"):
            ctx.add("AC-RICHMEDIA", loc, t)
    for an, loc in page_annots(ctx):
        st = get(an, "/Subtype")
        if st in (_N_RichMedia, _N_3D, _N_Movie, _N_Sound, _N_Screen):
            ctx.add("AC-RICHMEDIA", loc, name_str(st))
        elif st == _N_FileAttachment:
            ctx.add("AC-EMBEDDED", loc, "FileAttachment annotation")


@check("AC-ENCRYPT", active=True)
def encryption(ctx) -> None:
    if "/Encrypt" in ctx.pdf.trailer or ctx.pdf.is_encrypted:
        ctx.add("AC-ENCRYPT", "trailer")


@check("AC-PREHEADER", active=True)
def preheader(ctx) -> None:
    i = ctx.raw.find(b"%PDF-")
    if i != 0:
        ctx.add("AC-PREHEADER", "file header", f"{i if i > 0 else 'no'} bytes before %PDF-")


_ZIP_METHODS = {0, 1, 6, 8, 9, 12, 14, 19, 93, 95, 96, 97, 98, 99}


_ZIP_SIG = re.compile(rb"PK(?:\x03\x04|\x05\x06)")
try:  # the C helpers of pdfa/ (the JPEG check's module; built by setup.py where a compiler exists)
    from edossier.pdfa import _jpegscan as _ACCEL
except ImportError:  # pragma: no cover - a source install without a C compiler
    _ACCEL = None


def _signature_offsets(raw):
    """Offsets of _ZIP_SIG's matches, in order: by the C scan of _jpegscan.c where it was built (about 4 x
    less CPU on scan data: issue 19), else by the regular expression (tests/test_jpeg_accel.py compares)."""
    if _ACCEL is None:
        for m in _ZIP_SIG.finditer(raw):
            yield m.start()
        return
    o = _ACCEL.zip_sig(raw, 0)
    while o >= 0:
        yield o
        o = _ACCEL.zip_sig(raw, o + 4)


def zip_signatures(raw: bytes, limit: int = 16) -> list[tuple[int, str]]:
    """Plausible ZIP local-file headers and end-of-central-directory records in raw bytes.

    One pass for both signatures (the raw scans dominate the cost of checking a scanned document);
    local headers come first in the result, then end records, as many as `limit` allows (at least one).
    """
    local, end = [], []
    for o in _signature_offsets(raw):
        if raw[o + 2] == 3:
            if len(local) >= limit:
                continue
            h = raw[o:o + 30]
            if len(h) < 30:
                continue
            ver, flags, method, _, _, _, csize, usize, nlen, xlen = struct.unpack("<HHHHHIIIHH", h[4:30])
            name = raw[o + 30:o + 30 + nlen]
            if ver <= 63 and method in _ZIP_METHODS and 0 < nlen <= 1024 and len(name) == nlen and \
                    all(32 <= b < 127 or b >= 0x80 for b in name) and flags < 0x4000:
                local.append((o, "local file header"))
        else:
            h = raw[o:o + 22]
            if len(h) < 22:
                continue
            disk, cd_disk, n_disk, n_total, cd_size, cd_off, clen = struct.unpack("<HHHHIIH", h[4:22])
            if disk == cd_disk == 0 and n_disk == n_total and o + 22 + clen <= len(raw) and cd_off <= o:
                end.append((o, "end of central directory"))
        if len(local) >= limit and end:
            break
    return local + end[:max(1, limit - len(local))]


@check("AC-POLYGLOT", active=True)
def polyglot(ctx) -> None:
    for off, what in zip_signatures(ctx.raw):
        ctx.add("AC-POLYGLOT", f"offset {off}", f"ZIP {what}")


_PREV = re.compile(rb"/Prev\s+(\d+)(?!\s+\d+\s+R)(?=[\s/>])")
_EOF = re.compile(rb"%%EOF")


@check("AC-INCREMENTAL", active=True)
def incremental(ctx) -> None:
    # Outside stream data only: an update appended after the signed bytes cannot move into a stream
    # whose extent those bytes already fix (its /Length and "endstream"), and its final %%EOF and
    # trailer (or xref-stream dictionary) are syntax, never stream data.
    from .structure import syntax_finditer

    raw = ctx.raw
    eofs = sum(1 for _ in syntax_finditer(ctx, _EOF))
    prevs = list(syntax_finditer(ctx, _PREV))
    linearized = b"/Linearized" in raw[:2048]
    if linearized:
        # a linearized file has two xref sections and (usually) two %%EOF: that is one revision
        if eofs > 2 or len(prevs) > 1:
            ctx.add("AC-INCREMENTAL", "file", f"{eofs} %%EOF markers in a linearized file")
        return
    if eofs > 1 or prevs:
        ctx.add("AC-INCREMENTAL", "file", f"{eofs} %%EOF markers, {len(prevs)} xref sections with /Prev")
