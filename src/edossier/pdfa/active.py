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

from .annots import _field_type, page_annots
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


_N_OCProperties, _N_OCG, _N_OCMD, _N_Sig, _N_Widget = Name.OCProperties, Name.OCG, Name.OCMD, Name.Sig, Name.Widget


@check("AC-OPTIONAL", "AC-FORM", active=True)
def viewer_dependent(ctx) -> None:
    """Content whose appearance depends on the viewer (spec §7.2, hidden content; found by the red team in
    issue 19, both accepted before):

    - optional content (layers): a group off by default, off when printed (its usage dictionary), or
      switched by a membership expression shows a page differently in a viewer that honours it, one that
      ignores it, and on paper. A dossier page is what was scanned; nothing on it is optional.
    - interactive form fields other than signature fields: a field's value (/V) is what a form-aware viewer
      shows or exports, its appearance stream what others draw, and the two need not agree. Signature
      fields are the PDF signatures of spec §7.3, checked there."""
    root = ctx.pdf.Root
    if _N_OCProperties in root:
        ctx.add("AC-OPTIONAL", "Catalog", "OCProperties")
    for n in dict_nodes(ctx):
        d = n.d
        t = d.get("/Type")
        if t == _N_OCG or t == _N_OCMD:
            ctx.add("AC-OPTIONAL", objref(n.obj), name_str(t))
        elif "/OC" in d:  # an XObject or annotation drawn only when its group is on
            ctx.add("AC-OPTIONAL", objref(n.obj), "OC")
        ft = d.get("/FT")
        if ft is not None and ft != _N_Sig:
            ctx.add("AC-FORM", objref(n.obj), name_str(ft) if isinstance(ft, Name) else "FT")
    for an, loc in page_annots(ctx):
        if get(an, "/Subtype") == _N_Widget and _field_type(an) is None:
            ctx.add("AC-FORM", loc, "widget of no field type")


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
    if _several_revisions(ctx):
        eofs, prevs, linearized = _revisions(ctx)
        ctx.add("AC-INCREMENTAL", "file", f"{eofs} %%EOF markers in a linearized file" if linearized
                else f"{eofs} %%EOF markers, {prevs} xref sections with /Prev")


def _revisions(ctx) -> tuple[int, int, bool]:
    """(%%EOF markers, /Prev entries, linearized) outside stream data, counted once per document (AC-INCREMENTAL
    and AC-UNACCOUNTED both ask; each count is a pass over the file's syntax)."""
    found = ctx.cache.get("revisions")
    if found is None:
        from .structure import syntax_finditer

        found = (sum(1 for _ in syntax_finditer(ctx, _EOF)), sum(1 for _ in syntax_finditer(ctx, _PREV)),
                 b"/Linearized" in ctx.raw[:2048])
        ctx.cache["revisions"] = found
    return found


def _several_revisions(ctx) -> bool:
    """More than one revision: a linearized file has two xref sections and (usually) two %%EOF, which is one."""
    eofs, prevs, linearized = _revisions(ctx)
    return (eofs > 2 or prevs > 1) if linearized else (eofs > 1 or prevs > 0)


# possessive (Python 3.11+): with `(?:[ws]+|…)*` a run of n white-space bytes followed by anything else backtracked
# through 2^n splits before failing (43 NUL bytes between objects hung the checker; fuzz/crashes/pdf/timeout-3fe45f7b…)
_FILLER = re.compile(rb"(?:[\x00\t\n\x0c\r ]++|%[^\r\n]*+)*+")
_XREF_TYPE = re.compile(rb"/Type\s*/XRef(?![A-Za-z0-9])")
_XREF_KW = re.compile(rb"(?:start)?xref(?![a-zA-Z])")


