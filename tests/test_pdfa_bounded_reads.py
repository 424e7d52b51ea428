"""Hostile input is normal input: every read of PDF stream data, and every parse of a content stream, is
bounded before it happens (issue 19, ninth round). Each case runs in a child process whose peak memory is
measured (os.wait4, ru_maxrss), so the bound is seen working rather than inferred."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zlib

import pikepdf
from pikepdf import Name

from test_pdfa_check import _with_raw_xmp, minimal_pdfa

# a child that imports the checker sits at ~130 MB; each bomb below costs the unbounded code at least
# 700 MB (pikepdf holds a parsed content stream at 170-290 bytes a token: 3 M tokens; or a 512 MiB XMP)
PEAK_LIMIT_MB = 350
Q_OPS = 3_000_000  # "q\n" tokens: 6 MB decoded, a few KB deflated; six times PdfLimits.max_stream_tokens


def _q_bomb(pdf, n: int = Q_OPS) -> None:
    s = pikepdf.Stream(pdf, b"")
    s.write(zlib.compress(b"q\n" * n, 9), filter=Name.FlateDecode)
    pdf.pages[0].obj.Contents = pdf.make_indirect(s)


def _raw(mod) -> bytes:
    return minimal_pdfa(mod, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)


def test_token_count_is_a_bound():
    """tokens_over counts what ISO 32000-1 7.2 calls tokens, never fewer: "1 0 0 1 0 0 cm" is 7."""
    from edossier.pdfa.limits import tokens_over

    data = b"1 0 0 1 0 0 cm\n" * 100  # 700 tokens in 1,500 bytes
    assert tokens_over(data, 699) and not tokens_over(data, 700)
    assert tokens_over(b"[" * 20, 19)  # every delimiter that opens or closes an object is a token
    assert not tokens_over(b"q" * 10, 9)  # at most as many tokens as bytes: short data is not counted


_PEAK = """
import re
with open("/proc/self/status") as f:
    print("PEAK-KB", re.search(r"VmHWM:\\s+(\\d+) kB", f.read()).group(1))
"""


def _measure(tmp_path, code: str, data: bytes) -> tuple[str, float]:
    """Run `code` (reading the file sys.argv[1]) in a child: its stdout and peak RSS in MB, the child's own
    VmHWM (proc(5)): the high-water mark of the memory it has since exec. Not os.wait4's ru_maxrss, which
    keeps the high-water mark of the pages the child was forked or vforked with, i.e. of the pytest worker."""
    p = tmp_path / "in.pdf"
    p.write_bytes(data)
    proc = subprocess.run([sys.executable, "-c", code + _PEAK, str(p)], capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    out, _, peak = proc.stdout.decode().rpartition("PEAK-KB ")
    return out, int(peak) / 1024


_CHECK = """
import sys
from edossier.pdfa.check import check_pdf
r = check_pdf(open(sys.argv[1], "rb").read())
print([(i.rule_id, i.message_en) for i in r.issues])
"""


def test_content_stream_of_millions_of_operators_is_refused_before_it_is_parsed(tmp_path):
    """A page of 3 M "q" operators (a few KB on disk): PDF-UNREADABLE from the token limit, within bounded
    memory. The operator limit (max_content_ops) was looked at only after the parse, which held the stream
    whole: an 18 KB file of 8 M operators took 2.2 GB."""
    out, mb = _measure(tmp_path, _CHECK, _raw(_q_bomb))
    assert "PDF-UNREADABLE" in out and "tokens" in out, out
    assert mb < PEAK_LIMIT_MB, f"{mb:.0f} MB"


_IMAGES = """
import io, sys
import pikepdf
from edossier.pdfa.images_pdf import check_pdf_images
with pikepdf.open(io.BytesIO(open(sys.argv[1], "rb").read())) as pdf:
    print(check_pdf_images(pdf))
