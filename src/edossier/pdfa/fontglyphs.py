"""Fonts as the 6.2.11 rules (fonts.py) read them: every font of the document with its Type 0 descendant
and CMap, the glyph each shown code selects in the embedded program, the widths the dictionary declares,
Type 3 glyph names and widths, and the CIDs a program holds."""

from __future__ import annotations

import re
import struct

from pikepdf import Array, Dictionary, Name, Stream

from .cmaps import PREDEFINED_CMAPS, _cid_of, _font_codes
from .context import read_stream
from .fontprograms import Program, _fontfile, _program
from .graphics import facts
from .limits import LimitExceeded
from .util import get, key, name_str, num, resource_entries

# PDF names compared with in the checks, built once: `Name.X` costs ~0.5 us each time (pikepdf builds it)
_N_Type0 = Name.Type0
_N_Type3 = Name.Type3
_N_TrueType = Name.TrueType
_N_CIDFontType2 = Name.CIDFontType2
_N_CIDFontType0 = Name.CIDFontType0
_N_Type1 = Name.Type1
_N_MMType1 = Name.MMType1
_N_WinAnsiEncoding = Name.WinAnsiEncoding
_N_MacRomanEncoding = Name.MacRomanEncoding
_N_StandardEncoding = Name.StandardEncoding
_N_Identity = Name.Identity

_STD14 = {"Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic", "Helvetica", "Helvetica-Bold",
          "Helvetica-Oblique", "Helvetica-BoldOblique", "Courier", "Courier-Bold", "Courier-Oblique",
          "Courier-BoldOblique", "Symbol", "ZapfDingbats"}
_SUBTYPES = {"/Type1", "/MMType1", "/TrueType", "/Type3", "/Type0", "/CIDFontType0", "/CIDFontType2"}


def _descendant(font):
    d = get(font, "/DescendantFonts")
    if isinstance(d, Array) and len(d) and isinstance(d[0], Dictionary):
        return d[0]
    return None


def all_fonts(ctx) -> list:
    """(font dict, location) for every font in a resource dictionary, plus fonts used via ExtGState,
    plus descendant CIDFonts."""
    out = ctx.cache.get("all_fonts")
    if out is not None:
        return out
    out = []
    seen = set()

    def add(f, loc):
        if not isinstance(f, Dictionary):
            return
        k = key(f)
        if f.is_indirect and k in seen:
            return
        seen.add(k)
        out.append((f, loc))
        dd = _descendant(f)
        if dd is not None:
            add(dd, loc + " (descendant)")

    for f, loc in resource_entries(ctx, "/Font"):
        add(f, loc)
    for fu in facts(ctx).fonts.values():
        add(fu.font, fu.loc)
    ctx.cache["all_fonts"] = out
    return out


def _is_symbolic(font) -> bool:
    fd = get(font, "/FontDescriptor")
    fl = num(get(fd, "/Flags"), 0) if isinstance(fd, Dictionary) else 0
    return bool(int(fl) & 4)


def _uniname(g: str) -> bool:
    return bool(re.fullmatch(r"uni([0-9A-F]{4})+|u[0-9A-F]{4,6}", g))


