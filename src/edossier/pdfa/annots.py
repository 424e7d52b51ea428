"""6.3 Annotations, 6.4 Interactive forms, 6.5 Actions, 6.8 Embedded files, 6.9 Optional content,
6.10/6.11 alternate presentations and requirements, 6.1.12 permissions."""

from __future__ import annotations

from pikepdf import Array, Dictionary, Name, Stream

from .rules import check
from .util import name_str, dict_nodes, all_dicts, get, inherited, key, num, objref, page_objs

# PDF names compared with in the checks, built once: `Name.X` costs ~0.5 us each time (pikepdf builds it)
_N_Btn = Name.Btn
_N_Widget = Name.Widget
_N_SigRef = Name.SigRef

_ANNOT_OK = {"/Text", "/Link", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine", "/Highlight",
             "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/Popup", "/FileAttachment",
             "/Widget", "/PrinterMark", "/TrapNet", "/Watermark", "/Redact"}


def page_annots(ctx):
    """(annotation dict, location) for every annotation on every page."""
    out = ctx.cache.get("annots")
    if out is None:
        out = []
        for i, po in enumerate(page_objs(ctx)):
            a = get(po, "/Annots")
            if isinstance(a, Array):
                for j, an in enumerate(list(a)[:10000]):
                    if isinstance(an, Dictionary):
                        out.append((an, f"page {i + 1}, annotation {j + 1}"))
        ctx.cache["annots"] = out
    return out


def _field_type(an) -> object:
    return inherited(an, "/FT")


@check("6.3.1-1", "6.3.2-1", "6.3.2-2", "6.3.3-1", "6.3.3-2", "6.3.3-3", "6.3.3-4", "6.4.1-1")
def annotations(ctx) -> None:
    for an, loc in page_annots(ctx):
        st = get(an, "/Subtype")
        sts = name_str(st) if isinstance(st, Name) else name_str(st)
        if sts not in _ANNOT_OK:
            ctx.add("6.3.1-1", loc, sts)
        flags = get(an, "/F")
        if flags is None:
            if sts != "/Popup":
                ctx.add("6.3.2-1", loc, sts)
        else:
            fv = num(flags, 0)
            fv = int(fv) if isinstance(fv, (int, float)) else 0
            if (fv & 1) or (fv & 2) or not (fv & 4) or (fv & 32) or (fv & 256):
                ctx.add("6.3.2-2", loc, f"F = {fv}")
        rect = get(an, "/Rect")
        w = h = None
        if isinstance(rect, Array) and len(rect) == 4:
            vals = [num(x, 0) for x in rect]
            w, h = abs(vals[2] - vals[0]), abs(vals[3] - vals[1])
        ap = get(an, "/AP")
        if ap is None:
            if not (w == 0 and h == 0) and sts not in ("/Popup", "/Link"):
                ctx.add("6.3.3-1", loc, sts)
        elif isinstance(ap, Dictionary):
            keys = set(ap.keys())
            if keys != {"/N"}:
                ctx.add("6.3.3-2", loc, ", ".join(sorted(keys)))
            if "/N" in keys:
                n = get(ap, "/N")
                is_btn = sts == "/Widget" and _field_type(an) == _N_Btn
                if is_btn:
                    if not (isinstance(n, Dictionary) and not isinstance(n, Stream) and len(n.keys()) > 0
                            and all(isinstance(v, Stream) for _, v in n.items())):
                        ctx.add("6.3.3-3", loc)
                elif not isinstance(n, Stream):
                    ctx.add("6.3.3-4", loc)
        if sts == "/Widget" and ("/A" in an or "/AA" in an):
            ctx.add("6.4.1-1", loc)


@check("6.4.1-2", "6.4.1-3", "6.4.2-1", "6.4.2-2")
def forms(ctx) -> None:
    root = ctx.pdf.Root
    af = get(root, "/AcroForm")
    if "/NeedsRendering" in root and get(root, "/NeedsRendering") is not False:
        ctx.add("6.4.2-2", "Catalog")
    if not isinstance(af, Dictionary):
        return
    if get(af, "/NeedAppearances") is True:
        ctx.add("6.4.1-3", "AcroForm")
    if "/XFA" in af:
        ctx.add("6.4.2-1", "AcroForm")
    fields = get(af, "/Fields")
    stack = list(fields) if isinstance(fields, Array) else []
    seen = set()
    n = 0
    while stack and n < 100000:
        f = stack.pop()
        n += 1
        if not isinstance(f, Dictionary):
            continue
        k = key(f)
        if k in seen:
            continue
        seen.add(k)
        if "/AA" in f and get(f, "/Subtype") != _N_Widget:
            ctx.add("6.4.1-2", objref(f))
        kids = get(f, "/Kids")
        if isinstance(kids, Array):
            stack.extend(kids)


_ACTIONS_OK = {"/GoTo", "/GoToR", "/GoToE", "/Thread", "/URI", "/Named", "/SubmitForm"}
_NAMED_OK = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}

_ACTION = Name.Action  # a Name from the attribute costs ~0.7 us; this test runs for every dictionary with /S


