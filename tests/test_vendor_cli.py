"""Issue #16, the prosecutor's and vendor's day: `--lang` after the command name, JUnit durations,
conformance states how each case was judged."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from edossier.cli.main import hoist_global_options, main
from edossier.report.junit import render_junit
from edossier.validate import PackageReport, validate_package


# --- --lang after the command name ---------------------------------------------------------------------

@pytest.mark.parametrize("args,expected", [
    (["validate", "p.edp", "--lang", "zh-CN"], ["--lang", "zh-CN", "validate", "p.edp"]),
    (["validate", "--lang=en", "p.edp"], ["--lang=en", "validate", "p.edp"]),
    (["--lang", "en", "validate", "p.edp"], ["--lang", "en", "validate", "p.edp"]),
    (["keys", "issue", "--lang", "zh-CN", "--name", "x"], ["--lang", "zh-CN", "keys", "issue", "--name", "x"]),
    # after `--` everything is an argument, even a file called --lang
    (["validate", "--", "--lang", "zh-CN"], ["validate", "--", "--lang", "zh-CN"]),
])
def test_hoist_lang(args, expected):
    assert hoist_global_options(args) == expected


@pytest.mark.parametrize("where", ["before", "after"])
def test_lang_after_the_command_name_takes_effect(tmp_path, where):
    missing = tmp_path / "no-such-trust.xml"
    args = ["validate", str(tmp_path / "p.edp"), "--trust", str(missing)]
    args = ["--lang", "zh-CN", *args] if where == "before" else [*args, "--lang", "zh-CN"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 2
    assert "信任列表不存在" in result.output and "no such trust list" not in result.output, result.output


def test_lang_value_still_checked_after_the_command(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "p.edp"), "--lang", "fr"])
    assert result.exit_code == 2 and "--lang" in result.output


# --- JUnit durations -----------------------------------------------------------------------------------

def _times(text: str):
    root = ET.fromstring(text.encode("utf-8"))
    suites = root.findall("testsuite")
    return root, suites, [{c.get("name").split("（")[0]: c.get("time") for c in s.findall("testcase")} for s in suites]


def test_junit_times_from_stage_durations():
    # hand-made durations (binary-exact values, so the sums print exactly)
    a = PackageReport("a.edp", durations={"open": 0.25, "container": 0.5, "records": 1.0, "coverage": 0.125,
                                          "signatures": 2.0, "integrity": 0.75, "documents": 3.0, "case": 0.5})
    b = PackageReport("b.edp", durations={"open": 0.125})  # could not be opened: only the open step ran
    root, suites, times = _times(render_junit([a, b]))
    assert times[0] == {"container": "0.750", "schema": "1.125", "integrity": "0.750", "signature": "2.000",
                        "document": "3.000", "case": "0.500"}
    assert suites[0].get("time") == "8.125"  # 0.25+0.5+1+0.125+2+0.75+3+0.5
    assert times[1]["container"] == "0.125" and times[1]["case"] == "0.000"
    assert suites[1].get("time") == "0.125"
    assert root.get("time") == "8.250"


def test_junit_times_are_measured(three_layers, trust):
    rep = validate_package(three_layers["packages"][-1], trust=trust)
    assert rep.verdict == "accept"
    assert {"open", "container", "records", "coverage", "signatures", "integrity", "documents", "case"} <= set(rep.durations)
    root, [suite], [times] = _times(render_junit([rep]))
    # three layers of signatures and PDF/A documents cannot be checked in under a millisecond
    assert float(suite.get("time")) > 0.001
    # (the PDF checks run while integrity hashes, so the document step itself only collects their results)
    assert float(times["signature"]) > 0 and float(times["integrity"]) > 0
    assert abs(sum(map(float, times.values())) - float(suite.get("time"))) < 0.01
