"""CMaps for 6.2.11 (fonts.py): embedded CMaps parsed, shown strings split into codes, codes mapped to
CIDs, the predefined CMaps' code ranges."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

from pikepdf import Name, Stream

from .util import get, key, name_str

# PDF names compared with in the checks, built once: `Name.X` costs ~0.5 us each time (pikepdf builds it)
_N_Type0 = Name.Type0

PREDEFINED_CMAPS = set("""Identity-H Identity-V GB-EUC-H GB-EUC-V GBpc-EUC-H GBpc-EUC-V GBK-EUC-H GBK-EUC-V GBKp-EUC-H
GBKp-EUC-V GBK2K-H GBK2K-V UniGB-UCS2-H UniGB-UCS2-V UniGB-UTF16-H UniGB-UTF16-V B5pc-H B5pc-V HKscs-B5-H HKscs-B5-V
ETen-B5-H ETen-B5-V ETenms-B5-H ETenms-B5-V CNS-EUC-H CNS-EUC-V UniCNS-UCS2-H UniCNS-UCS2-V UniCNS-UTF16-H
UniCNS-UTF16-V 83pv-RKSJ-H 90ms-RKSJ-H 90ms-RKSJ-V 90msp-RKSJ-H 90msp-RKSJ-V 90pv-RKSJ-H Add-RKSJ-H Add-RKSJ-V EUC-H
EUC-V Ext-RKSJ-H Ext-RKSJ-V H V UniJIS-UCS2-H UniJIS-UCS2-V UniJIS-UCS2-HW-H UniJIS-UCS2-HW-V UniJIS-UTF16-H
UniJIS-UTF16-V KSC-EUC-H KSC-EUC-V KSCms-UHC-H KSCms-UHC-V KSCms-UHC-HW-H KSCms-UHC-HW-V KSCpc-EUC-H UniKS-UCS2-H
UniKS-UCS2-V UniKS-UTF16-H UniKS-UTF16-V""".split())

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
    if get(font, "/Subtype") == _N_Type0:
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
