"""A check that cannot read the stream its rule is about reports the rule, never passes (issue 19, ninth
round). The streams here carry a filter no reader decodes (/Undecodable is no filter of ISO 32000-1 7.4),
so each rule's fact cannot be established from them."""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

from test_pdfa_check import minimal_pdfa

from edossier.pdfa.check import check_pdf


def _undecodable(pdf, data: bytes = b"x", **extra):
    s = pikepdf.Stream(pdf, data, **extra)
    s.Filter = Name("/Undecodable")
    return pdf.make_indirect(s)


def _found(rep, rule: str, text: str):
    hits = [i for i in rep.issues if i.rule_id == rule and text in i.message_en]
    assert hits, rep.issues
    return hits[0]


def test_an_embedded_cmap_that_cannot_be_read_fails_the_wmode_rule():
    """ISO 19005-2 6.2.11.3.3: the WMode of an embedded CMap shall be the CMap dictionary's. A CMap stream
    that cannot be read cannot be shown to agree; it passed unchecked."""
    def mod(pdf):
        cmap = _undecodable(pdf, Type=Name.CMap, CMapName=Name("/Custom"),
                            CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"),
                                                     Ordering=pikepdf.String("Identity"), Supplement=0))
        cid = Dictionary(Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/Custom"),
                         CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"),
                                                  Supplement=0))
        font = Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/Custom"), Encoding=cmap,
                          DescendantFonts=Array([pdf.make_indirect(cid)]))
        pdf.pages[0].obj.Resources = Dictionary(Font=Dictionary(F1=pdf.make_indirect(font)))
    rep = check_pdf(minimal_pdfa(mod))
    hit = _found(rep, "6.2.11.3.3-2", "embedded CMap cannot be read")
    assert "嵌入的 CMap 无法读取" in hit.message_zh
    assert not rep.conformant


def test_a_type3_glyph_procedure_that_cannot_be_read_fails_the_width_rule():
    """ISO 19005-2 6.2.11.5: the widths of the font dictionary and of the font program (a Type 3 glyph's d0/d1)
    shall agree. A glyph procedure that cannot be read cannot be shown to agree; it passed unchecked."""
    def mod(pdf):
        font = Dictionary(Type=Name.Font, Subtype=Name.Type3, FontBBox=Array([0, 0, 1000, 1000]),
                          FontMatrix=Array([0.001, 0, 0, 0.001, 0, 0]),
                          CharProcs=Dictionary(a=_undecodable(pdf, b"500 0 d0")),
                          Encoding=Dictionary(Type=Name.Encoding, Differences=Array([97, Name("/a")])),
                          FirstChar=97, LastChar=97, Widths=Array([500]), Resources=Dictionary())
        pdf.pages[0].obj.Resources = Dictionary(Font=Dictionary(F1=pdf.make_indirect(font)))
        pdf.pages[0].Contents = pdf.make_stream(b"BT /F1 12 Tf 10 10 Td (a) Tj ET")
    rep = check_pdf(minimal_pdfa(mod))
    hit = _found(rep, "6.2.11.5-1", "code 97: glyph procedure cannot be read")
    assert "编码 97：字形过程无法读取" in hit.message_zh


def test_a_metadata_stream_that_cannot_be_read_fails_the_packet_rule():
    """ISO 19005-2 6.6.2.1: every metadata stream shall hold a well-formed XMP packet. One that cannot be
    read cannot be shown to; it passed unchecked (the document's own packet is read by the claim and 6.6.4)."""
    def mod(pdf):
        pdf.pages[0].obj.Metadata = _undecodable(pdf, Type=Name.Metadata, Subtype=Name.XML)
    rep = check_pdf(minimal_pdfa(mod))
    hit = _found(rep, "6.6.2.1-4", "metadata stream cannot be read")
    assert "元数据流无法读取" in hit.message_zh
    assert not rep.conformant