@check("AC-UNACCOUNTED", active=True)
def unaccounted(ctx) -> None:
    """One reading of every byte of a one-revision file (red team, issue 19): every object in the body is the
    one the cross-reference table names at that offset (no object defined twice, none the table leaves out),
    nothing but white space and comments lies between objects, and every dictionary, stream or array the table
    lists is reachable from the trailer (an unreferenced object is content that no check looks at: an
    /EmbeddedFile stream, a JavaScript action, a second page content). A file with several revisions is left
    to AC-INCREMENTAL (or, when PDF signatures cover it, to their modification analysis)."""
    from .structure import raw_scan
    from .util import graph

    raw = ctx.raw
    if _several_revisions(ctx):
        return
    linearized = _revisions(ctx)[2]
    xref = ctx.pdf.get_xref_table()
    objs = sorted(raw_scan(ctx), key=lambda ro: ro.start)
    found = 0

    def enough(location: str, detail: str) -> bool:
        """Report one object; True once eight are reported (the document is refused either way)."""
        nonlocal found
        ctx.add("AC-UNACCOUNTED", location, detail)
        found += 1
        return found >= 8

    for ro in objs:
        entry = xref.get((ro.num, ro.gen))
        if entry is None and ro.stream_kw != -1 and _XREF_TYPE.search(raw, ro.start, ro.stream_kw):
            continue  # a cross-reference stream need not list itself (ISO 32000-1, 7.5.8.3)
        if entry is not None and entry.type == 1 and entry.offset != ro.start and \
                0 <= ro.start - entry.offset <= 16 and not raw[entry.offset:ro.start].strip(b"\x00\t\n\x0c\r "):
            continue  # an offset that points at white space before the object: every reader skips it
        if entry is None or entry.type != 1 or entry.offset != ro.start:
            named = "not listed" if entry is None or entry.type != 1 else f"listed at offset {entry.offset}"
            if enough(f"offset {ro.start}", f"object {ro.num} {ro.gen} at offset {ro.start} is not the one the "
                      f"cross-reference table names ({named}): a second definition other readers may take"):
                return
    if not linearized and objs:
        # the gaps: after the header line, between objects, and after the last one up to the xref keyword
        first_eol = raw.find(b"\n")
        pos = first_eol + 1 if 0 <= first_eol < objs[0].start else objs[0].start
        for ro in objs:
            if ro.start < pos:
                pos = max(pos, ro.body_end + 6 if ro.body_end != -1 else pos)
                continue
            if _FILLER.fullmatch(raw, pos, ro.start) is None:
                ctx.add("AC-UNACCOUNTED", f"offset {pos}",
                        f"{ro.start - pos} bytes between objects that belong to no object")
                return
            if ro.body_end == -1:
                return
            pos = ro.body_end + 6
        m = _XREF_KW.search(raw, pos)
        end = m.start() if m else len(raw)
        if _FILLER.fullmatch(raw, pos, end) is None:
            ctx.add("AC-UNACCOUNTED", f"offset {pos}", f"{end - pos} bytes after the last object that belong to no object")
            return
    # objects the table lists that nothing uses
    graph(ctx)
    reachable = ctx.cache["reachable"]  # the indirect objects graph() visited, by (number, generation)
    hint = None
    if linearized:
        m = re.search(rb"/H\s*\[\s*(\d+)", raw[:2048])
        hint = int(m.group(1)) if m else None
    for objgen, entry in xref.items():
        if entry.type not in (1, 2) or objgen in reachable:
            continue
        if entry.type == 1 and hint is not None and entry.offset == hint:
            continue  # the hint stream of a linearized file, named by offset
        o = ctx.pdf.get_object(objgen)
        if not isinstance(o, (Dictionary, Stream, Array)):
            continue  # an indirect number, name or string: qpdf resolves references to those in place
        t = o.get("/Type") if not isinstance(o, Array) else None
        if t in (Name.XRef, Name.ObjStm) or (not isinstance(o, Array) and "/Linearized" in o):
            continue
        if enough(f"object {objgen[0]} {objgen[1]}",
                  f"object {objgen[0]} {objgen[1]} ({name_str(t) if isinstance(t, Name) else type(o).__name__}) "
                  f"is listed but referenced by nothing: content no check looks at"):
            return