"""


def test_image_placements_parse_within_the_token_limit(tmp_path):
    """The validator's image checks find where images are drawn (D007) by parsing the page content again, after
    the PDF checks: the same bomb took 2.3 GB there."""
    out, mb = _measure(tmp_path, _IMAGES, _raw(_q_bomb))
    assert out.strip() == "[]", out
    assert mb < PEAK_LIMIT_MB, f"{mb:.0f} MB"


_REWRAP = """
import datetime as dt, sys
from edossier.pdfmake.scans import NotImageOnly, rewrap_image_pdf
try:
    rewrap_image_pdf(open(sys.argv[1], "rb").read(), title="t", author=None, created=dt.datetime(2026, 1, 1))
except NotImageOnly as exc:
    print("refused", exc.en)
"""


def test_builder_rewrap_parses_input_content_within_the_limits(tmp_path):
    """The builder re-wraps an image-only input PDF after parsing its page content (only q Q cm Do allowed):
    3 M "q" went to pikepdf's parser whole. Now refused, as a page it cannot read, within bounded memory."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    _q_bomb(pdf)
    pdf.pages[0].Resources = pikepdf.Dictionary()
    buf = io.BytesIO()
    pdf.save(buf, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    out, mb = _measure(tmp_path, _REWRAP, buf.getvalue())
    assert out.startswith("refused page 1: unreadable content") and "tokens" in out, out
    assert mb < PEAK_LIMIT_MB, f"{mb:.0f} MB"


_CLAIM = """
import sys
from edossier.pdfmake.finish import pdfa_claim
print(pdfa_claim(open(sys.argv[1], "rb").read()))
"""


def _xmp_bomb_of(size: int) -> bytes:
    """minimal_pdfa whose /Metadata is its own packet followed by `size` spaces, deflated, as it is
    (test_pdfa_check._with_raw_xmp)."""
    with pikepdf.open(io.BytesIO(minimal_pdfa())) as pdf:
        xmp = pdf.Root.Metadata.read_bytes()
    comp = zlib.compressobj(9)
    flate = comp.compress(xmp) + b"".join(comp.compress(b" " * (1 << 20)) for _ in range(size >> 20)) + comp.flush()
    return _with_raw_xmp(flate)


def test_builder_claim_reads_the_xmp_bounded(tmp_path):
    """The builder asks an input PDF its PDF/A claim before taking it as it is: pikepdf's open_metadata
    inflated a 512 MiB XMP stream whole. Read as the checker reads it: past the XMP cap (8 MiB) no claim."""
    out, mb = _measure(tmp_path, _CLAIM, _xmp_bomb_of(512 << 20))
    assert out.strip() == "None", out
    assert mb < PEAK_LIMIT_MB, f"{mb:.0f} MB"


def test_builder_claim_is_the_checkers():
    from edossier.pdfmake.finish import pdfa_claim

    assert pdfa_claim(minimal_pdfa()) == "2B"  # the helper writes pdfaid:part 2, conformance B


def _lzw_zeros(cycles: int) -> bytes:
    """LZW data (ISO 32000-1 7.4.4, EarlyChange 1) of the most expansive kind: after each clear, the code for
    one zero byte, then the codes 258...4000, each the previous string plus one zero (lengths 2...3744); a cycle
    decodes to 1 + (2 + ... + 3744) = 7,010,640 bytes from ~5.3 KB."""
    out = bytearray()
    acc = nb = 0

    def emit(code: int, width: int) -> None:
        nonlocal acc, nb
        acc = (acc << width) | code
        nb += width
        while nb >= 8:
            nb -= 8
            out.append((acc >> nb) & 0xFF)
        acc &= (1 << nb) - 1

    width = 9
    for _ in range(cycles):
        emit(256, width)
        emit(0, 9)
        for code in range(258, 4001):
            emit(code, min(12, (code + 1).bit_length()))  # the width the decoder reads it with (early change)
        width = 12
    emit(257, width)
    if nb:
        out.append((acc << (8 - nb)) & 0xFF)
    return bytes(out)


def test_lzw_length_is_qpdfs():
    from edossier.pdfmake.scans import _lzw_length

    data = _lzw_zeros(2)
    pdf = pikepdf.new()
    st = pikepdf.Stream(pdf, data)
    st.Filter = Name.LZWDecode
    assert _lzw_length(data, 1 << 40) == len(st.read_bytes()) == 2 * 7_010_640
    assert _lzw_length(data, 1000) <= 1000 + 3744  # stops at the first code past the cap


def _lzw_image_page(data: bytes, side: int) -> bytes:
    """An image-only PDF: one page drawing a side × side grey LZW image whose data is `data`, as it is."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    img = pikepdf.Stream(pdf, data, Type=Name.XObject, Subtype=Name.Image, Width=side, Height=side,
                         ColorSpace=Name.DeviceGray, BitsPerComponent=8)
    img.Filter = Name.LZWDecode
    pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=img))
    pdf.pages[0].Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    buf = io.BytesIO()
    pdf.save(buf, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return buf.getvalue()


def test_builder_rewrap_refuses_an_lzw_image_larger_than_its_pixels(tmp_path):
    """An image-only input PDF whose 100×100 grey LZW image (10,000 bytes of pixels) decodes to 100 × 7,010,640
    bytes (701 MB from 527 KB): qpdf's read_bytes decoded it whole before it was re-compressed. Now refused
    from the counted length, within bounded memory."""
    out, mb = _measure(tmp_path, _REWRAP, _lzw_image_page(_lzw_zeros(100), 100))
    assert out.startswith("refused page 1: LZW image data decodes to more than the 10000 bytes"), out
    assert mb < PEAK_LIMIT_MB, f"{mb:.0f} MB"


def test_builder_rewrap_keeps_an_lzw_image_of_its_size():
    """The bound does not refuse an honest LZW image: 1000×1000 grey zeros (1,000,000 bytes), re-wrapped."""
    import datetime as dt

    from PIL import Image

    from edossier.pdfmake.scans import rewrap_image_pdf

    b = io.BytesIO()
    Image.new("L", (1000, 1000), 0).save(b, "TIFF", compression="tiff_lzw", tiffinfo={278: 1000})
    t = Image.open(io.BytesIO(b.getvalue()))
    strip = b.getvalue()[t.tag_v2[273][0]:t.tag_v2[273][0] + t.tag_v2[279][0]]  # TIFF LZW is PDF LZW, early change
    data, pages = rewrap_image_pdf(_lzw_image_page(strip, 1000), title="t", author=None, created=dt.datetime(2026, 1, 1))
    assert pages == 1
    with pikepdf.open(io.BytesIO(data)) as out:
        im = out.pages[0].Resources.XObject.Im0
        assert im.Filter == Name.FlateDecode and im.read_bytes() == b"\0" * 1_000_000


def _flate_image_pdf(**entries):
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    img = pikepdf.Stream(pdf, zlib.compress(b"\x80" * 10000), Type=Name.XObject, Subtype=Name.Image,
                         Filter=Name.FlateDecode, **entries)
    pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=img))
    pdf.pages[0].Contents = pdf.make_stream(b"q 50 0 0 50 0 0 cm /Im0 Do Q")
    return pdf


def test_a_flate_image_without_a_usable_size_is_not_checked_silently():
    """ISO 32000-1 8.9.5 (Table 89): an image XObject that is not a mask or JPX needs Width, Height,
    BitsPerComponent and ColorSpace. Without them how many bytes the rows need is unknown, so whether the data
    is truncated (D006) cannot be established: X005, where no finding was given."""
    from edossier.pdfa.images_pdf import check_pdf_images

    ok = dict(Width=100, Height=100, BitsPerComponent=8, ColorSpace=Name.DeviceGray)
    assert check_pdf_images(_flate_image_pdf(**ok)) == []  # 100 × 100 × 1 byte: all 10,000 there
    for drop in ("Width", "ColorSpace"):
        found = check_pdf_images(_flate_image_pdf(**{k: v for k, v in ok.items() if k != drop}))
        assert [f.code for f in found] == ["X005"], (drop, found)
        assert "无法检查" in found[0].zh
    found = check_pdf_images(_flate_image_pdf(**dict(ok, Width=Name.Foo)))
    assert [f.code for f in found] == ["X005"], found
