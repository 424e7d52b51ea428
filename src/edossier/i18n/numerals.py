"""Chinese numerals (小写中文数字) as legal citations write article numbers: 第一百七十二条."""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"))


def _below_10000(n: int) -> str:
    """1..9999 with one 零 for each run of zeros between non-zero digits (1005 → 一千零五)."""
    out, pending_zero = "", False
    for size, unit in _UNITS:
        digit, n = divmod(n, size)
        if digit:
            if pending_zero:
                out += "零"
            out += _DIGITS[digit] + unit
            pending_zero = False
        elif out:
            pending_zero = True
    if n:
        out += ("零" if pending_zero else "") + _DIGITS[n]
    return out


def zh_numeral(n: int) -> str:
    """`n` (0 ≤ n < 10^8) in Chinese numerals: 10 → 十, 15 → 十五, 110 → 一百一十, 1000 → 一千,
    10010 → 一万零一十. A leading 一十 is written 十 (十五条), as statutes do."""
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n < 10 ** 8:
        raise ValueError(f"zh_numeral: {n!r} is not an integer from 0 to 99999999")
    if n == 0:
        return "零"
    high, low = divmod(n, 10000)
    if high:
        text = _below_10000(high) + "万"
        if low:
            text += ("零" if low < 1000 else "") + _below_10000(low)
    else:
        text = _below_10000(low)
    return text[1:] if text.startswith("一十") else text


__all__ = ["zh_numeral"]
