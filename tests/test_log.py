"""`edossier deadlines`, `edossier log` and `validate --profile` on the command line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from edossier.cli.main import main
from test_caserules_packages import sample_package  # noqa: F401 - session fixture


def run(*args, lang="en"):
    result = CliRunner().invoke(main, ["--lang", lang, *map(str, args)], catch_exceptions=False,
                                env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_deadlines_timeline_of_the_sample(sample_package):  # noqa: F811
    code, out = run("deadlines", sample_package[-1])
    assert code == 0
    for text in ("Statutory periods", "CPL 2018", "Art. 91", "Art. 156", "Art. 172", "Art. 225", "2026-11-21",
                 "2026-11-24", "closed in time"):
        assert text in out, text
    code, out = run("deadlines", sample_package[-1], lang="zh-CN")
    assert code == 0 and "法定期限" in out and "按期办结" in out and "审查起诉期限" in out


def test_deadlines_json_and_at(sample_package):  # noqa: F811
    code, out = run("deadlines", sample_package[-1], "--format", "json", "--at", "2026-11-12T09:00:00+08:00")
    data = json.loads(out)
    assert code == 0
    assert [p["period"] for p in data["periods"]] == ["detention-request", "arrest-review", "investigative-custody",
                                                      "prosecution-review"]
    assert data["periods"][-1]["state"] == "running" and data["periods"][-1]["end"] == "2026-11-21"
    assert data["periods"][0]["basis"] == "CPL 2018 Art. 91 para 1"


def test_deadlines_bad_input(tmp_path):
    code, out = run("deadlines", tmp_path / "none.edp")
    assert code == 2
    junk = tmp_path / "junk.edp"
    junk.write_bytes(b"not a zip")
    code, out = run("deadlines", junk)
    assert code == 1 and "Traceback" not in out
    code, out = run("deadlines", junk, "--at", "yesterday")
    assert code == 2


def test_log_lists_who_did_what_when(sample_package):  # noqa: F811
    code, out = run("log", sample_package[-1], "--format", "json")
    assert code == 0
    entries = json.loads(out)["entries"]
    times = [e["time"] for e in entries]
    # 3 layers; 21 documents: police 16 (with the 逮捕证 of #15 and, since #16, the notices, the arrest
    # approval, the rights notice, the plea record, the transfer notice and a 换押证), procuratorate 4
    # (with its 换押证), court 1
    assert len(entries) == 3 + 21 + sum(1 for e in entries if e["kind"] == "event")
    kinds = [e["kind"] for e in entries]
    assert kinds.count("layer") == 3 and kinds.count("document") == 16 + 4 + 1
    approval = next(e for e in entries if e["what"]["zh-CN"].startswith("批准逮捕"))
    assert approval["actor"] == "深圳市南山区人民检察院" and approval["layer"] == 1
    assert approval["proven_by"] == "META-INF/signature001.p7s"
    assert times[0].startswith("2026-10-30T21:10")  # 受案, the first step
    code, out = run("log", sample_package[-1], lang="zh-CN")
    assert code == 0 and "签署第 003 层" in out and "判决" in out


def test_validate_profile_option(three_layers, pki):
    trust = pki / "trustlist.xml"
    pkg = three_layers["packages"][-1]
    code, out = run("validate", pkg, "--trust", trust, "--profile", "no-such")
    assert code == 2 and "unknown profile" in out
    code, out = run("validate", pkg, "--trust", trust, "--profile", "execution-handover")
    assert code == 1 and "K021" in out and "执行通知书" in out
    code, out = run("validate", pkg, "--trust", trust, "--profile", "execution-handover", lang="zh-CN")
    assert code == 1 and "缺少必备文书《执行通知书》" in out
