"""6.2.11 Fonts: dictionaries, CMaps, embedding, widths, encodings, Unicode maps, .notdef.

Dictionary-level rules use every font found in a resource dictionary; glyph-level rules use the
codes actually shown by text operators (collected by the content walk in ``graphics.py``) and read
the embedded font program with fontTools (TrueType/OpenType and bare CFF).
"""

from __future__ import annotations

import io
import logging
import re
import struct
from dataclasses import dataclass, field

from pikepdf import Array, Dictionary, Name, Stream

from .graphics import facts
from .rules import check
from .util import get, key, name_str, num, objref, resource_entries

_STD14 = {"Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic", "Helvetica", "Helvetica-Bold",
          "Helvetica-Oblique", "Helvetica-BoldOblique", "Courier", "Courier-Bold", "Courier-Oblique",
          "Courier-BoldOblique", "Symbol", "ZapfDingbats"}
_SUBTYPES = {"/Type1", "/MMType1", "/TrueType", "/Type3", "/Type0", "/CIDFontType0", "/CIDFontType2"}
logging.getLogger("fontTools").setLevel(logging.ERROR)

PREDEFINED_CMAPS = set("""Identity-H Identity-V GB-EUC-H GB-EUC-V GBpc-EUC-H GBpc-EUC-V GBK-EUC-H GBK-EUC-V GBKp-EUC-H
GBKp-EUC-V GBK2K-H GBK2K-V UniGB-UCS2-H UniGB-UCS2-V UniGB-UTF16-H UniGB-UTF16-V B5pc-H B5pc-V HKscs-B5-H HKscs-B5-V
ETen-B5-H ETen-B5-V ETenms-B5-H ETenms-B5-V CNS-EUC-H CNS-EUC-V UniCNS-UCS2-H UniCNS-UCS2-V UniCNS-UTF16-H
UniCNS-UTF16-V 83pv-RKSJ-H 90ms-RKSJ-H 90ms-RKSJ-V 90msp-RKSJ-H 90msp-RKSJ-V 90pv-RKSJ-H Add-RKSJ-H Add-RKSJ-V EUC-H
EUC-V Ext-RKSJ-H Ext-RKSJ-V H V UniJIS-UCS2-H UniJIS-UCS2-V UniJIS-UCS2-HW-H UniJIS-UCS2-HW-V UniJIS-UTF16-H
UniJIS-UTF16-V KSC-EUC-H KSC-EUC-V KSCms-UHC-H KSCms-UHC-V KSCms-UHC-HW-H KSCms-UHC-HW-V KSCpc-EUC-H UniKS-UCS2-H
UniKS-UCS2-V UniKS-UTF16-H UniKS-UTF16-V""".split())


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


def _fontfile(font):
    fd = get(font, "/FontDescriptor")
    if not isinstance(fd, Dictionary):
        return None, None
    for k in ("/FontFile", "/FontFile2", "/FontFile3"):
        s = get(fd, k)
        if isinstance(s, Stream):
            return k, s
    return None, None


def _is_symbolic(font) -> bool:
    fd = get(font, "/FontDescriptor")
    fl = num(get(fd, "/Flags"), 0) if isinstance(fd, Dictionary) else 0
    return bool(int(fl) & 4)


@check("6.2.11.2-1", "6.2.11.2-2", "6.2.11.2-3", "6.2.11.2-4", "6.2.11.2-5", "6.2.11.2-6", "6.2.11.2-7",
       "6.2.11.3.1-1", "6.2.11.3.2-1", "6.2.11.3.3-1", "6.2.11.3.3-2", "6.2.11.3.3-3",
       "6.2.11.6-2", "6.2.11.6-3")
