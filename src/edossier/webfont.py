"""The embedded CJK web font of every HTML page edossier writes (validation report, stats dashboard).

A page must read the same on a machine with no Chinese font installed (issue #16): without one, every
Chinese character is a box. So each page carries its own font: the CJK font the generated PDF pages use
(Droid Sans Fallback, built into PyMuPDF as `pymupdf.Font("cjk")`, pdfmake/sheets.py; Apache-2.0), subset
with fontTools to exactly the characters the page uses plus printable ASCII, compressed as WOFF2
(fontTools needs `brotli` for that) and inlined as a base64 `data:` URL in an `@font-face` rule. The
page stays one self-contained file with no network access.

Cost (measured on the three-layer test package): a zh-CN report with 106 distinct Chinese characters
carries a 12.6 KB WOFF2 (16.9 KB as base64 CSS); an English one 8.6 KB. Subsetting takes 0.1-0.4 s
(2 busy cores), so the font is loaded once per process and subsets are cached by character set
(docs/stats.md, README).
"""

from __future__ import annotations

import base64
import io
from functools import cache, lru_cache

FAMILY = "edossier CJK"  # the @font-face family name; first in every page's font-family stack
ASCII = frozenset(chr(c) for c in range(0x20, 0x7F))
PLACEHOLDER = "/*edossier-font-face*/"  # where `embed` puts the @font-face rule inside the page's <style>


@cache
def _font():
    """(PyMuPDF font, TrueType bytes, glyph order) of the CJK font the PDFs embed, once per process.

    fontTools would name the font's 50 000 glyphs from its cmap on every parse (post table format 3:
    no stored names), which costs more than the subsetting itself; any unique names do, so they are
    made up once ("g1", "g2", ...), and the cmap is given for the page's characters only, with glyph
    ids from PyMuPDF. The subset's outlines and advances are those of the plain fontTools subset."""
    import pymupdf
    from fontTools.ttLib import TTFont

    font = pymupdf.Font("cjk")
    data = bytes(font.buffer)
    glyphs = TTFont(io.BytesIO(data), lazy=True)["maxp"].numGlyphs
    return font, data, [".notdef"] + [f"g{i}" for i in range(1, glyphs)]


def font_bytes() -> bytes:
    """The TrueType bytes of the CJK font the PDFs embed (read once per process)."""
    return _font()[1]


@lru_cache(maxsize=32)
def _woff2(chars: frozenset[str]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont, newTable
    from fontTools.ttLib.tables._c_m_a_p import cmap_format_4

    pdf_font, data, order = _font()
    font = TTFont(io.BytesIO(data), lazy=True)
    font.setGlyphOrder(order)
    table = newTable("cmap")
    table.tableVersion = 0
    sub = cmap_format_4(4)
    sub.platformID, sub.platEncID, sub.language = 3, 1, 0  # Windows Unicode BMP: what browsers read
    sub.cmap = {ord(c): order[gid] for c in chars if ord(c) < 0x10000 and (gid := pdf_font.has_glyph(ord(c)))}
    table.tables = [sub]
    font["cmap"] = table
    options = subset.Options()
    options.flavor = "woff2"
    options.notdef_outline = True  # a character the subset lacks shows the font's box, not an empty gap
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright and licence names (Apache-2.0)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(sub.cmap))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def subset_woff2(text: str) -> bytes:
    """WOFF2 bytes of the font subset to the characters of `text` the font has, plus printable ASCII."""
    pdf_font = _font()[0]
    chars = frozenset(c for c in set(text) if ord(c) < 0x10000 and pdf_font.has_glyph(ord(c))) | ASCII
    return _woff2(chars)


def font_face(text: str) -> str:
    """The `@font-face` rule (CSS) declaring FAMILY with the subset for `text` as a data: URL."""
    data = base64.b64encode(subset_woff2(text)).decode("ascii")
    return (f'@font-face{{font-family:"{FAMILY}";font-style:normal;font-weight:400;font-display:block;'
            f'src:url(data:font/woff2;base64,{data}) format("woff2")}}')


def embed(page: str) -> str:
    """The page with PLACEHOLDER (in its <style>) replaced by the @font-face rule for the page's own text.

    The subset covers every character of the page, markup included, which is a superset of the text
    shown; markup is ASCII, which is always in the subset anyway."""
    if PLACEHOLDER not in page:
        raise ValueError("the page has no font placeholder")
    return page.replace(PLACEHOLDER, font_face(page.replace(PLACEHOLDER, "")), 1)


@cache
def matplotlib_family() -> str:
    """Register the same font with matplotlib (once per process) and return its family name.

    Charts are drawn with text as paths in this font, so their Chinese needs no font where the page is
    read either. matplotlib loads fonts only from files: the bytes go to a private temporary file,
    removed when the process exits."""
    import atexit
    import os
    import shutil
    import tempfile

    from matplotlib import font_manager

    folder = tempfile.mkdtemp(prefix="edossier-font-")
    atexit.register(shutil.rmtree, folder, True)
    path = os.path.join(folder, "DroidSansFallback.ttf")
    with open(path, "wb") as fh:
        fh.write(font_bytes())
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()