def _type0(ctx, f, loc) -> None:
    enc = get(f, "/Encoding")
    cid = _descendant(f)
    csi = get(cid, "/CIDSystemInfo") if cid is not None else None
    if isinstance(enc, Name):
        nm = name_str(enc)[1:]
        if nm not in PREDEFINED_CMAPS:
            ctx.add("6.2.11.3.3-1", loc, nm)
        cm_csi = _predef_csi(nm)
    elif isinstance(enc, Stream):
        nm = name_str(get(enc, "/CMapName", Name("/?")))[1:]
        cm_csi = get(enc, "/CIDSystemInfo")
        try:
            data = ctx.stream_bytes(enc)
        except LimitExceeded:
            raise  # a bomb is PDF-UNREADABLE (the runner)
        except Exception as exc:  # noqa: BLE001 - a stream qpdf cannot decode
            # whether its WMode is the dictionary's (6.2.11.3.3-2) and what it uses (-3) cannot be established
            # (it passed unchecked until issue 19's ninth round)
            ctx.add("6.2.11.3.3-2", loc, f"embedded CMap cannot be read: {type(exc).__name__}")
            data = b""
        m = re.search(rb"/WMode\s+(\d+)", data)
        if m is not None:
            wm_file = int(m.group(1))
            wm_dict = num(get(enc, "/WMode"), 0)
            if wm_file != wm_dict:
                ctx.add("6.2.11.3.3-2", loc, f"WMode {wm_dict} vs {wm_file}")
        use = get(enc, "/UseCMap")
        m2 = re.search(rb"/([^\s/]+)\s+usecmap", data)
        ref = name_str(use)[1:] if isinstance(use, Name) else (m2.group(1).decode("latin-1") if m2 else None)
        if isinstance(use, Stream):
            ref = "(embedded CMap)"
        if ref is not None and ref not in PREDEFINED_CMAPS:
            ctx.add("6.2.11.3.3-3", loc, ref)
    else:
        return
    if nm in ("Identity-H", "Identity-V"):
        return
    if not isinstance(csi, Dictionary) or not isinstance(cm_csi, Dictionary):
        if isinstance(enc, Stream) and not isinstance(cm_csi, Dictionary):
            return
        if cm_csi is None:
            return
        ctx.add("6.2.11.3.1-1", loc, "CIDSystemInfo missing")
        return
    try:
        ok = (bytes(get(csi, "/Registry", b"")) == bytes(get(cm_csi, "/Registry", b"-")) and
              bytes(get(csi, "/Ordering", b"")) == bytes(get(cm_csi, "/Ordering", b"-")) and
              num(get(csi, "/Supplement"), 0) <= num(get(cm_csi, "/Supplement"), 0))
    except Exception:  # noqa: BLE001
        ok = False
    if not ok:
        ctx.add("6.2.11.3.1-1", loc, "CIDSystemInfo of CIDFont and CMap differ")


_CMAP_ORD = [("GB", "GB1"), ("UniGB", "GB1"), ("GBK", "GB1"), ("GBpc", "GB1"), ("GBKp", "GB1"), ("B5", "CNS1"),
             ("HKscs", "CNS1"), ("ETen", "CNS1"), ("CNS", "CNS1"), ("UniCNS", "CNS1"), ("KSC", "Korea1"),
             ("UniKS", "Korea1"), ("UniJIS", "Japan1")]


def _predef_csi(name: str):
    """CIDSystemInfo (as a plain dict) of a predefined CMap, enough for the 6.2.11.3.1 comparison."""
    from pikepdf import Dictionary as D, String

    order = None
    for pre, o in sorted(_CMAP_ORD, key=lambda x: -len(x[0])):
        if name.startswith(pre):
            order = o
            break
    if order is None and re.match(r"(83pv|90ms|90msp|90pv|Add|EUC|Ext|H$|V$)", name):
        order = "Japan1"
    if order is None:
        return None
    return D(Registry=String("Adobe"), Ordering=String(order), Supplement=99)