def all_actions(ctx):
    """(action dict, location) for every action dictionary in the file (found by a full walk)."""
    out = ctx.cache.get("actions")
    if out is None:
        out = []
        known = _ACTIONS_OK | _BAD_ACTIONS
        for n in dict_nodes(ctx):
            s = n.d.get("/S")
            if isinstance(s, Name) and (n.d.get("/Type") == _ACTION or name_str(s) in known):
                out.append((n.obj, objref(n.obj)))
        ctx.cache["actions"] = out
    return out


_BAD_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide", "/SetOCGState", "/Rendition",
                "/Trans", "/GoTo3DView", "/JavaScript", "/RichMediaExecute"}


@check("6.5.1-1", "6.5.1-2", "6.5.2-1", "6.5.2-2")
def actions(ctx) -> None:
    for d, loc in all_actions(ctx):
        s = name_str(get(d, "/S"))
        if s not in _ACTIONS_OK:
            ctx.add("6.5.1-1", loc, s)
        elif s == "/Named":
            n = get(d, "/N")
            if name_str(n) not in _NAMED_OK:
                ctx.add("6.5.1-2", loc, name_str(n))
    if "/AA" in ctx.pdf.Root:
        ctx.add("6.5.2-1", "Catalog")
    for i, po in enumerate(page_objs(ctx)):
        if "/AA" in po:
            ctx.add("6.5.2-2", f"page {i + 1}")


@check("6.8-2", "6.8-5", partial=("6.8-5",),
       note={"6.8-5": "the embedded file must carry a PDF/A-1 or PDF/A-2 claim in its XMP; it is not validated"})
def embedded_files(ctx) -> None:
    for n in dict_nodes(ctx):
        ef = n.d.get("/EF")
        if not isinstance(ef, Dictionary):
            continue
        d = n.obj
        loc = objref(d)
        if "/F" not in d or "/UF" not in d:
            ctx.add("6.8-2", loc)
        for _, s in ef.items():
            if isinstance(s, Stream):
                ok = False
                try:
                    data = ctx.stream_bytes(s)
                    if data[:5] == b"%PDF-":
                        from .xmpparse import claimed_level
                        import io

                        import pikepdf

                        with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as sub:
                            c = claimed_level(sub) or ""
                        ok = c[:1] in ("1", "2")
                except Exception:  # noqa: BLE001
                    ok = False
                if not ok:
                    ctx.add("6.8-5", loc)


@check("6.9-1", "6.9-2", "6.9-3", "6.9-4")
def optional_content(ctx) -> None:
    ocp = get(ctx.pdf.Root, "/OCProperties")
    if not isinstance(ocp, Dictionary):
        return
    ocgs = get(ocp, "/OCGs")
    all_ocgs = {key(o) for o in ocgs} if isinstance(ocgs, Array) else set()
    configs = []
    d = get(ocp, "/D")
    if isinstance(d, Dictionary):
        configs.append(("default configuration", d))
    cf = get(ocp, "/Configs")
    if isinstance(cf, Array):
        configs += [(f"configuration {i + 1}", c) for i, c in enumerate(cf) if isinstance(c, Dictionary)]
    names = []
    for loc, c in configs:
        nm = get(c, "/Name")
        if nm is None or len(bytes(nm)) == 0:
            ctx.add("6.9-1", loc)
        else:
            names.append(bytes(nm))
        if "/AS" in c:
            ctx.add("6.9-4", loc)
        order = get(c, "/Order")
        if isinstance(order, Array):
            inorder = set()
            stack = list(order)
            n = 0
            while stack and n < 100000:
                n += 1
                o = stack.pop()
                if isinstance(o, Array):
                    stack.extend(o)
                elif isinstance(o, Dictionary):
                    inorder.add(key(o))
            if all_ocgs - inorder:
                ctx.add("6.9-3", loc)
    if len(names) != len(set(names)):
        ctx.add("6.9-2", "OCProperties")


@check("6.10-1", "6.10-2", "6.11-1", "6.1.12-1", "6.1.12-2")
def misc_catalog(ctx) -> None:
    root = ctx.pdf.Root
    names = get(root, "/Names")
    if isinstance(names, Dictionary) and "/AlternatePresentations" in names:
        ctx.add("6.10-1", "Names")
    for i, po in enumerate(page_objs(ctx)):
        if "/PresSteps" in po:
            ctx.add("6.10-2", f"page {i + 1}")
    if "/Requirements" in root:
        ctx.add("6.11-1", "Catalog")
    perms = get(root, "/Perms")
    docmdp = False
    if isinstance(perms, Dictionary):
        for k in perms.keys():
            if k not in ("/UR3", "/DocMDP"):
                ctx.add("6.1.12-1", "Perms", k)
        docmdp = "/DocMDP" in perms
    if docmdp:
        for d in all_dicts(ctx):
            if get(d, "/Type") == _N_SigRef or ("/TransformMethod" in d):
                if any(k in d for k in ("/DigestLocation", "/DigestMethod", "/DigestValue")):
                    ctx.add("6.1.12-2", objref(d))
