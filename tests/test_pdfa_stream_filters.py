"""6.1.7.2 (ISO 19005-2): a stream's filters are the standard ones other than LZWDecode, and a Crypt filter
(ISO 32000-1 7.4.10) only as the Identity filter: named /Identity in its decode parameters, or with none, since
/Identity is the default name (Table 14). qpdf drops a Crypt filter when it writes a file, so the check
(structure.streams) is run on a document held in memory."""

from __future__ import annotations

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

from edossier.pdfa import structure
from edossier.pdfa.context import Ctx
from edossier.pdfa.limits import PdfLimits


def found(**entries) -> set[str]:
    pdf = pikepdf.new()
    pdf.make_indirect(pikepdf.Stream(pdf, b"x", **entries))
    ctx = Ctx(b"", pdf, "2b", PdfLimits(), False)
    structure.streams(ctx)
    return {i.rule_id for i in ctx.issues}


@pytest.mark.parametrize("entries, expected", [
    (dict(Filter=Name.Crypt), set()),
    (dict(Filter=Name.Crypt, DecodeParms=Dictionary(Name=Name.Identity)), set()),
    (dict(Filter=Name.Crypt, DecodeParms=Dictionary(Name=Name("/StdCF"))), {"6.1.7.2-1"}),
    (dict(Filter=Array([Name.FlateDecode, Name.Crypt]), DecodeParms=Array([None, Dictionary(Name=Name.Identity)])),
     set()),
    (dict(Filter=Array([Name.FlateDecode, Name.Crypt]), DecodeParms=Array([None, Dictionary(Name=Name("/StdCF"))])),
     {"6.1.7.2-1"}),
    (dict(Filter=Array([Name.FlateDecode, Name.Crypt]), DecodeParms=Array([None])), set()),
    (dict(Filter=Name.LZWDecode), {"6.1.7.2-1"}),
    (dict(Filter=Array([Name.ASCIIHexDecode, Name("/Unknown")])), {"6.1.7.2-1"}),
    (dict(Filter=Name.FlateDecode, F=pikepdf.String("external.dat")), {"6.1.7.1-3"}),
], ids=str)
def test_stream_filters(entries, expected):
    assert found(**entries) == expected
