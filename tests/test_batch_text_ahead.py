"""A batch's text report is rendered package by package while the workers run (cli/main.TextAhead, issue
19), and its pool ends without holding up the caller. The report must be exactly the one rendered at
the end, in input order, whatever order the results arrive in."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

import pytest
from rich.console import Console

from edossier.batch.executors import LocalExecutor
from edossier.batch.many import ValidateOptions, validate_many
from edossier.cli.main import TextAhead
from edossier.findings import finding
from edossier.policy import Policy
from edossier.report.text import render_text
from edossier.signing.trustlist import load_trustlist

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def folder(three_layers, tmp_path_factory):
    """The three layers' packages and a tampered copy of the last: accepted and rejected reports."""
    from edossier.demo.run import tamper_member

    folder = tmp_path_factory.mktemp("ahead")
    for p in three_layers["packages"]:
        (folder / p.name).write_bytes(p.read_bytes())
    tamper_member(three_layers["packages"][-1], folder / "z-bad.edp", prefix="documents/001/")
    return folder


@pytest.fixture(scope="module")
def reports(folder, pki):
    trust = load_trustlist(pki / "trustlist.xml", anchor=pki / "trust-anchor.pem")
    options = ValidateOptions(pki / "trustlist.xml", None, Policy(), {}, trust=trust)
    reps = validate_many(sorted(folder.iterdir()), options, jobs=1)
    assert [r.verdict for r in reps] == ["accept", "accept", "accept", "reject"]
    # a supervision finding and findings in several stages, so that every kind of line is rendered
    reps[0].findings.append(finding("C014", "documents/001/0001.pdf"))
    reps[0].settle()
    return reps, trust.facts()


@pytest.mark.parametrize("colour", [False, True])
def test_parts_rendered_ahead_are_the_report_rendered_at_the_end(reports, colour):
    reps, facts = reports

    def console(buf):
        if colour:  # a terminal: styles become escape codes, which the parts must carry unchanged
            return Console(file=buf, width=100, force_terminal=True, color_system="truecolor")
        return Console(file=buf, width=120, no_color=True)

    at_end = io.StringIO()
    render_text(reps, console(at_end), "zh-CN", trust=facts, tz=SHANGHAI)
    ahead = TextAhead("zh-CN", SHANGHAI, console(io.StringIO()))
    for rep in reversed(reps):  # results arrive in any order
        ahead.add(rep)
    out = io.StringIO()
    ahead.console.file = out
    ahead.write(reps, facts)
    assert out.getvalue() == at_end.getvalue()
    assert ("\x1b[" in out.getvalue()) is colour
    # nothing rendered ahead (one package, or write_report without a batch): the same report
    none_ahead = TextAhead("zh-CN", SHANGHAI, console(io.StringIO()))
    out = io.StringIO()
    none_ahead.console.file = out
    none_ahead.write(reps, facts)
    assert out.getvalue() == at_end.getvalue()
    # each package once, in input order
    positions = [out.getvalue().index(Path(r.path).name) for r in reps]
    assert positions == sorted(positions)


def test_a_report_changed_after_its_part_was_rendered_is_rendered_again(reports):
    reps, facts = reports
    ahead = TextAhead("en", SHANGHAI, Console(file=io.StringIO(), width=120, no_color=True))
    for rep in reps:
        ahead.add(rep)
    rep = reps[1]
    before = len(rep.findings)

    def written():
        out = io.StringIO()
        ahead.console.file = out
        ahead.write(reps, facts)
        return out.getvalue()

    try:
        rep.findings.append(finding("R007", "receipt.edr", detail="INDETERMINATE"))  # e.g. what a receipt proves, added afterwards
        rep.settle()
        assert "R007" not in written()  # the part rendered before the change
        ahead.forget(rep)
        assert "R007" in written()
    finally:
        del rep.findings[before:]
        rep.settle()


def test_cli_batch_text_report_is_the_reports_rendered_in_input_order(folder, reports, pki, tmp_path):
    reps, facts = reports
    out = tmp_path / "report.txt"
    res = subprocess.run([sys.executable, "-m", "edossier.cli.main", "--lang", "en", "validate", str(folder), "--trust",
                          str(pki / "trustlist.xml"), "--jobs", "2", "-o", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stderr
    text = out.read_text("utf-8")
    # the fixture added a finding to the first report: render what the CLI must have found
    first = reps[0]
    added = first.findings.pop()
    first.settle()
    try:
        expected = io.StringIO()
        render_text(reps, Console(file=expected, width=120, no_color=True), "en", trust=facts, tz=SHANGHAI)
    finally:
        first.findings.append(added)
        first.settle()
    cli_paths = [line.split("  ", 1)[1] for line in text.splitlines() if line.startswith(("ACCEPT", "REJECT"))]
    assert [Path(p).name for p in cli_paths] == [p.name for p in sorted(folder.iterdir())]
    # the same report, up to the paths (the CLI names packages as it found them in the folder)
    assert text.replace(str(folder) + os.sep, "") == expected.getvalue().replace(str(folder) + os.sep, "")


def test_pool_processes_end_after_a_complete_stream_and_at_once_when_stopped_early():
    import multiprocessing

    ex = LocalExecutor(2)
    assert sorted(r for _, r in ex.map_unordered(abs, [-1, -2, -3, -4], on_crash=lambda *_: None)) == [1, 2, 3, 4]
    # complete: the pool's own thread joins the workers without holding up the caller
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []
    # stopped early (the consumer closes the stream): queued work is cancelled and the workers are
    # waited for before close() returns
    stream = ex.map_unordered(time.sleep, [0.01] + [0.2] * 12, on_crash=lambda *_: None)
    next(stream)
    stream.close()
    assert multiprocessing.active_children() == []
