"""The built-in encoding of an embedded Type 1 program (fontglyphs._type1_builtin), kept per document by its
FontFile stream (issue 19, seventh round): each font keeps its own, and the memo answers as the scan does."""

from __future__ import annotations

import pikepdf
from pikepdf import Dictionary, Name

from edossier.pdfa.fontglyphs import _simple_glyph_name, _type1_builtin


def _font(pdf, clear: bytes):
    """A Type 1 font without /Encoding whose FontFile's clear text (the Length1 bytes) is `clear`: its glyph names
    come from the program's built-in encoding (ISO 32000-1 9.6.6.2)."""
    ff = pikepdf.Stream(pdf, clear + b"\n" + b"\x00" * 16)
    ff.Length1 = len(clear)
    ff.Length2 = 16
    fd = pdf.make_indirect(Dictionary(Type=Name.FontDescriptor, FontName=Name.X, FontFile=ff))
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.X, FontDescriptor=fd))


def test_each_font_keeps_its_own_builtin_encoding():
    pdf = pikepdf.new()
    a = _font(pdf, b"/Encoding 256 array\ndup 65 /Alpha put\ndup 66 /Beta put\nreadonly def")
    b = _font(pdf, b"/Encoding 256 array\ndup 65 /Omega put\nreadonly def")
    std = _font(pdf, b"/Encoding StandardEncoding def")
    memo: dict = {}
    for _ in range(2):  # asked again, from the memo
        assert _simple_glyph_name(a, 65, memo=memo) == "Alpha"
        assert _simple_glyph_name(b, 65, memo=memo) == "Omega"
        assert _simple_glyph_name(a, 66, memo=memo) == "Beta"
        assert _simple_glyph_name(b, 66, memo=memo) is None  # not in b's own encoding (and b has one)
        assert _simple_glyph_name(std, 65, memo=memo) == "A"  # Adobe StandardEncoding: 65 is A
        assert len(memo) == 3
    # the memo gives what the scan gives
    for f in (a, b, std):
        assert _type1_builtin(f, memo) == _type1_builtin(f)


def test_two_fonts_sharing_one_program_share_its_encoding():
    pdf = pikepdf.new()
    a = _font(pdf, b"dup 65 /Alpha put")
    b = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Y,
                                     FontDescriptor=a.FontDescriptor))
    memo: dict = {}
    assert _simple_glyph_name(a, 65, memo=memo) == _simple_glyph_name(b, 65, memo=memo) == "Alpha"
    assert len(memo) == 1
