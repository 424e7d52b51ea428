"""The content walk's number limits (6.1.13-1/-2/-5: an integer beyond 2^31-1, a real beyond 3.403e38 or
nonzero below 1.175e-38) must see every number the content stream holds. The walk looks at operands only when
the bytes can hold such a number (a run of >= 10 digits, or >= 30 zeros after a point, outside strings and
comments), so that test must read the stream as ISO 32000-1 writes it: 7.3.4.2 literal strings are balanced
parentheses with backslash escapes, 7.3.4.3 hex strings are <hex digits and white space>, 7.2.3 a comment runs
from % to the end of the line, and none of them hides a number that follows it. Each case below is written from
that grammar, not from what the code answers; both walks (the simple-stream fast path and pikepdf's parser)
must agree."""

from __future__ import annotations

import time

import pytest

from edossier.pdfa.contentlimits import long_number

from test_pdfa_walk_fast import IMAGE, both, page, rules

BIG = b"12345678901"  # 12,345,678,901 > 2,147,483,647 (ISO 32000-1 Annex C, Table C.1: integer limit)
TINY = b"0." + b"0" * 40 + b"1"  # 1e-41, nonzero and below 1.175e-38 (Table C.1: smallest real)
HUGE = b"9" * 40 + b".5"  # about 1e40 > 3.403e38 (Table C.1: largest real)

