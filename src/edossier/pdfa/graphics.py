"""The graphics checks (6.2.2, 6.1.10, 6.1.13-8) and `facts(ctx)`: the content-stream walk of
contentwalk.py run once per document, its facts cached for the colour, font and graphics checks.

The walk is one pass over every page content stream, recursing into Form XObjects, tiling patterns,
soft-mask groups, annotation appearance streams and Type 3 glyph procedures.
"""

from __future__ import annotations

import re

from pikepdf import Array, Dictionary, Name, Stream

from .rules import check
from .structure import raw_scan, syntax_finditer
from .util import get, name_str, page_objs
from .contentfacts import ColourUse, Facts
from .contentwalk import Walker, page_resources

# PDF names compared with in the checks, built once: `Name.X` costs ~0.5 us each time (pikepdf builds it)
_N_Transparency = Name.Transparency


_PAGES_RESOURCES = re.compile(rb"/Type\s*/Pages(?![A-Za-z])[^>]*?/Resources|/Resources[^>]*?/Type\s*/Pages(?![A-Za-z])")


def _own_resources(ctx, po) -> bool:
    if "/Resources" not in po:
        return False
    raw_pages = ctx.cache.get("raw_page_bodies")
    if raw_pages is None:
        raw_pages = {}
        if next(syntax_finditer(ctx, _PAGES_RESOURCES), None):
            for ro in raw_scan(ctx):
                end = ro.stream_kw if ro.stream_kw != -1 else ro.body_end
                if end != -1:
                    raw_pages[(ro.num, ro.gen)] = (ro.start, end)
        ctx.cache["raw_page_bodies"] = raw_pages
    if not raw_pages:
        return True
    try:
        span = raw_pages.get(po.objgen)
    except Exception:  # noqa: BLE001
        span = None
    if span is None:
        return True
    return b"/Resources" in ctx.raw[span[0]:span[1]]


def facts(ctx) -> Facts:
    if "facts" in ctx.cache:
        return ctx.cache["facts"]
    w = Walker(ctx)
    ctx.cache["facts"] = w.f  # set early so a failure leaves partial facts, not a re-walk
    for i, po in enumerate(page_objs(ctx)):
        w.transparent = False
        w.page_index = i
        res = page_resources(po)
        # Resources inherited from the page tree count as inherited (6.2.2-2, veraPDF corpus 6-2-2-t04-f).
        # qpdf pushes inherited attributes down to the pages, so look at the page as written.
        chain = [(res, _own_resources(ctx, po))]
        loc = f"page {i + 1}"
        grp = get(po, "/Group")
        if isinstance(grp, Dictionary) and get(grp, "/S") == _N_Transparency:
            cs = get(grp, "/CS")
            if cs is not None:
                w.f.colours.append(ColourUse(cs, loc + ", page group", w.defaults(chain), "group"))
        contents = get(po, "/Contents")
        streams = [contents] if isinstance(contents, Stream) else [c for c in contents if isinstance(c, Stream)] \
            if isinstance(contents, Array) else []
        if len(streams) == 1:
            w.walk_stream(streams[0], chain, loc, 0)
        elif streams:
            data = b"\n".join(ctx.stream_bytes(s) for s in streams)
            w.walk_bytes(data, chain, loc, 0)
        annots = get(po, "/Annots")
        if isinstance(annots, Array):
            for j, a in enumerate(list(annots)[:5000]):
                if not isinstance(a, Dictionary):
                    continue
                ap = get(a, "/AP")
                if not isinstance(ap, Dictionary):
                    continue
                n = get(ap, "/N")
                alist = [n] if isinstance(n, Stream) else [v for _, v in n.items() if isinstance(v, Stream)] \
                    if isinstance(n, Dictionary) else []
                for s in alist[:64]:
                    w.form(s, [], f"{loc}, annotation {j + 1} appearance", 0)
        w.f.page_transparency[i] = w.transparent
    return w.f


@check("PDF-UNREADABLE", "6.2.2-1", "6.2.2-2", "6.1.13-8", "6.2.4.2-2", "6.1.13-1", "6.1.13-2", "6.1.13-3", "6.1.13-5",
       "6.1.6-1", "6.1.6-2")
def content_basics(ctx) -> None:
    f = facts(ctx)
    for loc in f.opm_cmyk:
        ctx.add("6.2.4.2-2", loc)
    for loc, msg in f.errors:
        ctx.add("PDF-UNREADABLE", loc, msg[:200])
    for rid, loc, detail in f.numbers:
        ctx.add(rid, loc, detail)
    for op, loc in f.undefined_ops:
        ctx.add("6.2.2-1", loc, f"operator {op}")
    if f.max_q > 28:
        ctx.add("6.1.13-8", f.max_q_loc, f"q nesting {f.max_q}")
    for loc, what in f.inherited:
        ctx.add("6.2.2-2", loc, f"{what} inherited from the page")


_INLINE_OK = {"/ASCIIHexDecode", "/ASCII85Decode", "/FlateDecode", "/RunLengthDecode", "/CCITTFaxDecode",
              "/DCTDecode", "/AHx", "/A85", "/Fl", "/RL", "/CCF", "/DCT"}


@check("6.1.10-1", "6.2.8-3", partial=("6.2.8-3",), note={"6.2.8-3": "image XObjects and inline images"})
def inline_images(ctx) -> None:
    f = facts(ctx)
    for d, loc in f.inline_images:
        flt = get(d, "/F", get(d, "/Filter"))
        names = [flt] if isinstance(flt, Name) else list(flt) if isinstance(flt, Array) else []
        for n in names:
            if name_str(n) not in _INLINE_OK:
                ctx.add("6.1.10-1", loc + ", inline image", name_str(n))
        if get(d, "/I") is True or get(d, "/Interpolate") is True:
            ctx.add("6.2.8-3", loc + ", inline image")
    for xo, loc in f.images:
        pass  # image XObjects: see colour.images (all images, used or not)