def font_dicts(ctx) -> None:
    for f, loc in all_fonts(ctx):
        st = get(f, "/Subtype")
        sts = name_str(st) if isinstance(st, Name) else name_str(st)
        if get(f, "/Type") != Name.Font:
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
            if not (m == Name.Identity or isinstance(m, Stream)):
                ctx.add("6.2.11.3.2-1", loc, "missing" if m is None else f"invalid value {name_str(m)}")
        if sts == "/TrueType":
            enc = get(f, "/Encoding")
            if _is_symbolic(f):
                if enc is not None:
                    ctx.add("6.2.11.6-3", loc)
            else:
                base = enc if isinstance(enc, Name) else get(enc, "/BaseEncoding") if isinstance(enc, Dictionary) else None
                if base not in (Name.MacRomanEncoding, Name.WinAnsiEncoding):
                    ctx.add("6.2.11.6-2", loc, name_str(base))
                elif isinstance(enc, Dictionary) and isinstance(get(enc, "/Differences"), Array):
                    from .glyphlist import AGL

                    for g in enc.Differences:
                        if isinstance(g, Name) and name_str(g)[1:] not in AGL and not _uniname(name_str(g)[1:]):
                            ctx.add("6.2.11.6-2", loc, f"glyph name {name_str(g)} in Differences")
                            break
        if sts == "/Type0":
            _type0(ctx, f, loc)


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
        except Exception:  # noqa: BLE001
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


# ------------------------------------------------------------------------------------------------
# CMaps (embedded) and code splitting


@dataclass
class CMapInfo:
    ranges: list = field(default_factory=list)  # (nbytes, lo, hi)
    cid: dict = field(default_factory=dict)  # single code -> cid
    cidranges: list = field(default_factory=list)  # (lo, hi, cid0, nbytes)
    uni: dict = field(default_factory=dict)  # code -> unicode string
    uni_ranges: list = field(default_factory=list)  # (nbytes, lo, hi, base string)
    max_cid: int = 0
    parent: str | None = None  # the CMap named by usecmap / UseCMap: its mappings apply where this one has none

    def unicode(self, code: tuple[int, int]) -> str | None:
        u = self.uni.get(code)
        if u is not None:
            return u
        nb, c = code
        for rnb, lo, hi, base in self.uni_ranges:
            if rnb == nb and lo <= c <= hi:
                if not base:
                    return ""
                last = ord(base[-1]) + (c - lo)
                if last > 0x10FFFF or 0xD800 <= last <= 0xDFFF:
                    return base
                return base[:-1] + chr(last)
        return None


_HEXTOK = re.compile(rb"<([0-9A-Fa-f\s]*)>")


_USECMAP = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s+usecmap")


