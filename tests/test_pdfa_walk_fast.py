"""The content walk reads streams of a few simple instructions (a scanned page's image, an OCR layer's
invisible text) with one regular expression instead of pikepdf's parser (issue 19; contentfast._SIMPLE,
Walker.walk_simple). It must conclude what the full walk concludes: each hostile stream below looks like
such a stream but is not, or carries something the rules must see; and generated streams are checked both
ways and must give the same report."""

from __future__ import annotations

import io
import random

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

from edossier.pdfa.check import check_pdf
from edossier.pdfa.contentfast import _simple_instructions
from edossier.pdfa.contentwalk import Walker

from test_pdfa_check import minimal_pdfa

IMAGE = b"q 595.44 0 0 841.92 0 0 cm /Im0 Do Q"


def page(ops: bytes, output_intent: bool = True) -> bytes:
    """One page drawing `ops` with resources /Im0 (a DeviceGray image), /F0 (Helvetica) and /F1 (Helvetica
    whose code 65 has no Unicode value under PDF/A-2u: 6.2.11.7.2-1 when "A" is shown in it). Without the
    output intent, every Device colour space painted with is a finding (6.2.4.3-2/-3/-4)."""
    def mod(pdf):
        if not output_intent:
            del pdf.Root.OutputIntents
        img = pikepdf.Stream(pdf, b"\x80" * 4, Type=Name.XObject, Subtype=Name.Image, Width=2, Height=2,
                             ColorSpace=Name.DeviceGray, BitsPerComponent=8)
        f0 = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)
        f1 = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                        Encoding=Dictionary(Type=Name.Encoding, BaseEncoding=Name.WinAnsiEncoding,
                                            Differences=Array([65, Name("/g123")])))
        pdf.pages[0].Resources = Dictionary(XObject=Dictionary(Im0=img), Font=Dictionary(
            F0=pdf.make_indirect(f0), F1=pdf.make_indirect(f1)))
        pdf.pages[0].Contents = pdf.make_stream(ops)
    return minimal_pdfa(mod)


def both(data: bytes, monkeypatch, flavour="2u"):
    """(fast, full) reports of one document, and how many streams the fast path read."""
    taken = []
    real = Walker.walk_simple
    monkeypatch.setattr(Walker, "walk_simple", lambda self, *a: (taken.append(1), real(self, *a))[1])
    fast = check_pdf(data, flavour=flavour)
    monkeypatch.setattr(Walker, "fast", False)
    full = check_pdf(data, flavour=flavour)
    monkeypatch.setattr(Walker, "fast", True)
    return fast, full, len(taken)


def rules(rep) -> set[str]:
    return {i.rule_id for i in rep.issues} - {"6.6.4-3"}  # minimal_pdfa's XMP claims 2B


