"""The pass/fail matrix of a conformance run: rich text for people, JUnit XML for CI dashboards."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from rich.console import Console
from rich.table import Table

from . import CLASSES


def _codes(codes: dict[str, str] | None) -> str:
    if codes is None:
        return "-"
    return ", ".join(sorted(codes)) or "—"


def render_text(outcomes, console: Console, lang: str = "en", *, validator: str = "") -> None:
    zh = lang.startswith("zh")
    heads = ("用例", "预期", "结果", "判定", "问题") if zh else ("Case", "Expected", "Got", "Result", "Problem")
    table = Table(box=None, header_style="bold", title_justify="left",
                  title=(f"一致性测试：{validator}" if zh else f"Conformance: {validator}"))
    for h in heads:
        table.add_column(h, overflow="fold")
    for o in outcomes:
        c = o.case
        expected = c.verdict + (f" ({', '.join(c.required)})" if c.required else "")
        got = (o.verdict or "?") + (f" ({_codes(o.codes)})" if o.codes else "")
        ok = ("[green]通过[/]" if zh else "[green]PASS[/]") if o.passed else ("[red]失败[/]" if zh else "[red]FAIL[/]")
        table.add_row(c.id, expected, got, ok, "; ".join(o.problems))
    console.print(table)
    summary = Table(box=None, header_style="bold")
    for h in (("类别", "用例", "通过", "失败") if zh else ("Class", "Cases", "Passed", "Failed")):
        summary.add_column(h)
    for klass in CLASSES:
        group = [o for o in outcomes if o.case.klass == klass]
        if group:
            passed = sum(o.passed for o in group)
            summary.add_row(klass, str(len(group)), str(passed), str(len(group) - passed))
    passed = sum(o.passed for o in outcomes)
    summary.add_row("总计" if zh else "total", str(len(outcomes)), str(passed), str(len(outcomes) - passed))
    console.print(summary)


def render_junit(outcomes, *, validator: str = "") -> str:
    """One <testsuite> per class (good, warn, bad), one <testcase> per case; a failing case has a
    <failure> saying what differed."""
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
        for o in group:
            tc = ET.SubElement(suite, "testcase", classname=f"conformance.{klass}", name=o.case.id,
                               time=f"{o.seconds:.3f}")
            if not o.passed:
                msg = "; ".join(o.problems)
                failure = ET.SubElement(tc, "failure", message=msg, type="mismatch")
                failure.text = (f"expected: {o.case.verdict}, required {list(o.case.required)}, "
                                f"allowed {list(o.case.allowed)}\n"
                                f"got: {o.verdict}, codes {_codes(o.codes)}\n")
            out = f"verdict={o.verdict} codes={_codes(o.codes)}"
            if o.output:
                out += "\n" + o.output
            ET.SubElement(tc, "system-out").text = out
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