def parse_cmap(data: bytes) -> CMapInfo:
    info = CMapInfo()
    m = _USECMAP.search(data)
    if m is not None:
        info.parent = m.group(1).decode("latin-1")
    for blk in re.finditer(rb"begincodespacerange(.*?)endcodespacerange", data, re.S):
        toks = _HEXTOK.findall(blk.group(1))
        for lo, hi in zip(toks[0::2], toks[1::2]):
            lo, hi = re.sub(rb"\s", b"", lo), re.sub(rb"\s", b"", hi)
            info.ranges.append((len(lo) // 2, int(lo or b"0", 16), int(hi or b"0", 16)))
    for blk in re.finditer(rb"begincidchar(.*?)endcidchar", data, re.S):
        for m in re.finditer(rb"<([0-9A-Fa-f]+)>\s*(\d+)", blk.group(1)):
            c = int(m.group(2))
            info.cid[(len(m.group(1)) // 2, int(m.group(1), 16))] = c
            info.max_cid = max(info.max_cid, c)
    for blk in re.finditer(rb"begincidrange(.*?)endcidrange", data, re.S):
        for m in re.finditer(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\d+)", blk.group(1)):
            lo, hi, c = int(m.group(1), 16), int(m.group(2), 16), int(m.group(3))
            info.cidranges.append((lo, hi, c, len(m.group(1)) // 2))
            info.max_cid = max(info.max_cid, c + max(0, hi - lo))
    for blk in re.finditer(rb"beginbfchar(.*?)endbfchar", data, re.S):
        toks = _HEXTOK.findall(blk.group(1))
        for src, dst in zip(toks[0::2], toks[1::2]):
            src = re.sub(rb"\s", b"", src)
            info.uni[(len(src) // 2, int(src or b"0", 16))] = _utf16(dst)
    for blk in re.finditer(rb"beginbfrange(.*?)endbfrange", data, re.S):
        body = blk.group(1)
        for m in re.finditer(rb"<([0-9A-Fa-f\s]+)>\s*<([0-9A-Fa-f\s]+)>\s*(<[0-9A-Fa-f\s]*>|\[[^\]]*\])", body):
            lo_s = re.sub(rb"\s", b"", m.group(1))
            lo, hi = int(lo_s, 16), int(re.sub(rb"\s", b"", m.group(2)), 16)
            nb = len(lo_s) // 2
            if hi - lo > 65536:
                continue
            dst = m.group(3)
            if dst.startswith(b"["):
                for i, d in enumerate(_HEXTOK.findall(dst)):
                    info.uni[(nb, lo + i)] = _utf16(d)
            else:
                d = re.sub(rb"\s", b"", dst[1:-1])
                info.uni_ranges.append((nb, lo, hi, _utf16(d)))
    return info


def _utf16(h: bytes) -> str:
    h = re.sub(rb"\s", b"", h)
    try:
        b = bytes.fromhex(h.decode("ascii"))
        if len(b) % 2:
            b = b"\x00" + b
        return b.decode("utf-16-be", "surrogatepass")
    except Exception:  # noqa: BLE001
        return ""


def split_codes(s: bytes, ranges) -> list[tuple[int, int]]:
    """Split a string into (nbytes, code) using codespace ranges (2-byte default)."""
    out = []
    i = 0
    if not ranges:
        ranges = [(2, 0, 0xFFFF)]
    while i < len(s):
        done = False
        for nb in (1, 2, 3, 4):
            if i + nb > len(s):
                break
            c = int.from_bytes(s[i:i + nb], "big")
            if any(r[0] == nb and r[1] <= c <= r[2] for r in ranges):
                out.append((nb, c))
                i += nb
                done = True
                break
        if not done:
            nb = min(r[0] for r in ranges)
            out.append((nb, int.from_bytes(s[i:i + nb], "big")))
            i += nb
    return out


def _font_codes(ctx, fu) -> tuple[list, CMapInfo | None]:
    """Distinct codes shown with a font: list of (nbytes, code, render mode), and the CMap (Type0)."""
    cache = ctx.cache.setdefault("font_codes", {})
    k = key(fu.font)
    if k in cache:
        return cache[k]
    font = fu.font
    codes: set = set()
    cm = None
    uniq = set(fu.strings)
    if get(font, "/Subtype") == Name.Type0:
        enc = get(font, "/Encoding")
        if isinstance(enc, Stream):
            try:
                cm = parse_cmap(ctx.stream_bytes(enc))
            except Exception:  # noqa: BLE001
                cm = CMapInfo()
            use = get(enc, "/UseCMap")
            if isinstance(use, Name):  # the dictionary entry names the parent (ISO 32000-1 Table 120)
                cm.parent = name_str(use)[1:]
            ranges = cm.ranges
            if not ranges and cm.parent in PREDEFINED_CMAPS:
                # a CMap that adds to a predefined one inherits its codespace ranges
                ranges = _predef_ranges(cm.parent)
        else:
            nm = name_str(enc)[1:] if isinstance(enc, Name) else "Identity-H"
            ranges = _predef_ranges(nm)
        two_only = bool(ranges) and all(r[0] == 2 for r in ranges) and any(r[1] == 0 and r[2] == 0xFFFF for r in ranges)
        for s, mode in uniq:
            if two_only:
                if len(s) % 2:
                    s = s + b"\x00"
                codes.update((2, c, mode) for c in struct.unpack(f">{len(s) // 2}H", s))
            else:
                codes.update((nb, c, mode) for nb, c in split_codes(s, ranges))
    else:
        for s, mode in uniq:
            codes.update((1, b, mode) for b in s)
    out = (sorted(codes), cm)
    cache[k] = out
    return out


def _predef_ranges(name: str) -> list:
    # Identity and the Unicode (UCS2/UTF16) CMaps use 2-byte codes; the legacy CJK CMaps are approximated
    # by their usual single-byte ASCII and double-byte ranges
    if name in ("Identity-H", "Identity-V") or "UCS2" in name or "UTF16" in name:
        return [(2, 0, 0xFFFF)]
    return [(1, 0, 0x80), (2, 0x8100, 0xFEFF)]


def _cid_of(code: tuple[int, int], font, cm: CMapInfo | None) -> int | None:
    """The CID a code selects, 0 when the CMap maps it to nothing, None when we cannot tell."""
    if cm is None:
        enc = get(font, "/Encoding")
        nm = name_str(enc)[1:] if isinstance(enc, Name) else "Identity-H"
        # the predefined CMaps other than Identity map codes to CIDs through tables that edossier does not
        # carry (Adobe's CMap resources): reading the code as the CID would test the wrong glyph
        return code[1] if nm in ("Identity-H", "Identity-V") else None
    if code in cm.cid:
        return cm.cid[code]
    for lo, hi, c0, nb in cm.cidranges:
        if nb == code[0] and lo <= code[1] <= hi:
            return c0 + code[1] - lo
    if cm.parent is not None:
        # ISO 32000-1 9.7.5.3 (usecmap): a code this CMap does not map is mapped by the CMap it uses;
        # Identity maps a 2-byte code to the same CID, other parents are tables we do not carry
        if cm.parent in ("Identity-H", "Identity-V") and code[0] == 2:
            return code[1]
        return None
    return 0


# ------------------------------------------------------------------------------------------------
# font programs


def _t1_decrypt(data: bytes, r: int) -> bytes:
    """Type 1 charstring/eexec decryption (same algorithm as fontTools.misc.eexec, faster loop)."""
    out = bytearray(len(data))
    for i, c in enumerate(data):
        out[i] = c ^ (r >> 8)
        r = ((c + r) * 52845 + 22719) & 0xFFFF
    return bytes(out)


def _parse_type1(data: bytes) -> dict:
    """fontTools.t1Lib.T1Font.parse on in-memory data, with the faster charstring decryption."""
    from fontTools.misc import psCharStrings, psLib

    font = psLib.suckfont(data, "ascii")
    charstrings = font["CharStrings"]
    priv = font["Private"]
    lenIV = priv.get("lenIV", 4)
    if lenIV < 0:
        raise ValueError("lenIV < 0")
    subrs = priv.get("Subrs", [])
    for name in list(charstrings.keys())[:70000]:
        charstrings[name] = psCharStrings.T1CharString(_t1_decrypt(charstrings[name], 4330)[lenIV:], subrs=subrs)
    for i in range(len(subrs)):
        subrs[i] = psCharStrings.T1CharString(_t1_decrypt(subrs[i], 4330)[lenIV:], subrs=subrs)
    return font


class Program:
    """What we need from an embedded font program: glyph lookup and advance widths."""

    def __init__(self, kind: str, data: bytes) -> None:
        self.kind = kind
        self.tt = None
        self.cff = None
        self.t1 = None
        self.ok = False
        try:
            if kind == "/FontFile":
                self.t1 = _parse_type1(data)
                self.order = list(self.t1["CharStrings"].keys())
                self.num_glyphs = len(self.order)
                self.ok = True
                return
            if kind == "/FontFile2" or (kind == "/FontFile3" and data[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true")):
                from fontTools.ttLib import TTFont

                self.tt = TTFont(io.BytesIO(data), lazy=True, fontNumber=0)
                self.upem = self.tt["head"].unitsPerEm or 1000
                self.num_glyphs = self.tt["maxp"].numGlyphs
                self.order = self.tt.getGlyphOrder()
                self.ok = True
            elif kind == "/FontFile3":
                from fontTools.cffLib import CFFFontSet

                cs = CFFFontSet()
                cs.decompile(io.BytesIO(data), None)
                self.cff = cs[cs.fontNames[0]]
                self.order = self.cff.charset
                self.num_glyphs = len(self.order)
                self.ok = True
        except Exception:  # noqa: BLE001
            self.ok = False

    def cmap(self, pid: int, eid: int):
        try:
            t = self.tt["cmap"].getcmap(pid, eid)
            return t.cmap if t is not None else None
        except Exception:  # noqa: BLE001
            return None

    def cmaps(self) -> list[tuple[int, int]]:
        try:
            return [(t.platformID, t.platEncID) for t in self.tt["cmap"].tables]
        except Exception:  # noqa: BLE001
            return []

    def has_glyph(self, gname: str) -> bool:
        if self.t1 is not None:
            return gname in self.t1["CharStrings"]
        if self.cff is not None:
            return gname in self.cff.CharStrings
        return gname in self.order

    def advance(self, gname: str) -> float | None:
        try:
            if self.t1 is not None:
                from fontTools.pens.basePen import NullPen

                cs = self.t1["CharStrings"][gname]
                cs.draw(NullPen())
                fm = self.t1.get("FontMatrix") or [0.001]
                return cs.width * fm[0] * 1000
            if self.tt is not None:
                return self.tt["hmtx"][gname][0] * 1000.0 / self.upem
            if self.cff is not None:
                cs = self.cff.CharStrings[gname]
                cs.decompile()
                from fontTools.pens.basePen import NullPen

                cs.draw(NullPen())
                w = cs.width
                fm = getattr(self.cff, "FontMatrix", [0.001])
                scale = fm[0] * 1000 if fm and fm[0] else 1
                return w * scale
        except Exception:  # noqa: BLE001
            return None
        return None

    def cid_glyph(self, cid: int) -> str | None:
        """CFF CID-keyed: glyph name for a CID (None if absent)."""
        if self.cff is None:
            return None
        if hasattr(self.cff, "ROS"):
            nm = f"cid{cid:05d}"
            return nm if nm in self.cff.CharStrings else None
        if 0 <= cid < len(self.order):
            return self.order[cid]
        return None


def _program(ctx, font) -> Program | None:
    cache = ctx.cache.setdefault("programs", {})
    k = key(font)
    if k in cache:
        return cache[k]
    kind, ff = _fontfile(font)
    prog = None
    if ff is not None:
        try:
            data = ctx.stream_bytes(ff)
            if kind == "/FontFile":
                n1, n2 = num(get(ff, "/Length1")), num(get(ff, "/Length2"))
                if isinstance(n1, int) and isinstance(n2, int) and 0 < n1 + n2 <= len(data):
                    data = data[:n1 + n2]
            prog = Program(kind, data)
            if not prog.ok:
                prog = None
        except Exception:  # noqa: BLE001
            prog = None
    cache[k] = prog
    return prog


# ------------------------------------------------------------------------------------------------


@check("6.2.11.4.1-1", "6.2.11.4.1-2", "6.2.11.5-1", "6.2.11.8-1", "6.2.11.6-1", "6.2.11.6-4", "6.1.13-10",
       partial=("6.2.11.4.1-2", "6.2.11.5-1", "6.2.11.8-1"),
       note={"6.2.11.4.1-2": "TrueType, CFF and Type 1 programs (fontTools); OpenType CFF (FontFile3/OpenType) "
                             "is read as TrueType/OpenType; Type 3 glyph procedures are not checked",
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


def _font_usage_one(ctx, fu) -> None:
    if True:
        font = fu.font
        st = get(font, "/Subtype")
        rendered = any(m != 3 for m in fu.modes)
        target = _descendant(font) if st == Name.Type0 else font
        if target is None:
            return
        kind, ff = _fontfile(target)
        if st != Name.Type3 and rendered and ff is None:
            ctx.add("6.2.11.4.1-1", fu.loc, name_str(get(target, "/BaseFont", Name("/?"))))
        if st == Name.Type3:
            if rendered:
                _type3_widths(ctx, fu)
            return
        if ff is None:
            return
        prog = _program(ctx, target)
        if prog is None:
            return
        tst = get(target, "/Subtype")
        if tst == Name.TrueType and prog.tt is not None:
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
    if tst in (Name.CIDFontType2, Name.CIDFontType0):
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
                    except Exception:  # noqa: BLE001
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
    if prog.tt is not None and tst == Name.TrueType:
        if _is_symbolic(target):
            for pid, eid, cc in ((3, 0, c | 0xF000), (3, 0, c), (1, 0, c)):
                t = prog.cmap(pid, eid)
                if t and cc in t:
                    return t[cc], t[cc] != ".notdef"
            return (".notdef", False) if prog.cmaps() else None
        enc_name = _simple_glyph_name(font, c)
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
    if (prog.cff is not None or prog.t1 is not None) and tst in (Name.Type1, Name.MMType1):
        gname = _simple_glyph_name(font, c, builtin=prog)
        if gname is None or gname == ".notdef":
            return ".notdef", False
        return gname, prog.has_glyph(gname)
    return None


def _simple_glyph_name(font, c: int, builtin: Program | None = None) -> str | None:
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
    table = {Name.WinAnsiEncoding: WINANSI, Name.MacRomanEncoding: MACROMAN,
             Name.StandardEncoding: STANDARD}.get(base) if base is not None else None
    if base is None:
        t1 = _type1_builtin(font)
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


def _type1_builtin(font) -> dict | None:
    """Built-in encoding of an embedded Type 1 (FontFile) program: {code: glyph name}."""
    fd = get(font, "/FontDescriptor")
    ff = get(fd, "/FontFile") if isinstance(fd, Dictionary) else None
    if not isinstance(ff, Stream):
        return None
    try:
        data = ff.read_bytes()[:200000]
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
    if st == Name.Type0:
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


# ------------------------------------------------------------------------------------------------
# Unicode (PDF/A-2u)


@check("6.2.11.7.2-1", "6.2.11.7.2-2", partial=("6.2.11.7.2-1",),
       note={"6.2.11.7.2-1": "ToUnicode, standard encodings, Adobe Glyph List names and predefined UCS2/UTF16 "
                             "CMaps are accepted; glyph names inside the font program are not consulted"})
def unicode_maps(ctx) -> None:
    if ctx.flavour != "2u":
        return
    from .glyphlist import AGL

    f = facts(ctx)
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
                if st == Name.Type0:
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
                gname = _simple_glyph_name(font, code) if st != Name.Type3 else _type3_name(font, code)
                if gname is not None and (gname in AGL or _uniname(gname)):
                    continue
                if st == Name.Type1 and get(font, "/Encoding") is None and _is_symbolic(font):
                    pass
                ctx.add("6.2.11.7.2-1", fu.loc, f"code {code}")
                break
            if u == "" or any(ch in u for ch in ("\u0000", "\ufeff", "\ufffe")):
                ctx.add("6.2.11.7.2-2", fu.loc, f"code {code}")


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
        except Exception:  # noqa: BLE001
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
        if st in (Name.Type1, Name.MMType1) and "/CharSet" in fd:
            prog = _program(ctx, f)
            if prog is None or (prog.cff is None and prog.t1 is None):
                continue
            try:
                cs = bytes(fd.CharSet).decode("latin-1")
            except Exception:  # noqa: BLE001
                continue
            listed = {x for x in cs.split("/") if x}
            missing = [g for g in prog.order if g != ".notdef" and g not in listed]
            if missing:
                ctx.add("6.2.11.4.2-1", loc, f"CharSet lacks {', '.join(missing[:5])}")
        elif st in (Name.CIDFontType2, Name.CIDFontType0) and isinstance(get(fd, "/CIDSet"), Stream):
            prog = _program(ctx, f)
            if prog is None:
                continue
            try:
                bits = ctx.stream_bytes(fd.CIDSet)
            except Exception:  # noqa: BLE001
                continue
            present = _present_cids(ctx, f, prog)
            if present is None:
                continue
            missing = [c for c in present if c > 0 and not (c // 8 < len(bits) and bits[c // 8] & (0x80 >> (c % 8)))]
            if missing:
                ctx.add("6.2.11.4.2-2", loc, f"CIDSet lacks CID {', '.join(map(str, missing[:5]))}")


def _present_cids(ctx, f, prog: Program) -> list[int] | None:
    if prog.tt is not None:
        m = get(f, "/CIDToGIDMap")
        if m is None or m == Name.Identity:
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
