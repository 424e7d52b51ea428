"""What the content walk (contentwalk.py) checks in the operands themselves: the implementation limits
of ISO 32000-1 Annex C for numbers and strings in content streams (6.1.13), and hex strings in the
raw content bytes."""

from __future__ import annotations

import re
from decimal import Decimal

import pikepdf

from .contentfacts import Facts
from .structure import _lex_hex, hex_suspicious


_I_MAX = 2147483647


# What an out-of-range number needs (Annex C, Table C.1): an integer beyond 2^31-1 has >= 10 digits, a real
# beyond 3.403e38 >= 39, a nonzero real below 1.175e-38 >= 37 zeros after the point.
_LONG_DIGITS = re.compile(rb"\d{10}|\.0{30}")
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"  # ISO 32000-1 7.2.2: neither white space nor a delimiter
# What long_number passes over in one C-level run, from where it stands outside any string or comment: bytes
# that begin nothing of interest, a whole literal string without nested parentheses (7.3.4.2), a whole hex
# string (7.3.4.3), << and >>, a comment (7.2.3), a run of fewer than 10 digits, and an I that does not begin
# the ID keyword of an inline image (inside a longer token, or not followed by D and a delimiter). The run
# stops at what needs a look: a run of >= 10 digits, a ( whose string nests or does not end, a malformed hex
# string or a stray ) or >, the ID keyword. Possessive throughout and without captures (Python 3.11's re fails
# on a capture inside a possessive repeat): linear. A point is passed over: >= 30 zeros after one are also a
# run of >= 10 digits.
_SKIP = re.compile(
    rb"(?:[^()<>%0-9I]++|\((?:[^()\\]++|\\.)*+\)|<<|>>|<[0-9A-Fa-f\x00\t\n\x0c\r ]*+>|%[^\r\n]*+"
    rb"|[0-9]{1,9}+(?![0-9])|(?<=" + _REGULAR + rb")I|I(?!D(?!" + _REGULAR + rb")))*+", re.S)
_IN_STRING = re.compile(rb"[()\\]")


def long_number(data: bytes) -> bool:
    """Can the content stream `data` hold a number token out of the range of Table C.1? False only when
    every run of >= 10 digits (or of >= 30 zeros after a point) lies inside a literal string, a hex string or
    a comment as ISO 32000-1 7.2-7.3 reads the bytes. The walk checks operands only when this is true.

    Linear: each byte is read by one regular-expression pass (_SKIP), or once by the balanced-parenthesis
    loop of a nested string. Where the bytes stop following the grammar (an unterminated string, a malformed
    hex string, a stray delimiter) qpdf reads on past the bad token, and an inline image's data are not tokens
    at all: from there every run counts, in strings or not, since this lexer can no longer tell them apart as
    qpdf will."""
    if not _LONG_DIGITS.search(data):
        return False
    n = len(data)
    pos = _SKIP.match(data).end()
    while pos < n:
        c = data[pos]
        if 0x30 <= c <= 0x39:  # a run of >= 10 digits outside strings and comments
            return True
        if c != 0x28:  # a malformed hex string, a stray ) or >, or the ID keyword
            break
        end = _string_end(data, pos)  # a string with nested parentheses (or none to close it)
        if end == -1:
            break
        pos = _SKIP.match(data, end).end()
    else:
        return False
    return _LONG_DIGITS.search(data, pos) is not None


def _string_end(data: bytes, start: int) -> int:
    """The offset after the literal string opening at `start` (balanced parentheses, a backslash escaping the
    byte after it: 7.3.4.2), or -1 when it does not end."""
    depth = 0
    pos = start
    search = _IN_STRING.search
    while True:
        m = search(data, pos)
        if m is None:
            return -1
        c = data[m.start()]
        if c == 0x5C:  # \
            pos = m.start() + 2
            continue
        depth += 1 if c == 0x28 else -1
        pos = m.end()
        if depth == 0:
            return pos


def _limits_in_operands(instrs, f: Facts, loc: str, deep: bool) -> None:
    """6.1.13-1/-2/-3/-5 for the numbers and strings written in a content stream: the operands and everything
    inside them (a TJ array's kerning, a dash array, a property list's dictionary). Strings are measured only
    when the stream (`deep`) is long enough to hold one over the limit."""
    for ins in instrs:
        try:
            operands = ins.operands
        except Exception:  # noqa: BLE001 - a malformed inline image; reported by the walk
            continue
        _limits_inside(operands, f, loc, deep)


_R_MAX = Decimal("3.403e38")
_R_MIN = Decimal("1.175e-38")


def _real(v: Decimal, f: Facts, loc: str) -> None:
    a = abs(v)
    if a > _R_MAX:
        f.numbers.append(("6.1.13-2", loc, str(v)))
    elif a and a < _R_MIN:
        f.numbers.append(("6.1.13-5", loc, str(v)))


def _limits_inside(values, f: Facts, loc: str, deep: bool) -> None:
    """The limits of `values` (an instruction's operands) and of the values in their array and dictionary
    operands, at any depth (a stack, not recursion: qpdf bounds the nesting, the stream's length bounds
    the count)."""
    stack = [values]
    while stack:
        for v in stack.pop():
            t = type(v)
            if t is int:
                if v > _I_MAX or v < -_I_MAX - 1:
                    f.numbers.append(("6.1.13-1", loc, str(v)))
            elif t is Decimal:
                _real(v, f, loc)
            elif t is _PObj:
                tc = v._type_code
                if tc == _STRING:
                    if deep and len(bytes(v)) > 32767:
                        f.numbers.append(("6.1.13-3", loc, "string"))
                elif tc == _ARRAY:
                    stack.append(v)
                elif tc == _DICTIONARY:
                    stack.append(v.values())


_PObj = pikepdf.Object


_STRING = pikepdf.ObjectType.string


_ARRAY = pikepdf.ObjectType.array


_DICTIONARY = pikepdf.ObjectType.dictionary


_INLINE_DATA = re.compile(rb"(?<![A-Za-z0-9])ID[\x00\t\n\x0c\r ].*?[\x00\t\n\x0c\r ]EI(?![A-Za-z0-9])", re.S)


def _hex_in_content(data: bytes, f: Facts, loc: str) -> None:
    """6.1.6: hex strings in a content stream (qpdf hides how a string was written)."""
    if b"BI" in data:
        data = _INLINE_DATA.sub(b" ", data)  # binary inline-image data is not PDF syntax
    if not hex_suspicious(data):
        return
    for c in _lex_hex(data):
        stripped = c.translate(None, b"\x00\t\n\x0c\r ")
        if not re.fullmatch(rb"[0-9A-Fa-f]*", stripped):
            f.numbers.append(("6.1.6-2", loc, "hex string with a non-hex character"))
        elif len(stripped) % 2:
            f.numbers.append(("6.1.6-1", loc, "hex string with an odd number of digits"))
