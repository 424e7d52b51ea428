"""6.2.11 Fonts: dictionaries, CMaps, embedding, widths, encodings, Unicode maps, .notdef.

Dictionary-level rules use every font found in a resource dictionary; glyph-level rules use the
codes actually shown by text operators (collected by the content walk in ``graphics.py``) and read
the embedded font program with fontTools (TrueType/OpenType and bare CFF).
"""

from __future__ import annotations

import logging
import re
import struct

from pikepdf import Array, Dictionary, Name, Stream

from .cmaps import CMapInfo, _font_codes, parse_cmap
from .fontglyphs import (_descendant, _font_usage_one, _is_symbolic, _present_cids, _simple_glyph_name, _STD14,
                         _SUBTYPES, _type0, _type3_name, _uniname, all_fonts)
from .fontprograms import _fontfile, _program
from .graphics import facts
from .limits import LimitExceeded
from .rules import check
from .util import get, name_str, num

# PDF names compared with in the checks, built once: `Name.X` costs ~0.5 us each time (pikepdf builds it)
_N_Font = Name.Font
_N_Identity = Name.Identity
_N_MacRomanEncoding = Name.MacRomanEncoding
_N_WinAnsiEncoding = Name.WinAnsiEncoding
_N_Type0 = Name.Type0
_N_Type3 = Name.Type3
_N_Type1 = Name.Type1
_N_MMType1 = Name.MMType1
_N_CIDFontType2 = Name.CIDFontType2
_N_CIDFontType0 = Name.CIDFontType0

logging.getLogger("fontTools").setLevel(logging.ERROR)


@check("6.2.11.2-1", "6.2.11.2-2", "6.2.11.2-3", "6.2.11.2-4", "6.2.11.2-5", "6.2.11.2-6", "6.2.11.2-7",
       "6.2.11.3.1-1", "6.2.11.3.2-1", "6.2.11.3.3-1", "6.2.11.3.3-2", "6.2.11.3.3-3",
       "6.2.11.6-2", "6.2.11.6-3")
def font_dicts(ctx) -> None:
    for f, loc in all_fonts(ctx):
        st = get(f, "/Subtype")
        sts = name_str(st) if isinstance(st, Name) else name_str(st)
        if get(f, "/Type") != _N_Font:
            ctx.add("6.2.11.2-1", loc)
        if sts not in _SUBTYPES:
            ctx.add("6.2.11.2-2", loc, sts)
        if sts != "/Type3" and not isinstance(get(f, "/BaseFont"), Name):
            ctx.add("6.2.11.2-3", loc)
        bf = name_str(get(f, "/BaseFont", Name("/None")))[1:]
        kind, ff = _fontfile(f)
        if sts in ("/Type1", "/MMType1", "/TrueType", "/Type3"):
            standard = sts in ("/Type1", "/TrueType") and bf in _STD14 and ff is None
            if not standard:
                fc, lc, w = get(f, "/FirstChar"), get(f, "/LastChar"), get(f, "/Widths")
                if fc is None:
                    ctx.add("6.2.11.2-4", loc)
                if lc is None:
                    ctx.add("6.2.11.2-5", loc)
                fcn, lcn = num(fc), num(lc)
                if not isinstance(w, Array) or fcn is None or lcn is None or len(w) != lcn - fcn + 1:
                    ctx.add("6.2.11.2-6", loc)
        if kind == "/FontFile3":
            sub = get(ff, "/Subtype")
            if name_str(sub) not in ("/Type1C", "/CIDFontType0C", "/OpenType"):
                ctx.add("6.2.11.2-7", loc, name_str(sub))
        if sts == "/CIDFontType2" and ff is not None:
            m = get(f, "/CIDToGIDMap")
            if not (m == _N_Identity or isinstance(m, Stream)):
                ctx.add("6.2.11.3.2-1", loc, "missing" if m is None else f"invalid value {name_str(m)}")
        if sts == "/TrueType":
            enc = get(f, "/Encoding")
            if _is_symbolic(f):
                if enc is not None:
                    ctx.add("6.2.11.6-3", loc)
            else:
                base = enc if isinstance(enc, Name) else get(enc, "/BaseEncoding") if isinstance(enc, Dictionary) else None
                if base not in (_N_MacRomanEncoding, _N_WinAnsiEncoding):
                    ctx.add("6.2.11.6-2", loc, name_str(base))
                elif isinstance(enc, Dictionary) and isinstance(get(enc, "/Differences"), Array):
                    from .glyphlist import AGL

                    for g in enc.Differences:
                        if isinstance(g, Name) and name_str(g)[1:] not in AGL and not _uniname(name_str(g)[1:]):
                            ctx.add("6.2.11.6-2", loc, f"glyph name {name_str(g)} in Differences")
                            break
        if sts == "/Type0":
            _type0(ctx, f, loc)


