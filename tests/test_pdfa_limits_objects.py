"""6.1.13 implementation limits on the values of a document's objects (structure.limits): ISO 32000-1 Annex C,
Table C.1, as ISO 19005-2 6.1.13 adopts it. The boundaries are written from the table: an integer from
-2^31 to 2^31-1, a real's magnitude up to 3.403e38 and, if nonzero, from 1.175e-38, a string up to 32,767
bytes, a name up to 127 bytes. A name's length is that of its bytes after #xx expansion (7.3.5), not of its
written form: a name of spaces is written #20 for each, three times as long."""

from __future__ import annotations

from decimal import Decimal

import pikepdf
import pytest
from pikepdf import Dictionary, Name

from edossier.pdfa.check import check_pdf

from test_pdfa_check import minimal_pdfa

LIMIT_RULES = {"6.1.13-1", "6.1.13-2", "6.1.13-3", "6.1.13-4", "6.1.13-5"}


PLACEHOLDER = b"/" + b"Q" * 60


def found(value, written: bytes | None = None) -> set[str]:
    """The limit findings for a document whose catalog holds << /V value >>; with `written`, the value is
    written as those bytes instead (pikepdf writes a Decimal in its own way), padded with spaces in place of a
    placeholder name so that no offset moves."""
    def mod(pdf):
        pdf.Root.EdossierTest = pdf.make_indirect(Dictionary(V=Name(PLACEHOLDER.decode()) if written else value))
    data = minimal_pdfa(mod, compress_streams=False)
    if written is not None:
        assert data.count(PLACEHOLDER) == 1 and len(written) <= len(PLACEHOLDER)
        data = data.replace(PLACEHOLDER, written.ljust(len(PLACEHOLDER)))
    rep = check_pdf(data, active_content=False)
    return {i.rule_id for i in rep.issues} & LIMIT_RULES


@pytest.mark.parametrize("value, expected", [
    (2147483647, set()), (2147483648, {"6.1.13-1"}), (-2147483648, set()), (-2147483649, {"6.1.13-1"}),
    (Decimal("0.0"), set()),
    (pikepdf.String(b"x" * 32767), set()), (pikepdf.String(b"x" * 32768), {"6.1.13-3"}),
    (Name("/" + "a" * 127), set()), (Name("/" + "a" * 128), {"6.1.13-4"}),
    # written as 3 x 127 = 381 bytes (#20 each), 127 bytes long: within the limit
    (Name("/" + " " * 127), set()), (Name("/" + " " * 128), {"6.1.13-4"}),
    (Name("/" + "a" * 100 + "#" * 27), set()), (Name("/" + "a" * 100 + "#" * 28), {"6.1.13-4"}),
], ids=lambda v: repr(v)[:40])
def test_limits_on_object_values(value, expected):
    assert found(value) == expected


@pytest.mark.parametrize("written, expected", [
    (b"340000000000000000000000000000000000000.0", set()), (b"350000000000000000000000000000000000000.0", {"6.1.13-2"}),
    (b"-350000000000000000000000000000000000000.0", {"6.1.13-2"}),
    (b"0.000000000000000000000000000000000000012", set()), (b"0.000000000000000000000000000000000000001", {"6.1.13-5"}),
    (b"-0.000000000000000000000000000000000000001", {"6.1.13-5"}), (b"0.0000000000000000000000000000000000000000", set()),
], ids=lambda v: repr(v)[:48])
def test_limits_on_reals(written, expected):
    assert found(None, written) == expected


@pytest.mark.parametrize("written", [b"99999999999999999999999", b"-99999999999999999999999",
                                     b"[1 2 99999999999999999999999]"])
def test_an_integer_beyond_64_bits(written):
    # qpdf cannot hold it and reads the whole object as null (with a warning): the number is still out of range
    assert found(None, written) == {"6.1.13-1"}


def test_limits_inside_arrays():
    assert found(pikepdf.Array([1, Name("/" + " " * 128), 2147483648])) == {"6.1.13-1", "6.1.13-4"}


def test_an_object_qpdf_drops_is_never_silently_accepted():
    """qpdf reads an object it cannot parse as null (a warning, no exception): whatever the object held, here
    a JavaScript action, no check sees. The document is then not checked as written: AC-REPAIRED, besides the
    out-of-range number that made qpdf drop it."""
    written = b"99999999999999999999999 /S /JavaScript /JS (app.alert(1))"
    def mod(pdf):
        pdf.Root.EdossierTest = pdf.make_indirect(Dictionary(V=Name(PLACEHOLDER.decode())))
    data = minimal_pdfa(mod, compress_streams=False)
    assert data.count(PLACEHOLDER) == 1 and len(written) <= len(PLACEHOLDER)
    rep = check_pdf(data.replace(PLACEHOLDER, written.ljust(len(PLACEHOLDER))))
    assert {"AC-REPAIRED", "6.1.13-1"} <= {i.rule_id for i in rep.issues}


def _key_found(k: str) -> set[str]:
    def mod(pdf):
        pdf.Root.EdossierTest = pdf.make_indirect(Dictionary({k: 1}))
    return {i.rule_id for i in check_pdf(minimal_pdfa(mod), active_content=False).issues} & LIMIT_RULES


@pytest.mark.parametrize("key, expected", [
    ("/" + "k" * 127, set()), ("/" + "k" * 128, {"6.1.13-4"}),
    # four UTF-8 bytes a character (U+1F600): 31 are 124 bytes, 32 are 128, one more than Table C.1's 127;
    # 33 characters with the slash, which the earlier "more than 40 characters" test let through
    ("/" + "\U0001F600" * 31 + "abc", set()), ("/" + "\U0001F600" * 32, {"6.1.13-4"}),
    ("/" + "\U0001F600" * 31 + "abcd", {"6.1.13-4"}),
    # three bytes a character (CJK): 42 are 126 bytes, 43 are 129
    ("/" + "卷" * 42, set()), ("/" + "卷" * 43, {"6.1.13-4"}),
], ids=lambda v: f"{len(v) - 1}chars-{len(v.encode()) - 1}bytes" if isinstance(v, str) else str(sorted(v)))
def test_limits_on_dictionary_keys(key, expected):
    assert _key_found(key) == expected
