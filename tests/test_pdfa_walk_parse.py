"""The content walk calls pikepdf's stream parser directly (contentwalk.parse_stream, issue 19's fifth round),
without parse_content_stream's type tests: the same instructions, the same errors, and the parser's
warnings about a damaged stream still reach the report (they are attributed to the calling frame, which is
now contentwalk.py instead of pikepdf's own module)."""

from __future__ import annotations

import warnings

import pikepdf
import pytest

from edossier.pdfa.check import check_pdf
from edossier.pdfa.contentwalk import parse_stream

from test_pdfa_walk_fast import page

STREAMS = [
    b"q 1 0 0 1 0 0 cm 0 0 1 rg 10 10 50 50 re f Q",
    b"BT /F0 12 Tf 72 700 Td (Hello) Tj [(a) -20 <4142>] TJ ET",
    b"q BI /W 2 /H 1 /BPC 8 /CS /G ID \x00\xff EI Q",
    b"q (unterminated",  # the parser warns "Unexpected end of stream"
    b"q (abc) Tj ) Q",
    b"1 2 3 ] Tj << /A 1 >> BDC",
    b"",
]


def _parse(data: bytes, parser):
    """The instructions (inline images by their bytes) and warnings of `parser` on a stream of `data`,
    or the exception it raised."""
    pdf = pikepdf.new()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            out = [(list(i.operands), str(i.operator)) if not isinstance(i, pikepdf.ContentStreamInlineImage)
                   else ("inline", bytes(i.iimage.read_bytes())) for i in parser(pikepdf.Stream(pdf, data))]
        except Exception as exc:  # noqa: BLE001
            out = (type(exc), str(exc))
    return out, [str(x.message) for x in w]


@pytest.mark.parametrize("data", STREAMS)
def test_the_same_instructions_and_warnings_as_parse_content_stream(data):
    assert _parse(data, parse_stream) == _parse(data, pikepdf.parse_content_stream)


def test_a_damaged_stream_is_reported_with_the_parsers_words():
    rep = check_pdf(page(b"q 1 0 0 1 0 0 cm (unterminated"), flavour="2b")
    msgs = [i.message_en for i in rep.issues if i.rule_id == "PDF-UNREADABLE"]
    # the parser's warning, passed on by the walk (contentwalk._from_pikepdf)
    assert any("content stream: " in m and "nexpected end of stream" in m for m in msgs), msgs