def _font_usage_one(ctx, fu) -> None:
    if True:
        font = fu.font
        st = get(font, "/Subtype")
        rendered = any(m != 3 for m in fu.modes)
        target = _descendant(font) if st == _N_Type0 else font
        if target is None:
            return
        kind, ff = _fontfile(target)
        if st != _N_Type3 and rendered and ff is None:
            ctx.add("6.2.11.4.1-1", fu.loc, name_str(get(target, "/BaseFont", Name("/?"))))
        if st == _N_Type3:
            if rendered:
                _type3_widths(ctx, fu)
            return
        if ff is None:
            return
        prog = _program(ctx, target)
        if prog is None:
            # embedded but not readable as its kind of program: whether it defines the glyphs shown (6.2.11.4.1-2),
            # their widths (6.2.11.5) and no .notdef (6.2.11.8) cannot be established, so the font fails here
            # rather than passing unchecked (issue 19, eighth round: a 1 GiB or garbage program passed silently)
            ctx.add("6.2.11.4.1-2", fu.loc, f"font program cannot be read: {kind[1:]}")
            return
        tst = get(target, "/Subtype")
        if tst == _N_TrueType and prog.tt is not None:
            subs = prog.cmaps()
            sym = _is_symbolic(target)
            if not sym:
                if (3, 0) in subs and len(subs) <= 1 or not subs:
                    ctx.add("6.2.11.6-1", fu.loc)
            elif not (len(subs) == 1 or (3, 0) in subs):
                ctx.add("6.2.11.6-4", fu.loc)
        codes, cm = _font_codes(ctx, fu)
        if cm is not None and cm.max_cid > 65535:
            ctx.add("6.1.13-10", fu.loc, f"CID {cm.max_cid}")
        seen = set()
        for nb, code, mode in codes:
            if (nb, code) in seen:
                continue
            seen.add((nb, code))
            g = _glyph_for(ctx, font, target, prog, (nb, code), cm)
            if g is None:
                continue
            gname, present = g
            if gname == ".notdef":
                ctx.add("6.2.11.8-1", fu.loc, f"code {code}")
                continue
            if not present:
                if mode != 3:
                    ctx.add("6.2.11.4.1-2", fu.loc, f"code {code}")
                continue
            if mode == 3:
                continue
            w_dict = _dict_width(font, target, (nb, code), cm)
            if w_dict is None:
                continue
            w_prog = prog.advance(gname)
            if w_prog is not None and abs(w_prog - w_dict) > 1:
                ctx.add("6.2.11.5-1", fu.loc, f"code {code}: {w_dict} vs {round(w_prog, 1)}")


def _glyph_for(ctx, font, target, prog: Program, code, cm) -> tuple[str, bool] | None:
    """(glyph name, present) for a code, or None when we cannot tell."""
    tst = get(target, "/Subtype")
    if tst in (_N_CIDFontType2, _N_CIDFontType0):
        cid = _cid_of(code, font, cm)
        if cid is None:
            return None
        if prog.tt is not None:
            m = get(target, "/CIDToGIDMap")
            if isinstance(m, Stream):
                mp = ctx.cache.setdefault("c2g", {}).get(key(m))
                if mp is None:
                    try:
                        mp = ctx.stream_bytes(m)
                    except Exception:  # noqa: BLE001 - no map: every CID reads as GID 0, which fails 6.2.11.8-1 (.notdef)
                        mp = b""
                    ctx.cache["c2g"][key(m)] = mp
                gid = int.from_bytes(mp[2 * cid:2 * cid + 2], "big") if 2 * cid + 2 <= len(mp) else 0
            else:
                gid = cid
            if gid == 0:
                return ".notdef", False
            if gid >= prog.num_glyphs:
                return f"gid{gid}", False
            return prog.order[gid], True
        if prog.cff is not None:
            if cid == 0:
                return ".notdef", False
            g = prog.cid_glyph(cid)
            return (g, True) if g else (f"cid{cid}", False)
        return None
    # simple fonts
    c = code[1]
    if prog.tt is not None and tst == _N_TrueType:
        if _is_symbolic(target):
            for pid, eid, cc in ((3, 0, c | 0xF000), (3, 0, c), (1, 0, c)):
                t = prog.cmap(pid, eid)
                if t and cc in t:
                    return t[cc], t[cc] != ".notdef"
            return (".notdef", False) if prog.cmaps() else None
        enc_name = _simple_glyph_name(font, c, memo=ctx.cache.setdefault("t1_builtin", {}))
        if enc_name is None or enc_name == ".notdef":
            return ".notdef", False
        t = prog.cmap(3, 1)
        from .glyphlist import AGL

        u = AGL.get(enc_name)
        if t is not None and u is not None and u in t:
            return t[u], t[u] != ".notdef"
        t10 = prog.cmap(1, 0)
        if t10 is not None:
            from .glyphlist import MACROMAN_BY_NAME

            mc = MACROMAN_BY_NAME.get(enc_name)
            if mc is not None and mc in t10:
                return t10[mc], t10[mc] != ".notdef"
        if t is None and t10 is None:
            return (enc_name, True) if enc_name in prog.order else None
        return enc_name, False  # no cmap entry: the glyph is not reachable
    if (prog.cff is not None or prog.t1 is not None) and tst in (_N_Type1, _N_MMType1):
        gname = _simple_glyph_name(font, c, builtin=prog, memo=ctx.cache.setdefault("t1_builtin", {}))
        if gname is None or gname == ".notdef":
            return ".notdef", False
        return gname, prog.has_glyph(gname)
    return None


