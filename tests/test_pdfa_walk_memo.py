"""The content walk answers a copy of a content stream from the first walk of the same bytes (issue 19: an OCR
layer or a form XObject repeated on many pages), and only when that cannot change what any rule sees
(the argument is in contentwalk.Walker.walk_stream). Each hostile document below has a copy that looks
the same as a stream already walked but is not: a memo keyed on the bytes alone would miss its finding."""

from __future__ import annotations

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

from edossier.pdfa.check import PdfLimits, check_pdf
from edossier.pdfa.contentwalk import Walker

from test_pdfa_check import minimal_pdfa

OCR_LINE = b"BT 3 Tr /F1 12 Tf 72 72 Td (A) Tj ET"  # invisible text, as an OCR layer writes it


def helvetica(pdf):
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))


def unmapped(pdf):
    """Helvetica with code 65 ("A") renamed to a glyph name that has no Unicode value: under PDF/A-2u the
    shown "A" has no Unicode mapping (6.2.11.7.2-1), which no dictionary-level rule sees; only the walk of
    a stream that shows code 65 in this font does."""
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
        Encoding=Dictionary(Type=Name.Encoding, BaseEncoding=Name.WinAnsiEncoding,
                            Differences=Array([65, Name("/g123")]))))


def pages_with_forms(forms, *, page_fonts=None) -> bytes:
    """One page per (content bytes, font maker or None) in `forms`; each page draws its own form XObject
    /Fm0 with those bytes. A form's /Resources names its font /F1 when a maker is given, else it has no
    /Font and /F1 resolves in the page's resources (page_fonts[i])."""
    def mod(pdf):
        for _ in range(len(forms) - 1):
            pdf.add_blank_page(page_size=(595, 842))
        for i, (ops, font) in enumerate(forms):
            res = Dictionary(Font=Dictionary(F1=font(pdf))) if font else Dictionary(ProcSet=Array([Name.PDF]))
            fm = pdf.make_stream(ops, Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 595, 842]),
                                 Resources=res)
            page_res = Dictionary(XObject=Dictionary(Fm0=fm))
            if page_fonts:
                page_res.Font = Dictionary(F1=page_fonts[i](pdf))
            pdf.pages[i].Resources = page_res
            pdf.pages[i].Contents = pdf.make_stream(b"q /Fm0 Do Q")
    return minimal_pdfa(mod)


@pytest.fixture
def memo_off(monkeypatch):
    def run(data, **kw):
        monkeypatch.setattr(Walker, "memo", False)
        try:
            return check_pdf(data, **kw)
        finally:
            monkeypatch.setattr(Walker, "memo", True)
    return run


def found(rep) -> list[tuple[str, str]]:
    return [(i.rule_id, i.location) for i in rep.issues if i.rule_id != "6.6.4-3"]  # minimal_pdfa claims 2B


def test_same_bytes_other_font_is_walked(memo_off):
    helv = shared(helvetica)  # pages 1 and 3 share the font: page 3 is answered from page 1's walk
    data = pages_with_forms([(OCR_LINE, helv), (OCR_LINE, unmapped), (OCR_LINE, helv)])
    rep = check_pdf(data, flavour="2u")
    assert found(rep) == [("6.2.11.7.2-1", "page 2, XObject /Fm0, font /F1")]
    assert rep == memo_off(data, flavour="2u")


def test_same_bytes_font_from_the_page_is_walked(memo_off):
    # the forms have no /Font: /F1 resolves in each page's own resources (not inherited, so the walk of
    # page 1's form is quiet), to a different font on page 2
    helv = shared(helvetica)
    data = pages_with_forms([(OCR_LINE, None)] * 3, page_fonts=[helv, unmapped, helv])
    rep = check_pdf(data, flavour="2u")
    assert found(rep) == [("6.2.11.7.2-1", "page 2, XObject /Fm0, font /F1")]
    assert rep == memo_off(data, flavour="2u")


def test_a_naive_memo_would_miss_it(monkeypatch):
    """The two tests above can fail: answer every copy by its bytes alone and the font on page 2 is lost."""
    monkeypatch.setattr(Walker, "_same_lookups", lambda self, q, chain: True)
    for data in (pages_with_forms([(OCR_LINE, helvetica), (OCR_LINE, unmapped)]),
                 pages_with_forms([(OCR_LINE, None)] * 2, page_fonts=[helvetica, unmapped])):
        assert found(check_pdf(data, flavour="2u")) == []


def test_one_byte_more_is_walked(memo_off):
    # a copy that differs by an operator appended after the text: other bytes, other digest, walked
    helv = shared(helvetica)
    data = pages_with_forms([(OCR_LINE, helv), (OCR_LINE + b" foo", helv)])
    rep = check_pdf(data)
    assert found(rep) == [("6.2.2-1", "page 2, XObject /Fm0")]
    assert rep == memo_off(data)


def test_a_finding_in_a_repeated_stream_is_reported_at_every_copy(memo_off):
    # a walk that finds something is never remembered: each copy is walked and reported where it is
    data = pages_with_forms([(OCR_LINE + b" foo", shared(helvetica))] * 3)
    rep = check_pdf(data)
    assert found(rep) == [("6.2.2-1", f"page {i}, XObject /Fm0") for i in (1, 2, 3)]
    assert rep == memo_off(data)


def test_copies_count_against_the_operator_budget(memo_off):
    # 5 operators a form (BT Tr Tf Td Tj ET is 6) and 3 on each page (q Do Q): 3 pages = 27 operators
    data = pages_with_forms([(OCR_LINE, shared(helvetica))] * 3)
    for limit, over in ((26, True), (27, False)):
        limits = PdfLimits(max_content_ops=limit)
        rep = check_pdf(data, limits=limits)
        assert ("PDF-UNREADABLE" in {i.rule_id for i in rep.issues}) is over, limit
        assert rep == memo_off(data, limits=limits)


def shared(maker):
    """A font maker that gives every form of one document the same indirect font."""
    made = {}

    def make(pdf):
        if id(pdf) not in made:
            made[id(pdf)] = maker(pdf)
        return made[id(pdf)]
    return make


def test_copies_are_not_walked_again(monkeypatch):
    data = pages_with_forms([(OCR_LINE, shared(helvetica))] * 5)
    calls = []
    real = Walker.walk_bytes
    monkeypatch.setattr(Walker, "walk_bytes", lambda self, d, *a: (calls.append(d), real(self, d, *a))[1])
    assert found(check_pdf(data)) == []
    # the 5 page streams draw a new form each (not quiet), the form bytes are walked once
    assert calls.count(OCR_LINE) == 1 and len(calls) == 6
    # with a font object of its own on each page, each copy's /F1 is another object: all walked
    calls.clear()
    assert found(check_pdf(pages_with_forms([(OCR_LINE, helvetica)] * 5))) == []
    assert calls.count(OCR_LINE) == 5