HOSTILE = {
    # (content, read by the fast path?, the findings both paths must make); visible text (mode 0) in the
    # non-embedded Helvetica is also 6.2.11.4.1-1
    "text after the image, in the grammar": (IMAGE + b" BT 3 Tr /F1 12 Tf 72 72 Td (A) Tj ET", True,
                                             {"6.2.11.7.2-1"}),
    "text after the image, TJ with kerning": (IMAGE + b"\nBT /F1 12 Tf [(x)-250<41>]TJ ET", True,
                                              {"6.2.11.7.2-1", "6.2.11.4.1-1"}),
    "text after the image, escaped string": (IMAGE + b" BT 3 Tr /F1 12 Tf (\\101) Tj ET", False, {"6.2.11.7.2-1"}),
    "text after the image, string across lines": (IMAGE + b" BT /F1 12 Tf (x\r\nA) Tj ET", False,
                                                   {"6.2.11.7.2-1", "6.2.11.4.1-1"}),
    "text after the image, one hex string": (IMAGE + b" BT 3 Tr /F1 12 Tf [<41>]TJ ET", True, {"6.2.11.7.2-1"}),
    "text after a comment": (IMAGE + b" % just an image\nBT /F1 12 Tf (A) Tj ET", False,
                            {"6.2.11.7.2-1", "6.2.11.4.1-1"}),
    # device colours and painting are in the grammar (issue 19, seventh round): the fast walk keeps walk_bytes's
    # colour state (ISO 19005-2 6.2.4.3: a Device colour space used, i.e. painted with, needs an output intent)
    "colour after the image": (IMAGE + b" 0 0 0 1 k 0 0 10 10 re f", True, {"6.2.4.3-3"}),
    # (minimal_pdfa's output intent is sRGB: DeviceCMYK painted with is 6.2.4.3-3, DeviceRGB and DeviceGray pass)
    "colour set, never painted": (IMAGE + b" 0 0 0 1 k 0 0 0 1 K 0 0 10 10 re n", True, set()),
    "stroke colour, fill painted": (IMAGE + b" 0 0 0 1 K 0 0 10 10 re f", True, set()),
    "stroke colour, stroked": (IMAGE + b" 0 0 0 1 K 0 0 10 10 re S", True, {"6.2.4.3-3"}),
    "fill colour restored by Q, then painted": (b"q 0 0 0 1 k Q 0 0 10 10 re f", True, set()),
    "colour inside q, painted inside": (b"q 0 0 0 1 k 0 0 10 10 re f Q", True, {"6.2.4.3-3"}),
    "visible text paints with the fill colour": (b"0 0 0 1 k BT /F0 12 Tf (A) Tj ET", True,
                                                 {"6.2.4.3-3", "6.2.11.4.1-1"}),
    "invisible text paints nothing": (b"0 0 0 1 k BT 3 Tr /F0 12 Tf (A) Tj ET", True, set()),
    "gray initial colour space, stroked": (b"0 0 m 10 10 l S", True, set()),
    "colour with an ExtGState": (b"/GS0 gs 0 0 0 1 k 0 0 10 10 re f", False, {"6.2.4.3-3"}),
    "operators run together": (b"q 1 0 0 1 0 0 cm /Im0 Do Qq Q", False, {"6.2.2-1"}),
    "undefined operator": (IMAGE + b" BT 3 Tr /F0 12 Tf (A) Tj ET foo", False, {"6.2.2-1"}),
    "number run into an operator": (b"q 1 0 0 1 0 0cm /Im0 Do Q", False, {"6.2.2-1"}),
    # in the grammar, but a number that may be out of range sends the stream to the full walk
    "integer out of range": (b"q 12345678901 0 0 1 0 0 cm /Im0 Do Q", False, {"6.1.13-1"}),
    "real too small": (b"q 0." + b"0" * 40 + b"1 0 0 1 0 0 cm /Im0 Do Q", False, {"6.1.13-5"}),
    "odd hex string": (IMAGE + b" BT 3 Tr /F0 12 Tf <414> Tj ET", False, {"6.1.6-1"}),
    "q nested 29 deep": (b"q " * 29 + IMAGE + b" Q" * 29, True, {"6.1.13-8"}),
    "digits inside a hex string only": (IMAGE + b" BT 3 Tr /F0 12 Tf [<30313233343536373839>] TJ ET", True, set()),
    "unmapped code shown in a font without it": (IMAGE + b" BT 3 Tr /F0 12 Tf (A) Tj ET", True, set()),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_stream(case, monkeypatch):
    ops, simple, expected = HOSTILE[case]
    if simple:
        assert _simple_instructions(ops) is not None
    fast, full, taken = both(page(ops), monkeypatch)
    assert rules(fast) == expected
    assert fast == full
    assert taken == (1 if simple else 0)


def test_the_ocr_layer_pattern_is_read_fast():
    # what the builder writes (pdfmake): a scan drawn by the page, then the OCR form, text in mode 3
    line = b"q\n.95904 0 0 1 2.42805 0 cm\nBT\n3 Tr\n.8316 w\n/F0 16.632 Tf\n1 0 0 1 59.28 749.89199 Tm\n" \
           b"[<1faa20c60709141c268321d8443f1bec30ec141c09c30a84171217d107632f55330137e8>]TJ\nET\nQ\n"
    instrs = _simple_instructions(line * 3)
    assert instrs is not None and len(instrs) == 30  # 10 operators a line
    assert _simple_instructions(b"q 595.44 0 0 841.92 0 0 cm /Im0 Do Q\nq /Ocr0 Do Q") is not None


# Generated streams: fragments the grammar accepts, mixed with ones it refuses, in random order. The fast
# path must be taken for some and the reports of both paths must be equal for all.
GOOD = [b"q", b"Q", b"BT", b"ET", b"3 Tr", b"0 Tr", b"/F0 12 Tf", b"/F1 9.5 Tf", b"1 0 0 1 72 700 Tm", b"72 650 Td",
        b"T*", b".5 w", b"(A) Tj", b"<41> Tj", b"(B) Tj", b"[(A) -120 <4142>] TJ", b"[] TJ", b"[<41>]TJ", b"[<>] TJ",
        b"/Im0 Do", b"/Xx Do", b"/F2 12 Tf",  # the last two: names of no resource
        b"595 0 0 842 0 0 cm", b"2 Tc", b"100 Tz",
        b"0 0 0 1 k", b"1 0 0 RG", b"0 0 10 10 re f", b".5 g", b"1 G", b"0 0 1 rg", b"1 0 1 0 K", b"10 20 m",
        b"30 40 l", b"1 2 3 4 5 6 c", b"1 2 3 4 v", b"1 2 3 4 y", b"h", b"S", b"s", b"f*", b"B", b"B*", b"b",
        b"b*", b"F", b"n", b"W n", b"W* n"]
BAD = [b"foo", b"(\\101) Tj", b"% note\n", b"/DeviceCMYK cs", b"<4> Tj", b"1.2.3 w", b"(a) (b) Tj",
       b"12345678901 w", b"[1-2] TJ", b"/GS0 gs", b"1 0 0 sc", b"0 0 1 rgb", b"1 0 0 scn", b"/Sh0 sh", b"d0"]


@pytest.mark.parametrize("output_intent", [True, False])
def test_generated_streams_give_the_same_report(monkeypatch, output_intent):
    rnd = random.Random(19 if output_intent else 20)
    fast_taken = findings = 0
    for n in range(60):
        bad = n % 3 == 0  # every third stream has one fragment the grammar refuses
        frags = [rnd.choice(GOOD) for _ in range(rnd.randint(1, 25))]
        if bad:
            frags.insert(rnd.randrange(len(frags) + 1), rnd.choice(BAD))
        ops = rnd.choice([b" ", b"\n", b"\r\n", b"\t"]).join(frags)
        fast, full, taken = both(page(ops, output_intent), monkeypatch)
        assert fast == full, ops
        fast_taken += taken
        findings += bool(rules(fast))
        if bad:
            assert taken == 0, ops
    assert fast_taken >= 30 and findings >= 10  # both paths were exercised, on documents with findings


def test_a_form_without_resources_inherits_them_on_both_paths(monkeypatch):
    # the form's /F0 and /Im0 come from the page (6.2.2-2): the fast path must record them as inherited
    def with_form(data: bytes) -> bytes:
        pdf = pikepdf.open(io.BytesIO(data))
        fm = pdf.make_stream(b"BT 3 Tr /F0 12 Tf (A) Tj ET q 10 0 0 10 0 0 cm /Im0 Do Q", Type=Name.XObject,
                             Subtype=Name.Form, BBox=Array([0, 0, 595, 842]))
        pdf.pages[0].Resources.XObject.Fm0 = fm
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()

    data = with_form(page(b"q /Fm0 Do Q"))
    fast, full, taken = both(data, monkeypatch)
    assert taken == 2  # the page's stream and the form's
    assert rules(fast) == {"6.2.2-2"}
    assert sorted(i.message_en.rsplit("[", 1)[-1] for i in fast.issues if i.rule_id == "6.2.2-2") == \
        ["/Font/F0 inherited from the page]", "/XObject/Im0 inherited from the page]"]
    assert fast == full


@pytest.mark.parametrize("form_ops, page_ops, expected", [
    # a form starts in its caller's colour state, which the walk does not track: its painting without a colour
    # of its own records no initial DeviceGray (a page's does: ISO 32000-1 8.4.1, DeviceGray is the initial
    # colour space of a page)
    (b"0 0 10 10 re f", b"/Fm0 Do", set()),
    (b"0 0 10 10 re f", b"0 0 10 10 re f /Fm0 Do", {"6.2.4.3-4"}),
    (b"0 0 1 rg 0 0 10 10 re f", b"q /Fm0 Do Q", {"6.2.4.3-2"}),
    (b"0 0 0 1 K 0 0 10 10 re f", b"/Fm0 Do", set()),  # set, not painted with
    (b"0 0 0 1 K 0 0 10 10 re B", b"/Fm0 Do", {"6.2.4.3-3"}),
    # drawing a form counts as painting with the caller's fill and stroke colours (walk_bytes does not follow
    # them into the form): a CMYK colour set, then the form drawn, is used
    (b"n", b"0 0 0 1 k /Fm0 Do", {"6.2.4.3-3"}),
    (b"n", b"0 0 0 1 K /Fm0 Do", {"6.2.4.3-3"}),
    (b"n", b"q 0 0 0 1 k Q /Fm0 Do", set()),
])
def test_colour_in_a_form_on_both_paths(monkeypatch, form_ops, page_ops, expected):
    def with_form(data: bytes) -> bytes:
        pdf = pikepdf.open(io.BytesIO(data))
        fm = pdf.make_stream(form_ops, Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 595, 842]),
                             Resources=Dictionary())
        pdf.pages[0].Resources.XObject.Fm0 = fm
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()

    fast, full, taken = both(with_form(page(page_ops, output_intent=False)), monkeypatch)
    assert taken == 2  # the page's stream and the form's
    assert rules(fast) - {"6.6.4-3"} == expected
    assert fast == full