def _simple_glyph_name(font, c: int, builtin: Program | None = None, memo: dict | None = None) -> str | None:
    """The glyph name of code c in a simple font. `memo`: the document's built-in encodings of Type 1 programs
    (_type1_builtin) so far, for a caller asking about many codes of the same fonts."""
    from .glyphlist import STANDARD, WINANSI, MACROMAN

    enc = get(font, "/Encoding")
    base = None
    if isinstance(enc, Dictionary):
        name = _differences_name(enc, c)
        if name is not None:
            return name
        base = get(enc, "/BaseEncoding")
    elif isinstance(enc, Name):
        base = enc
    table = {_N_WinAnsiEncoding: WINANSI, _N_MacRomanEncoding: MACROMAN,
             _N_StandardEncoding: STANDARD}.get(base) if base is not None else None
    if base is None:
        t1 = _type1_builtin(font, memo)
        if t1 is not None:
            if c in t1:
                return t1[c]
            if t1:
                return None
    if table is None and builtin is not None and builtin.cff is not None:
        try:
            e = builtin.cff.Encoding
        except Exception:  # noqa: BLE001
            e = None
        if isinstance(e, list):
            n = e[c] if c < len(e) else None
            return None if n in (None, ".notdef") else n
        table = STANDARD
    if table is None:
        table = STANDARD
    return table.get(c)


def _type1_builtin(font, memo: dict | None = None) -> dict | None:
    """Built-in encoding of an embedded Type 1 (FontFile) program: {code: glyph name} (callers only read it).

    It is a function of the FontFile stream alone (its decoded bytes and /Length1), which was read and
    scanned again for every character code (issue 19, seventh round): `memo`, one document's, keeps it by the
    stream's object number (a stream is always an indirect object; a document never holds two with one number)."""
    fd = get(font, "/FontDescriptor")
    ff = get(fd, "/FontFile") if isinstance(fd, Dictionary) else None
    if not isinstance(ff, Stream):
        return None
    if memo is None:
        return _type1_builtin_of(ff)
    k = key(ff)
    if k not in memo:
        memo[k] = _type1_builtin_of(ff)
    return memo[k]


def _type1_builtin_of(ff) -> dict | None:
    try:
        data = read_stream(ff, 200000, prefix=True)  # bounded: qpdf's read_bytes would inflate a bomb whole
    except Exception:  # noqa: BLE001
        return None
    n1 = num(get(ff, "/Length1"))
    clear = data[:n1] if isinstance(n1, int) and 0 < n1 <= len(data) else data[:20000]
    if b"StandardEncoding def" in clear:
        from .glyphlist import STANDARD

        return dict(STANDARD)
    return {int(m.group(1)): m.group(2).decode("latin-1")
            for m in re.finditer(rb"dup\s+(\d+)\s*/([^\s/\[\]]+)\s+put", clear)}