CASES = {
    # (content, findings): a number outside a string or comment is an operand and must be checked
    "between (<) and (>)": (b"BT 3 Tr /F0 12 Tf (<) Tj " + BIG + b" 0 Td (>) Tj ET", {"6.1.13-1"}),
    "between (<) and (>), on a fast-path stream": (b"q (<) Tj " + BIG + b" 0 0 1 0 0 cm (>) Tj Q", {"6.1.13-1"}),
    "after an escaped parenthesis": (b"BT /F0 12 Tf 3 Tr (\\)<) Tj " + BIG + b" 0 Td (>) Tj ET", {"6.1.13-1"}),
    "after nested parentheses": (b"BT /F0 12 Tf 3 Tr ((<)) Tj " + BIG + b" 0 Td ((>)) Tj ET", {"6.1.13-1"}),
    "after an escaped backslash": (b"BT /F0 12 Tf 3 Tr (<\\\\) Tj " + BIG + b" 0 Td (>) Tj ET", {"6.1.13-1"}),
    "between comments holding < and >": (b"% <\n" + BIG + b" 0 0 1 0 0 cm\n% >\n" + IMAGE, {"6.1.13-1"}),
    "a tiny real between (<) and (>)": (b"q (<) Tj " + TINY + b" 0 0 1 0 0 cm (>) Tj Q", {"6.1.13-5"}),
    "a huge real between (<) and (>)": (b"q (<) Tj " + HUGE + b" 0 0 1 0 0 cm (>) Tj Q", {"6.1.13-2"}),
    "after a hex string": (IMAGE + b" BT 3 Tr /F0 12 Tf <41> Tj " + BIG + b" 0 Td (>) Tj ET", {"6.1.13-1"}),
    "after a dictionary operand": (b"/Span <</Lang (x)>> BDC " + BIG + b" 0 0 1 0 0 cm EMC", {"6.1.13-1"}),
    # qpdf reads past a malformed token and keeps the number that follows it: so must the test
    "after a malformed hex string": (b"q <zz> " + BIG + b" 0 0 1 0 0 cm Q", {"6.1.13-1"}),
    "after a hex string broken by %": (b"q <ab%cd " + BIG + b" 0 0 1 0 0 cm Q", {"6.1.13-1"}),
    "after a stray )": (b"q ) " + BIG + b" 0 0 1 0 0 cm Q", {"6.1.13-1"}),
    # numbers inside operands: arrays (TJ kerning, dash patterns) and dictionaries (property lists)
    "in a TJ array": (b"BT 3 Tr /F0 12 Tf [(a) " + BIG + b" (b)] TJ ET", {"6.1.13-1"}),
    "a tiny real in a TJ array": (b"BT 3 Tr /F0 12 Tf [(a) " + TINY + b" (b)] TJ ET", {"6.1.13-5"}),
    "in a dash array": (b"[3 " + BIG + b"] 0 d", {"6.1.13-1"}),
    "in a property list": (b"/Span <</MCID " + BIG + b">> BDC EMC", {"6.1.13-1"}),
    # beyond 64 bits: qpdf reads the operand as null and only warns; still out of range
    "beyond 64 bits": (b"q " + b"9" * 23 + b" 0 0 1 0 0 cm /Im0 Do Q", {"6.1.13-1"}),
    "beyond 64 bits, negative, in an array": (b"[3 -" + b"9" * 30 + b"] 0 d", {"6.1.13-1"}),
    # digits that are not numbers: inside a string, a hex string or a comment
    "digits inside a literal string": (IMAGE + b" BT 3 Tr /F0 12 Tf (" + BIG + b") Tj ET", set()),
    "digits inside a hex string": (IMAGE + b" BT 3 Tr /F0 12 Tf <" + BIG + b"1> Tj ET", set()),
    "digits inside a comment": (IMAGE + b" % " + BIG + b"\n", set()),
    "digits inside a string holding < and >": (IMAGE + b" BT 3 Tr /F0 12 Tf (<" + BIG + b">) Tj ET", set()),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_number_is_checked(case, monkeypatch):
    ops, expected = CASES[case]
    fast, full, _ = both(page(ops), monkeypatch)
    assert fast == full
    assert rules(fast) & {"6.1.13-1", "6.1.13-2", "6.1.13-5"} == expected


def test_an_inline_image_hides_nothing(monkeypatch):
    # 1 x 1 DeviceGray image whose one data byte is % (ISO 32000-1 8.9.7: the data after ID are not tokens):
    # the number after EI on the same line is an operand, not part of a comment
    ops = b"q BI /W 1 /H 1 /CS /G /BPC 8 ID %  EI " + BIG + b" 0 0 1 0 0 cm Q"
    fast, full, _ = both(page(ops), monkeypatch)
    assert fast == full
    assert "6.1.13-1" in rules(fast)


@pytest.mark.parametrize("data, expected", [
    (b"(" + BIG + b")", False), (b"<" + BIG + b"0>", False), (b"%" + BIG, False), (b"%x\r" + BIG, True),
    (b"(<)" + BIG + b"(>)", True), (b"(\\(<)" + BIG + b"(>)", True), (b"((<)" + BIG + b")", False),
    (b"<<>>" + BIG, True), (b"<41 42>" + BIG, True), (b"1.5 123456789 .123456789 -123456789", False),
    (b"-." + b"0" * 40 + b"1", True), (b"(unterminated " + BIG, True), (b"ID " + BIG, True),
])
def test_the_trigger_reads_the_grammar(data, expected):
    assert long_number(data) is expected


@pytest.mark.parametrize("unit", [b"(", b")", b"<", b"(<)", b"%<\n", b"((\\)", b"<4", b"<<", b"(a(b)c)",
                                  b"1234567890" + b"(", b"\\(", b"ID "])
def test_the_trigger_is_linear_on_hostile_input(unit):
    # 2 MB of one repeated fragment: well under a second whatever the fragment; quadratic work would take minutes
    data = unit * (2_000_000 // len(unit))
    t0 = time.process_time()
    long_number(data)
    long_number(data + BIG)
    assert time.process_time() - t0 < 2.0


def _qpdf_sees_out_of_range(data: bytes) -> bool:
    """Whether qpdf's content parser reads a number out of Table C.1's range anywhere in `data` (operands and
    inside array and dictionary operands), or an integer it could not hold (its overflow warning)."""
    import pikepdf
    from decimal import Decimal

    pdf = pikepdf.new()
    try:
        instrs = pikepdf.parse_content_stream(pikepdf.Stream(pdf, data))
    except Exception:  # noqa: BLE001 - nothing parsed, nothing to check
        return False
    if any("overflow/underflow" in str(w) for w in pdf.get_warnings()):
        return True
    stack = []
    for ins in instrs:
        try:
            stack.extend(ins.operands)
        except Exception:  # noqa: BLE001 - an inline image
            continue
    while stack:
        v = stack.pop()
        if type(v) is int and not -2147483648 <= v <= 2147483647:
            return True
        if type(v) is Decimal and (abs(v) > Decimal("3.403e38") or (v and abs(v) < Decimal("1.175e-38"))):
            return True
        if isinstance(v, pikepdf.Array):
            stack.extend(v)
        elif isinstance(v, pikepdf.Dictionary):
            stack.extend(v.values())
    return False


FRAGMENTS = [b"(", b")", b"<", b">", b"<<", b">>", b"%", b"\n", b"\r", b"\\", b" ", b"[", b"]", b"(x)", b"<41>",
             b"<4", b"0 Td", b"Tj", b"/N", b"ID ", b"EI", b"BI", b"q", b"Q", BIG, b"-" + BIG, TINY, b"9" * 25,
             b"12345", b"1.5"]


def test_the_trigger_misses_no_number_qpdf_reads():
    # soundness, against qpdf itself: 4,000 random streams of grammar fragments (strings, hex strings, comments,
    # escapes, dictionaries, inline-image keywords, long numbers); wherever qpdf's parser reads an out-of-range
    # number, long_number must say so
    import random

    rnd = random.Random(1913)
    seen = 0
    for _ in range(4000):
        data = b" ".join(rnd.choice(FRAGMENTS) for _ in range(rnd.randint(1, 12))) if rnd.random() < 0.5 else \
            b"".join(rnd.choice(FRAGMENTS) for _ in range(rnd.randint(1, 12)))
        if _qpdf_sees_out_of_range(data):
            seen += 1
            assert long_number(data), data
    assert seen > 500  # the generator does reach the interesting cases