@pytest.mark.parametrize("ops, mask, painted", [
    (b"0 0 0 1 k /Im1 Do", True, True),  # a stencil mask paints with the fill colour
    (b"0 0 0 1 k /Im1 Do", False, False),  # an image paints with its own colours
    (b"0 0 0 1 K /Im1 Do", True, False),  # ... a mask not with the stroke colour
])
def test_an_image_mask_paints_with_the_fill_colour_on_both_paths(monkeypatch, ops, mask, painted):
    def with_image(data: bytes) -> bytes:
        pdf = pikepdf.open(io.BytesIO(data))
        im = pikepdf.Stream(pdf, b"\x00", Type=Name.XObject, Subtype=Name.Image, Width=8, Height=1,
                            BitsPerComponent=1, **({"ImageMask": True} if mask else {"ColorSpace": Name.DeviceRGB}))
        pdf.pages[0].Resources.XObject.Im1 = im
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()

    fast, full, taken = both(with_image(page(ops, output_intent=False)), monkeypatch)
    assert taken == 1
    assert ("6.2.4.3-3" in rules(fast)) is painted  # DeviceCMYK used without an output intent (6.2.4.3)
    assert fast == full


def _with_form_and_mask(data: bytes, form_ops: bytes) -> bytes:
    """The page of `data` with a form /Fm0 drawing `form_ops` (no resources of its own: it inherits the page's)
    and a stencil mask /Im1."""
    pdf = pikepdf.open(io.BytesIO(data))
    pdf.pages[0].Resources.XObject.Fm0 = pdf.make_stream(form_ops, Type=Name.XObject, Subtype=Name.Form,
                                                         BBox=Array([0, 0, 595, 842]))
    pdf.pages[0].Resources.XObject.Im1 = pikepdf.Stream(pdf, b"\x00", Type=Name.XObject, Subtype=Name.Image,
                                                        Width=8, Height=1, BitsPerComponent=1, ImageMask=True)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


