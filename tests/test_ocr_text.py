"""What the engines' text goes through before it becomes the text layer (issue 19, fourth round)."""

from __future__ import annotations

import pytest

from edossier.ocr.engines import numeral_zero

ZERO = "\u3007"  # 〇 IDEOGRAPHIC NUMBER ZERO: the zero of Chinese numerals (GB/T 15835-2011)
CIRCLE = "\u25cb"  # ○ WHITE CIRCLE: a geometric shape, what the models often read instead
LARGE = "\u25ef"  # ◯ LARGE CIRCLE


@pytest.mark.parametrize("read, meant", [
    (f"辩护律师于二{CIRCLE}二六年二月三日", f"辩护律师于二{ZERO}二六年二月三日"),  # a date
    (f"二{CIRCLE}二{CIRCLE}年", f"二{ZERO}二{ZERO}年"),  # ends before 年
    (f"价值一{CIRCLE}{CIRCLE}元", f"价值一{ZERO}{ZERO}元"),  # a run of circles, then 元
    (f"二{LARGE}二六", f"二{ZERO}二六"),
    (f"二{ZERO}{CIRCLE}六", f"二{ZERO}{ZERO}六"),  # beside a zero read right
    (f"{CIRCLE} 选项一", f"{CIRCLE} 选项一"),  # a bullet
    (f"{CIRCLE}一、犯罪事实", f"{CIRCLE}一、犯罪事实"),  # a bullet before a numbered heading: no numeral before it
    (f"第{CIRCLE}条", f"第{CIRCLE}条"),  # not after a numeral
    (f"二{CIRCLE}、", f"二{CIRCLE}、"),  # not before a numeral or unit
    (f"A{CIRCLE}B", f"A{CIRCLE}B"),
    ("二〇二六年", "二〇二六年"),
    ("", ""),
])
def test_a_circle_in_a_chinese_numeral_is_the_numeral_zero(read, meant):
    assert numeral_zero(read) == meant


@pytest.mark.parametrize("before, read, after, meant", [
    ("辩护律师于二", f"{CIRCLE}二六年二月三日", "", f"{ZERO}二六年二月三日"),  # a date broken after 二
    ("", f"辩护律师于二{CIRCLE}", "二六年二月三日", f"辩护律师于二{ZERO}"),  # ... or after the zero
    ("辩护律师于", f"{CIRCLE}二六年", "", f"{CIRCLE}二六年"),  # no numeral before it
    ("", f"价值二{CIRCLE}", "：", f"价值二{CIRCLE}"),  # nor after it
    ("第二", f"{CIRCLE} 条", "", f"{CIRCLE} 条"),
    ("", f"{CIRCLE}二六年", "", f"{CIRCLE}二六年"),
])
def test_the_lines_around_count_for_a_date_broken_across_lines(before, read, after, meant):
    assert numeral_zero(read, before, after) == meant


def test_an_engines_page_gets_the_numeral_zero_across_its_lines():
    from edossier.ocr.engines import _numeral_zeros
    from edossier.ocr.types import OcrLine, PageText

    page = PageText(100, 100, [OcrLine(f"律师于二{CIRCLE}", 0, 0, 50, 10), OcrLine("二六年", 0, 12, 50, 22),
                               OcrLine(f"{CIRCLE} 选项", 0, 24, 50, 34)])
    assert [line.text for line in _numeral_zeros(page).lines] == [f"律师于二{ZERO}", "二六年", f"{CIRCLE} 选项"]
    assert page.lines[0].x1 == 50  # the box is kept
