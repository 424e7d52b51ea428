"""Glyph names and the standard simple-font encodings (built from fontTools' tables)."""

from __future__ import annotations

from fontTools import agl
from fontTools.encodings.MacRoman import MacRoman
from fontTools.encodings.StandardEncoding import StandardEncoding

AGL: dict[str, int] = dict(agl.AGL2UV)

STANDARD: dict[int, str] = {i: n for i, n in enumerate(StandardEncoding) if n != ".notdef"}
MACROMAN: dict[int, str] = {i: n for i, n in enumerate(MacRoman) if n != ".notdef"}


def _winansi() -> dict[int, str]:
    out: dict[int, str] = {}
    for c in range(32, 256):
        try:
            u = bytes([c]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        n = agl.UV2AGL.get(ord(u))
        if n:
            out[c] = n
    out[0xA0] = "space"
    out[0xAD] = "hyphen"
    return out


WINANSI: dict[int, str] = _winansi()

MACROMAN_BY_NAME: dict[str, int] = {n: i for i, n in MACROMAN.items()}
