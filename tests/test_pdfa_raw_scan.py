"""The raw-byte object scan of the PDF/A checker (structure.raw_scan) in C (_jpegscan.c raw_objects, issue 19,
seventh round) against its Python twin (structure._raw_scan_py) on generated, hostile and mutated files, and
both against offsets counted by hand."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edossier.pdfa import structure
from edossier.pdfa.limits import PdfLimits

needs_accel = pytest.mark.skipif(structure._raw_objects_c is None, reason="_jpegscan.c not built")


class _Pdf:
    """Resolves the indirect /Length of `lengths` (object number -> value) as pikepdf's get_object would."""

    def __init__(self, lengths: dict) -> None:
        self.lengths = lengths

    def get_object(self, objgen):
        return self.lengths[objgen[0]]


class _Ctx:
    def __init__(self, raw: bytes, lengths: dict | None = None, max_objects: int = 2_000_000) -> None:
        self.raw = raw
        self.cache: dict = {}
        self.pdf = _Pdf(lengths or {})
        self.limits = PdfLimits(max_objects=max_objects)


def _both(raw: bytes, lengths: dict | None = None, max_objects: int = 2_000_000):
    by_py = [dataclasses.astuple(o) for o in structure._raw_scan_py(_Ctx(raw, lengths, max_objects))]
    by_c = [dataclasses.astuple(o) for o in structure.raw_scan(_Ctx(raw, lengths, max_objects))]
    return by_py, by_c


def test_offsets_by_hand():
    raw = (b"%PDF-1.7\n"                            # 0..8
           b"1 0 obj\n<< /Type /Catalog >>\nendobj\n"  # object 1 at 9
           b"2 0 obj\n<< /Length 5 >>\nstream\nHELLO\nendstream\nendobj\n"
           b"12  3 obj <<>> endobj")
    one = 9
    two = raw.index(b"2 0 obj")
    kw = raw.index(b"stream\n")
    twelve = raw.index(b"12  3 obj")
    objs = structure._raw_scan_py(_Ctx(raw))
    assert [(o.num, o.gen, o.start) for o in objs] == [(1, 0, one), (2, 0, two), (12, 3, twelve)]
    assert objs[0].header == b"1 0 obj" and objs[0].single_spaces and objs[0].stream_kw == -1
    assert objs[0].body_end == raw.index(b"endobj")
    # the stream: its keyword, the data after the LF, /Length 5 landing on the EOL before "endstream"
    assert (objs[1].stream_kw, objs[1].data_start) == (kw, kw + 7)
    assert objs[1].endstream == raw.index(b"endstream") == kw + 7 + 5 + 1
    assert objs[1].body_end == raw.index(b"endobj", objs[1].endstream)
    assert objs[2].header == b"12  3 obj" and not objs[2].single_spaces
    by_py, by_c = _both(raw)
    assert by_c == by_py


@needs_accel
@pytest.mark.parametrize("raw, expected", [
    (b"12345678901 0 obj", []),  # 11 digits: no object number (\d{1,10})
    (b"1234567890 0 obj", [(1234567890, 0)]),
    (b"1 123456 obj", []),  # 6 digits: no generation (\d{1,5})
    (b"1 12345 obj", [(1, 12345)]),
    (b"1 0 objx 2 0 obj", [(2, 0)]),  # "objx" is no "obj" keyword
    (b"1 0 obj1", [(1, 0)]),  # a digit may follow "obj"
    (b"a1 0 obj", [(1, 0)]),  # a letter may precede the number, a digit may not
    (b"1\x000\x00obj", [(1, 0)]),  # NUL is PDF white space
    (b"10obj 1 0 obj", [(1, 0)]),
    (b"1 0 ob", []),
    (b"1 0obj", []),  # white space before "obj" is required (W+)
    (b"1 0 obj", [(1, 0)]),
    (b"10 obj", []),  # no generation
    (b"1  0\n\r\tobj", [(1, 0)]),
    (b"1 2 3 obj", [(2, 3)]),  # the first start fails, the next digit run starts the match
    (b"", []),
])
def test_object_headers(raw, expected):
    by_py, by_c = _both(raw)
    assert [(t[0], t[1]) for t in by_py] == expected
    assert by_c == by_py