@pytest.mark.parametrize("output_intent", [True, False])
def test_generated_streams_with_forms_and_masks_give_the_same_report(monkeypatch, output_intent):
    # the generated fragments and drawing a form or a stencil mask, on a page and inside the form: what drawing
    # them does to the colour state (painting with the caller's colours) must be the same on both paths
    rnd = random.Random(23 if output_intent else 24)
    pool = GOOD + [b"/Fm0 Do", b"/Im1 Do", b"q /Fm0 Do Q", b"/Im1 Do /Im1 Do"]
    fast_taken = 0
    for n in range(40):
        page_ops = b" ".join(rnd.choice(pool) for _ in range(rnd.randint(1, 15)))
        form_ops = b" ".join(rnd.choice(GOOD + [b"/Im1 Do"]) for _ in range(rnd.randint(1, 10)))
        fast, full, taken = both(_with_form_and_mask(page(page_ops, output_intent), form_ops), monkeypatch)
        assert fast == full, (page_ops, form_ops)
        fast_taken += taken
    assert fast_taken >= 40


def test_a_long_run_of_numbers_costs_linear_time(monkeypatch):
    # simple instructions, then 400 KB of numbers with no operator: findall alone would retry at every byte,
    # each time over all the numbers after it (hours); the run that precedes it stops at the first number
    import time

    ops = b"q 1 0 0 1 0 0 cm /Im0 Do Q\n" * 40 + b"1 " * 200_000
    t = time.process_time()
    assert _simple_instructions(ops) is None
    assert time.process_time() - t < 5
    fast, full, taken = both(page(ops), monkeypatch)
    assert taken == 0 and fast == full