# ------------------------------------------------------------------------------------------------


@check("6.2.11.4.1-1", "6.2.11.4.1-2", "6.2.11.5-1", "6.2.11.8-1", "6.2.11.6-1", "6.2.11.6-4", "6.1.13-10",
       partial=("6.2.11.4.1-2", "6.2.11.5-1", "6.2.11.8-1"),
       note={"6.2.11.4.1-2": "TrueType, CFF and Type 1 programs (fontTools); OpenType CFF (FontFile3/OpenType) "
                             "is read as TrueType/OpenType; Type 3 glyph procedures are not checked; an embedded program that "
                             "cannot be read fails the rule (its glyphs cannot be shown present)",
             "6.2.11.5-1": "TrueType, CFF, Type 1 and Type 3 (d0/d1 width); vertical (WMode 1) metrics are not checked",
             "6.2.11.8-1": "codes that map to .notdef, CID 0 or GID 0 in TrueType, CFF and Type 1 programs"})
def font_usage(ctx) -> None:
    f = facts(ctx)
    for fu in f.fonts.values():
        try:
            _font_usage_one(ctx, fu)
        except (AssertionError, AttributeError, IndexError, KeyError, ValueError, TypeError, struct.error,
                EOFError) as exc:
            # a damaged font program: report what the program reading hit instead of CHECK-ERROR
            ctx.add("6.2.11.4.1-2", fu.loc, f"font program cannot be read: {type(exc).__name__}")


# ------------------------------------------------------------------------------------------------
# Unicode (PDF/A-2u)


@check("6.2.11.7.2-1", "6.2.11.7.2-2", partial=("6.2.11.7.2-1",),
       note={"6.2.11.7.2-1": "ToUnicode, standard encodings, Adobe Glyph List names and predefined UCS2/UTF16 "
                             "CMaps are accepted; glyph names inside the font program are not consulted"})
