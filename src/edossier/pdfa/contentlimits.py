"""What the content walk (contentwalk.py) checks in the operands themselves: the implementation limits
of ISO 32000-1 Annex C for numbers and strings in content streams (6.1.13), and hex strings in the
raw content bytes."""

from __future__ import annotations

import re

import pikepdf

from .contentfacts import Facts
from .structure import _lex_hex, hex_suspicious


_I_MAX = 2147483647


# a run of >= 10 decimal digits that is not part of a hex string, or a real with >= 30 leading zeros
_LONG_DIGITS = re.compile(rb"\d{10}|\.0{30}")


def _limits_in_operands(instrs, f: Facts, loc: str, deep: bool) -> None:
    """6.1.13-1/-2/-3/-4/-5 for numbers, strings and names written in a content stream."""
    from decimal import Decimal

    for ins in instrs:
        try:
            operands = ins.operands
        except Exception:  # noqa: BLE001 - a malformed inline image; reported by the walk
            continue
        for v in operands:
            t = type(v)
            if t is int:
                if v > _I_MAX or v < -_I_MAX - 1:
                    f.numbers.append(("6.1.13-1", loc, str(v)))
            elif t is Decimal:
                a = abs(v)
                if a > Decimal("3.403e38"):
                    f.numbers.append(("6.1.13-2", loc, str(v)))
                elif a and a < Decimal("1.175e-38"):
                    f.numbers.append(("6.1.13-5", loc, str(v)))
            elif deep and t is _PObj:
                tc = v._type_code
                if tc == _STRING:
                    if len(bytes(v)) > 32767:
                        f.numbers.append(("6.1.13-3", loc, "string"))
                elif tc == _ARRAY:
                    _limits_in_operands_arr(v, f, loc)


_PObj = pikepdf.Object


_STRING = pikepdf.ObjectType.string


_ARRAY = pikepdf.ObjectType.array


def _limits_in_operands_arr(arr, f: Facts, loc: str) -> None:
    for v in arr:
        if type(v) is int and (v > _I_MAX or v < -_I_MAX - 1):
            f.numbers.append(("6.1.13-1", loc, str(v)))
        elif type(v) is _PObj and v._type_code == _STRING and len(bytes(v)) > 32767:
            f.numbers.append(("6.1.13-3", loc, "string"))


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