def test_inline_image_data_is_refused_without_error():
    # binary inline-image data (here LZW) after BI ... ID: not simple, and the grammar's run must not fail on it
    # (a capture under a possessive repeat made Python 3.11's re raise SystemError on a corpus file like this)
    ops = b"q\n50 0 0 50 50 350 cm\nBI\n/W 1\n/H 1\n/CS /RGB\n/BPC 8\n/F /LZW\nID\n" + bytes(range(256)) * 2 + \
        b"\nEI\nQ"
    assert _simple_instructions(ops) is None


@pytest.mark.parametrize("output_intent", [True, False])
def test_mutated_streams_give_the_same_report(monkeypatch, output_intent):
    # the generated streams with one to three bytes inserted, deleted or replaced by PDF syntax characters:
    # the grammar's edges (a number run into an operator, a broken string, a NUL, a stray delimiter)
    rnd = random.Random(1907 if output_intent else 1908)
    chars = b" \t\n\r\x0c\x00()<>[]{}/%\\#+-.0123456789eEqQTJjfmrgkBDIOLa"
    fast_taken = 0
    for _ in range(150):
        ops = bytearray(b" ".join(rnd.choice(GOOD) for _ in range(rnd.randint(1, 12))))
        for _ in range(rnd.randint(1, 3)):
            k = min(rnd.randrange(len(ops) + 1), len(ops) - 1)
            r = rnd.random()
            if r < 0.4:
                ops[k:k] = bytes([rnd.choice(chars)])
            elif r < 0.7 and len(ops) > 1:
                del ops[k]
            else:
                ops[k] = rnd.choice(chars)
        fast, full, taken = both(page(bytes(ops), output_intent), monkeypatch)
        assert fast == full, bytes(ops)
        fast_taken += taken
    assert fast_taken >= 10  # some mutations leave a simple stream (another number, name or string)