@needs_accel
def test_stream_keyword_cases():
    # ">>>stream" has its ">>" one byte on; "streamx" is no keyword; white space (NUL too) between
    for body in (b"<< >>>stream\nx\nendstream endobj", b"<< >>streamx >> stream\r\nxy\rendstream endobj",
                 b"<< >>\x00\x00stream\rab endstream endobj", b"<< /Length 2 >>stream\r\nab\r\nendstream\nendobj",
                 b"<< /Length 9 >> stream\nab endstream endobj", b"<< >> stream"):
        by_py, by_c = _both(b"1 0 obj " + body)
        assert by_c == by_py, body


@needs_accel
def test_an_indirect_length_is_resolved_alike():
    raw = b"1 0 obj << /Length 7 0 R >> stream\nABCDE\nendstream endobj 7 0 obj 5 endobj"
    by_py, by_c = _both(raw, {7: 5})
    assert by_c == by_py and by_py[0][7] == raw.index(b"endstream")
    # an unresolvable length (the stub has none) falls back to searching, in both
    by_py, by_c = _both(raw, {})
    assert by_c == by_py and by_py[0][7] == raw.index(b"endstream")


@needs_accel
def test_the_object_limit_stops_both_alike():
    raw = b"".join(b"%d 0 obj null endobj\n" % i for i in range(1, 30))
    for limit in (0, 1, 5, 28, 29, 100):
        by_py, by_c = _both(raw, max_objects=limit)
        assert by_c == by_py
        assert len(by_py) == min(29, limit + 1)


@needs_accel
def test_an_error_in_the_length_callback_propagates():
    with pytest.raises(ZeroDivisionError):
        structure._raw_objects_c(b"1 0 obj <<>> stream\nx endstream endobj", 10, lambda *a: 1 // 0)
    with pytest.raises(ValueError):  # an offset past the end is refused, never used
        structure._raw_objects_c(b"1 0 obj <<>> stream\nx endstream endobj", 10, lambda *a: 10 ** 6)
    with pytest.raises(TypeError):
        structure._raw_objects_c("text", 10, lambda *a: -1)


_PIECES = st.sampled_from([
    b"1", b"0", b"12", b"007", b"1234567890", b"12345678901", b"123456", b" ", b"\n", b"\r\n", b"\r", b"\x00", b"\t",
    b"\x0c", b"obj", b"objx", b"endobj", b"stream", b"streamx", b"endstream", b">>", b">", b"<<", b"/Length",
    b"/Length 5", b"/Length 3 0 R", b"/Length 1", b"1 0 obj", b"2 0 obj\n", b"x", b"%", b"(", b")",
])


@needs_accel
@settings(max_examples=600, deadline=None)
@given(pieces=st.lists(st.one_of(_PIECES, st.binary(max_size=12)), max_size=60),
       lengths=st.dictionaries(st.integers(0, 3), st.integers(-2, 40), max_size=3))
def test_c_and_python_agree_on_generated_files(pieces, lengths):
    raw = b"".join(pieces)
    by_py, by_c = _both(raw, lengths)
    assert by_c == by_py


@needs_accel
def test_c_and_python_agree_on_mutants_of_a_real_file():
    from test_pdfa_check import minimal_pdfa

    base = minimal_pdfa()
    by_py, by_c = _both(base)
    assert by_c == by_py and len(by_py) >= 5
    rng = random.Random(19)
    for _ in range(300):
        b = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(b))
            op = rng.randrange(3)
            if op == 0:
                b[i] = rng.choice(b"0123456789 \n\r\x00>objendstream<")
            elif op == 1:
                del b[i:i + rng.randint(1, 20)]
            else:
                b[i:i] = rng.choice([b"endobj", b"stream\n", b">>", b" 0 obj", b"9", b"endstream"])
        by_py, by_c = _both(bytes(b))
        assert by_c == by_py


