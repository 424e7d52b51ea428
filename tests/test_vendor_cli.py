"""Issue #16, the prosecutor's and vendor's day: `--lang` after the command name, JUnit durations,
conformance states how each case was judged."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from edossier.cli.main import hoist_global_options, main
from edossier.report.junit import render_junit
from edossier.validation.pipeline import validate_package
from edossier.validation.verdict import PackageReport


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


# --- conformance: the judging rule is stated, exit-code-only cases are marked ---------------------------

def test_judge_require_codes():
    from edossier.conformance.run import CorpusCase, NO_CODES, judge

    c = CorpusCase("warn/x", "warn", None, "accept", ("C014",), ())
    assert judge(c, "accept", None) == []
    assert judge(c, "accept", None, require_codes=True) == [NO_CODES[0]]
    assert judge(c, "accept", {"C014": "warning"}, require_codes=True) == []


def _exit_code_validator() -> str:
    import sys

    # a validator that gets every verdict right and prints nothing: no codes to compare
    return f'"{sys.executable}" -c "import sys; sys.exit(1 if \'/bad/\' in sys.argv[1] else 0)" {{pkg}}'


def test_conformance_marks_cases_judged_on_exit_code_only(tmp_path):
    from test_conformance import SOME, small_corpus

    small = small_corpus(tmp_path, SOME)
    res = CliRunner().invoke(main, ["conformance", "--corpus", str(small), "--validator", _exit_code_validator(),
                                    "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "judged on exit code only" in res.output and "--require-codes fails such a case" in res.output
    assert res.output.count("exit code only") >= len(SOME)  # one per row, plus the rule and the summary
    assert f"{len(SOME)} case(s) judged on exit code only" in res.output

    junit = tmp_path / "c.xml"
    res = CliRunner().invoke(main, ["conformance", "--corpus", str(small), "--validator", _exit_code_validator(),
                                    "--format", "junit", "-o", str(junit)])
    root = ET.parse(junit).getroot()
    counts = {s.get("name"): {p.get("name"): p.get("value") for p in s.iter("property")} for s in root.iter("testsuite")}
    # SOME holds 1 good, 1 warn and 3 bad cases
    assert {k: v["judged_on_exit_code_only"] for k, v in counts.items()} == \
        {"conformance.good": "1", "conformance.warn": "1", "conformance.bad": "3"}
    assert all("judging_rule" in v for v in counts.values())
    assert all("judged_on=exit code" in (o.text or "") for o in root.iter("system-out"))


def test_require_codes_fails_exit_code_only_cases(tmp_path):
    from test_conformance import SOME, small_corpus

    small = small_corpus(tmp_path, SOME)
    res = CliRunner().invoke(main, ["--lang", "zh-CN", "conformance", "--corpus", str(small), "--validator",
                                    _exit_code_validator(), "--require-codes"])
    assert res.exit_code == 1
    assert f"失败 {len(SOME)} 个" in res.output and "仅按退出码判定" in res.output


def test_in_process_cases_are_judged_on_codes(tmp_path):
    from edossier.conformance.run import load_corpus, run_in_process
    from test_conformance import small_corpus

    small = small_corpus(tmp_path, ["warn/C014_deflated-pdf", "bad/I001_document-changed"])
    outcomes = run_in_process(load_corpus(small), jobs=1)
    assert [o.judged_on for o in outcomes] == ["codes", "codes"] and all(o.passed for o in outcomes)