def _dict_width(font, target, code, cm) -> float | None:
    st = get(font, "/Subtype")
    if st == _N_Type0:
        cid = _cid_of(code, font, cm)
        if cid is None:
            return None
        w = get(target, "/W")
        dw = num(get(target, "/DW"), 1000)
        if isinstance(w, Array):
            i = 0
            items = list(w)
            while i < len(items):
                a = num(items[i])
                if a is None:
                    return None
                nxt = items[i + 1] if i + 1 < len(items) else None
                if isinstance(nxt, Array):
                    if a <= cid < a + len(nxt):
                        return num(nxt[cid - a])
                    i += 2
                else:
                    b = num(nxt)
                    if b is None or i + 2 >= len(items):
                        return None
                    if a <= cid <= b:
                        return num(items[i + 2])
                    i += 3
        return dw
    fc = num(get(font, "/FirstChar"))
    ws = get(font, "/Widths")
    if fc is None or not isinstance(ws, Array):
        return None
    i = code[1] - fc
    if 0 <= i < len(ws):
        return num(ws[i])
    fd = get(font, "/FontDescriptor")
    return num(get(fd, "/MissingWidth"), 0) if isinstance(fd, Dictionary) else 0


def _type3_name(font, c):
    enc = get(font, "/Encoding")
    return _differences_name(enc, c) if isinstance(enc, Dictionary) else None


def _differences_name(enc, c: int) -> str | None:
    """The glyph name an encoding dictionary's /Differences gives code `c` (without the slash), or None."""
    diffs = get(enc, "/Differences")
    if isinstance(diffs, Array):
        cur = None
        for x in diffs:
            if isinstance(x, int):
                cur = x
            elif isinstance(x, Name) and cur is not None:
                if cur == c:
                    return name_str(x)[1:]
                cur += 1
    return None


def _type3_widths(ctx, fu) -> None:
    font = fu.font
    procs = get(font, "/CharProcs")
    if not isinstance(procs, Dictionary):
        return
    codes, _ = _font_codes(ctx, fu)
    done = set()
    for nb, code, mode in codes:
        if mode == 3 or code in done:
            continue
        done.add(code)
        gname = _type3_name(font, code)
        if gname is None or ("/" + gname) not in procs:
            continue
        cp = procs["/" + gname]
        if not isinstance(cp, Stream):
            continue
        try:
            data = ctx.stream_bytes(cp)[:4096]
        except LimitExceeded:
            raise  # a bomb is PDF-UNREADABLE (the runner)
        except Exception as exc:  # noqa: BLE001 - a stream qpdf cannot decode
            # the glyph's width (d0/d1) cannot be compared with the font dictionary's: the rule fails for the
            # glyph (it passed unchecked until issue 19's ninth round)
            ctx.add("6.2.11.5-1", fu.loc, f"code {code}: glyph procedure cannot be read: {type(exc).__name__}")
            continue
        m = re.search(rb"(-?[\d.]+)\s+(-?[\d.]+)\s+(?:(?:-?[\d.]+\s+){4})?d[01](?![A-Za-z0-9])", data)
        if not m:
            continue
        try:
            wx = float(m.group(1))
        except ValueError:
            continue
        w_dict = _dict_width(font, font, (nb, code), None)
        if w_dict is not None and abs(w_dict - wx) > 1:
            ctx.add("6.2.11.5-1", fu.loc, f"code {code}: {w_dict} vs {wx:g}")


def _present_cids(ctx, f, prog: Program) -> list[int] | None:
    if prog.tt is not None:
        m = get(f, "/CIDToGIDMap")
        if m is None or m == _N_Identity:
            return list(range(prog.num_glyphs))
        if isinstance(m, Stream):
            try:
                mp = ctx.stream_bytes(m)
            except Exception:  # noqa: BLE001
                return None
            n = len(mp) // 2
            gids = struct.unpack(f">{n}H", mp[:2 * n])
            return [cid for cid, g in enumerate(gids) if 0 < g < prog.num_glyphs]
        return None
    if prog.cff is not None and hasattr(prog.cff, "ROS"):
        out = []
        for g in prog.order:
            if g.startswith("cid") and g[3:].isdigit():
                out.append(int(g[3:]))
        return out
    return None