def unicode_maps(ctx) -> None:
    if ctx.flavour != "2u":
        return
    f = facts(ctx)
    if not f.fonts:
        return  # no font, nothing to map: the glyph list (fontTools, ~30 ms to import) is not needed
    from .glyphlist import AGL

    for fu in f.fonts.values():
        font = fu.font
        tu = get(font, "/ToUnicode")
        codes, cm = _font_codes(ctx, fu)
        umap = None
        if isinstance(tu, Stream):
            try:
                umap = parse_cmap(ctx.stream_bytes(tu))
            except Exception:  # noqa: BLE001
                umap = CMapInfo()
        st = get(font, "/Subtype")
        seen = set()
        for nb, code, mode in codes:
            if (nb, code) in seen:
                continue
            seen.add((nb, code))
            u = None
            if umap is not None:
                u = umap.unicode((nb, code))
                if u is None and nb == 1:
                    u = umap.unicode((2, code))
            if u is None:
                if st == _N_Type0:
                    enc = get(font, "/Encoding")
                    nm = name_str(enc)[1:] if isinstance(enc, Name) else ""
                    if "UCS2" in nm or "UTF16" in nm:
                        continue
                    dd = _descendant(font)
                    csi = get(dd, "/CIDSystemInfo") if dd is not None else None
                    if isinstance(csi, Dictionary) and bytes(get(csi, "/Registry", b"")) == b"Adobe" and \
                            bytes(get(csi, "/Ordering", b"")) in (b"GB1", b"CNS1", b"Japan1", b"Korea1") and \
                            nm not in ("Identity-H", "Identity-V"):
                        continue
                    ctx.add("6.2.11.7.2-1", fu.loc, f"code {code}")
                    break
                gname = _simple_glyph_name(font, code, memo=ctx.cache.setdefault("t1_builtin", {})) \
                    if st != _N_Type3 else _type3_name(font, code)
                if gname is not None and (gname in AGL or _uniname(gname)):
                    continue
                if st == _N_Type1 and get(font, "/Encoding") is None and _is_symbolic(font):
                    pass
                ctx.add("6.2.11.7.2-1", fu.loc, f"code {code}")
                break
            if u == "" or any(ch in u for ch in ("\u0000", "\ufeff", "\ufffe")):
                ctx.add("6.2.11.7.2-2", fu.loc, f"code {code}")


@check("6.2.11.4.2-1", "6.2.11.4.2-2", partial=("6.2.11.4.2-1", "6.2.11.4.2-2"),
       note={"6.2.11.4.2-1": "CharSet compared with the glyph names of Type 1 (FontFile) and CFF (FontFile3) programs",
             "6.2.11.4.2-2": "CIDSet compared with TrueType (CIDFontType2) and CID-keyed CFF programs"})
def subset_sets(ctx) -> None:
    for f, loc in all_fonts(ctx):
        st = get(f, "/Subtype")
        fd = get(f, "/FontDescriptor")
        if not isinstance(fd, Dictionary):
            continue
        bf = name_str(get(f, "/BaseFont", Name("/x")))[1:]
        if not re.match(r"[A-Z]{6}\+", bf):
            continue
        kind, ff = _fontfile(f)
        if ff is None:
            continue
        if st in (_N_Type1, _N_MMType1) and "/CharSet" in fd:
            prog = _program(ctx, f)
            if prog is None or (prog.cff is None and prog.t1 is None):
                continue
            try:
                cs = bytes(fd.CharSet).decode("latin-1")
            except Exception:  # noqa: BLE001 - not a string (ISO 32000-1 Table 122): it lists no glyph
                # the rule's fact (the CharSet lists every glyph of the program) cannot hold (issue 19, ninth round)
                ctx.add("6.2.11.4.2-1", loc, "CharSet is not a string")
                continue
            listed = {x for x in cs.split("/") if x}
            missing = [g for g in prog.order if g != ".notdef" and g not in listed]
            if missing:
                ctx.add("6.2.11.4.2-1", loc, f"CharSet lacks {', '.join(missing[:5])}")
        elif st in (_N_CIDFontType2, _N_CIDFontType0) and isinstance(get(fd, "/CIDSet"), Stream):
            prog = _program(ctx, f)
            if prog is None:
                continue
            try:
                bits = ctx.stream_bytes(fd.CIDSet)
            except LimitExceeded:
                raise  # a bomb is PDF-UNREADABLE (the runner)
            except Exception as exc:  # noqa: BLE001 - a stream qpdf cannot decode
                # whether it identifies every CID of the program cannot be established (issue 19, ninth round)
                ctx.add("6.2.11.4.2-2", loc, f"CIDSet cannot be read: {type(exc).__name__}")
                continue
            present = _present_cids(ctx, f, prog)
            if present is None:
                continue
            missing = [c for c in present if c > 0 and not (c // 8 < len(bits) and bits[c // 8] & (0x80 >> (c % 8)))]
            if missing:
                ctx.add("6.2.11.4.2-2", loc, f"CIDSet lacks CID {', '.join(map(str, missing[:5]))}")