@pytest.mark.parametrize("body, suspicious", [
    (b"<< /A <0A1B> >>", False),
    (b"<< /A <0A1> >>", True),  # an odd count of hex digits (ISO 32000-1 7.3.4.3 would pad it: 6.1.6 forbids it)
    (b"<< /A <0G> >>", True),  # a byte that is no hex digit
    (b"<< /A <0A\n1B\x00> >>", False),  # white space (NUL too) between the digits
    (b"<< /A <0A\n1\x00> >>", True),
    (b"<<>>", False),
    (b"<< /A (<0G>) >>", True),  # the pre-filter does not know literal strings: the lexer (_lex_hex) decides
    (b"<</A<0A>>>", False),
    (b"<</A<<0G>>>", False),  # "<<0G>" is no hex string: the look-behind
    (b"<0G", False),  # no closing '>'
    (b"<0A<0G>", True),  # the first '<' has no '>' before the next '<'; the second is a hex string
])
def test_the_hex_pre_filter_by_hand(body, suspicious):
    raw = b"1 0 obj\n" + body + b"\nendobj\n"
    for scan in (structure._raw_scan_py, structure.raw_scan):
        (ro,) = scan(_Ctx(raw))
        assert ro.hex_suspicious is suspicious, scan
        assert ro.hex_suspicious == structure.hex_suspicious(body)


@pytest.mark.parametrize("raw, ok", [
    (b"1 0 obj\n<<>>\nendobj\n", True),
    (b"%x\r1 0 obj\r<<>>\rendobj", True),  # CR, and "endobj" at the end of the file
    (b"%x 1 0 obj\n<<>>\nendobj\n", False),  # no EOL before the object number
    (b"1 0 obj <<>>\nendobj\n", False),  # no EOL after "obj"
    (b"1  0 obj\n<<>>\nendobj\n", False),  # two spaces
    (b"1 0 obj\n<<>> endobj\n", False),  # no EOL before "endobj"
    (b"1 0 obj\n<<>>\nendobj %\n", False),  # no EOL after it
    (b"1 0 obj\n<<>>\n", True),  # no "endobj": nothing to test there
])
def test_the_spacing_test_by_hand(raw, ok):
    # ISO 19005-2 6.1.9: the object number, generation and "obj" separated by single spaces, "obj" and
    # "endobj" each preceded and followed by an EOL marker
    for scan in (structure._raw_scan_py, structure.raw_scan):
        (ro,) = scan(_Ctx(raw))
        assert ro.spacing_ok is ok, scan


class _AddCtx(_Ctx):
    def __init__(self, raw: bytes, lengths: dict | None = None) -> None:
        super().__init__(raw, lengths)
        self.found: list = []

    def add(self, rule_id, location="", detail=""):
        self.found.append((rule_id, location, detail))


def test_each_stream_keeps_its_own_length():
    # stream_lexical reads the /Length the scan resolved for the same stream (ctx.cache["raw_lengths"]): three
    # streams whose lengths are right, wrong (4 against 5 bytes of data) and indirect-and-wrong (object 9 says 7)
    raw = (b"1 0 obj\n<< /Length 5 >>\nstream\nABCDE\nendstream\nendobj\n"
           b"2 0 obj\n<< /Length 4 >>\nstream\nABCDE\nendstream\nendobj\n"
           b"3 0 obj\n<< /Length 9 0 R >>\nstream\nABCDE\nendstream\nendobj\n"
           b"9 0 obj\n7\nendobj\n")
    for c_scan in (True, False):
        ctx = _AddCtx(raw, {9: 7})
        if not c_scan:
            structure._raw_scan_py(ctx)
        structure.stream_lexical(ctx)
        # ISO 19005-2 6.1.7.1: /Length is the number of bytes from the byte after the EOL after "stream" to the
        # EOL before "endstream": 5 for each
        assert ctx.found == [("6.1.7.1-1", "object 2 0 R", "Length 4, actual 5"),
                             ("6.1.7.1-1", "object 3 0 R", "Length 7, actual 5")]
        assert sorted(ctx.cache["raw_lengths"].values()) == [4, 5, 7]
