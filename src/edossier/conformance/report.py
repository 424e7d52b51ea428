"""The pass/fail matrix of a conformance run: rich text for people, JUnit XML for CI dashboards."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.table import Table

from ..i18n import t
from . import CLASSES


def _codes(codes: dict[str, str] | None) -> str:
    if codes is None:
        return "-"
    return ", ".join(sorted(codes)) or "—"


def _judged(o, zh: bool) -> str:
    if o.judged_on == "codes":
        return "代码" if zh else "codes"
    return "仅退出码" if zh else "exit code only"


_PROBLEM = re.compile(r"(?:verdict (?P<got>\S+), expected (?P<expected>\S+)|missing (?P<missing>.+)|unexpected (?P<unexpected>.+))")


def _verdict(v: str | None, lang: str) -> str:
    """A verdict word as the table shows it (en: as the corpus spells it, accept/reject)."""
    if not lang.startswith("zh"):
        return v or "?"
    return t(f"conformance.verdict.{v}", lang) if v in ("accept", "reject") else t("conformance.verdict.unknown", lang)


def _problem(text: str, lang: str) -> str:
    """One of judge()'s problems (English, as tests and JUnit compare them) in `lang`."""
    from .run import NO_CODES

    if not lang.startswith("zh"):
        return text
    if text == NO_CODES[0]:
        return NO_CODES[1]
    m = _PROBLEM.fullmatch(text)
    if m is None:
        return text
    if m.group("got"):
        return t("conformance.problem.verdict", lang, got=_verdict(m.group("got"), lang),
                 expected=_verdict(m.group("expected"), lang))
    key = "missing" if m.group("missing") else "unexpected"
    return t(f"conformance.problem.{key}", lang, codes=m.group(key))


def render_text(outcomes, console: Console, lang: str = "en", *, validator: str = "") -> None:
    from .run import JUDGING_RULE

    zh = lang.startswith("zh")
    heads = ("用例", "预期", "结果", "判定", "判定依据", "问题") if zh else \
        ("Case", "Expected", "Got", "Result", "Judged on", "Problem")
    table = Table(box=None, header_style="bold", title_justify="left",
                  title=(f"一致性测试：{validator}" if zh else f"Conformance: {validator}"))
    for h in heads:
        table.add_column(h, overflow="fold")
    for o in outcomes:
        c = o.case
        expected = _verdict(c.verdict, lang) + (f" ({', '.join(c.required)})" if c.required else "")
        got = _verdict(o.verdict, lang) + (f" ({_codes(o.codes)})" if o.codes else "")
        ok = ("[green]通过[/]" if zh else "[green]PASS[/]") if o.passed else ("[red]失败[/]" if zh else "[red]FAIL[/]")
        table.add_row(c.id, expected, got, ok, _judged(o, zh), "; ".join(_problem(p, lang) for p in o.problems))
    console.print(JUDGING_RULE[1] if zh else JUDGING_RULE[0], markup=False, highlight=False)
    console.print(table)
    summary = Table(box=None, header_style="bold")
    for h in (("类别", "用例", "通过", "失败") if zh else ("Class", "Cases", "Passed", "Failed")):
        summary.add_column(h)
    for klass in CLASSES:
        group = [o for o in outcomes if o.case.klass == klass]
        if group:
            passed = sum(o.passed for o in group)
            summary.add_row(t(f"conformance.class.{klass}", lang), str(len(group)), str(passed), str(len(group) - passed))
    passed = sum(o.passed for o in outcomes)
    summary.add_row("总计" if zh else "total", str(len(outcomes)), str(passed), str(len(outcomes) - passed))
    console.print(summary)
    exit_only = sum(o.judged_on != "codes" for o in outcomes)
    if exit_only:
        console.print(f"{exit_only} 个用例仅按退出码判定：未核对问题代码。" if zh else
                      f"{exit_only} case(s) judged on exit code only: finding codes not checked.",
                      markup=False, highlight=False, style="yellow")


def render_junit(outcomes, *, validator: str = "") -> str:
    """One <testsuite> per class (good, warn, bad), one <testcase> per case; a failing case has a
    <failure> saying what differed. Each suite states the judging rule and how many of its cases were
    judged on the exit code only; each case's <system-out> says judged_on=codes or judged_on=exit code."""
    from .run import JUDGING_RULE

    suites = ET.Element("testsuites", name="edossier conformance",
                        tests=str(len(outcomes)), failures=str(sum(not o.passed for o in outcomes)))
    for klass in CLASSES:
        group = [o for o in outcomes if o.case.klass == klass]
        if not group:
            continue
        suite = ET.SubElement(suites, "testsuite", name=f"conformance.{klass}", tests=str(len(group)),
                              failures=str(sum(not o.passed for o in group)), errors="0",
                              time=f"{sum(o.seconds for o in group):.3f}")
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="validator", value=validator)
        ET.SubElement(props, "property", name="judging_rule", value=JUDGING_RULE[0])
        ET.SubElement(props, "property", name="judged_on_exit_code_only",
                      value=str(sum(o.judged_on != "codes" for o in group)))
        for o in group:
            tc = ET.SubElement(suite, "testcase", classname=f"conformance.{klass}", name=o.case.id,
                               time=f"{o.seconds:.3f}")
            if not o.passed:
                msg = "; ".join(o.problems)
                failure = ET.SubElement(tc, "failure", message=msg, type="mismatch")
                failure.text = (f"expected: {o.case.verdict}, required {list(o.case.required)}, "
                                f"allowed {list(o.case.allowed)}\n"
                                f"got: {o.verdict}, codes {_codes(o.codes)}\n")
            out = f"verdict={o.verdict} codes={_codes(o.codes)} judged_on={o.judged_on}"
            if o.output:
                out += "\n" + o.output
            ET.SubElement(tc, "system-out").text = out
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
