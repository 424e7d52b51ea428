"""The command line: exit codes, messages in both languages, no traceback for any input."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import jsonschema
import pytest
from click.testing import CliRunner

from edossier.cli.main import main
from edossier.resources import schema_bytes


def run(*args, lang="en"):
    result = CliRunner().invoke(main, ["--lang", lang, *map(str, args)], catch_exceptions=False)
    return result


def run_process(*args):
    """Through the real console entry point, to see exactly what a user sees."""
    return subprocess.run([sys.executable, "-m", "edossier.cli.main", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def trustlist(pki):
    return pki / "trustlist.xml"


def test_validate_accepts_and_json_matches_schema(three_layers, trustlist):
    res = run("validate", three_layers["packages"][-1], "--trust", trustlist, "--format", "json")
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    jsonschema.validate(report, json.loads(schema_bytes("report-0.1.schema.json")))
    assert report["verdict"] == "accept"
    assert [layer["role"] for layer in report["packages"][0]["layers"]] == ["police", "procuratorate", "court"]


def test_validate_text_report_in_chinese(three_layers, trustlist):
    res = run("validate", three_layers["packages"][-1], "--trust", trustlist, lang="zh-CN")
    assert res.exit_code == 0
    assert "接收" in res.output


def test_rejected_package_json(three_layers, trustlist, tmp_path):
    from edossier.demo.run import tamper_member

    bad = tmp_path / "bad.edp"
    tamper_member(three_layers["packages"][-1], bad, prefix="documents/002/")
    out = tmp_path / "r.json"
    res = run("validate", three_layers["packages"][-1], bad, "--trust", trustlist, "--format", "json", "-o", out)
    assert res.exit_code == 1
    report = json.loads(out.read_text("utf-8"))
    jsonschema.validate(report, json.loads(schema_bytes("report-0.1.schema.json")))
    assert [p["verdict"] for p in report["packages"]] == ["accept", "reject"]
    finding = report["packages"][1]["findings"][0]
    assert finding["code"] == "I001" and finding["message"]["zh-CN"] and finding["message"]["en"]


def bad_packages(tmp_path, good):
    not_zip = tmp_path / "not-zip.edp"
    not_zip.write_text("hello, I am not a package")
    truncated = tmp_path / "truncated.edp"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    no_mimetype = tmp_path / "no-mimetype.edp"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(no_mimetype, "w") as zout:
        for info in zin.infolist():
            if info.filename != "mimetype":
                zout.writestr(info, zin.read(info))
    empty = tmp_path / "empty.edp"
    empty.write_bytes(b"")
    return {"C001": [not_zip, truncated, empty], "C002": [no_mimetype]}


def test_bad_packages_give_codes_and_exit_1(three_layers, trustlist, tmp_path):
    for code, paths in bad_packages(tmp_path, three_layers["packages"][-1]).items():
        for path in paths:
            res = run_process("validate", path, "--trust", trustlist, "--format", "json")
            assert res.returncode == 1, (path, res.stderr)
            assert "Traceback" not in res.stderr + res.stdout
            report = json.loads(res.stdout)
            assert code in {f["code"] for f in report["packages"][0]["findings"]}, path


def test_usage_errors_exit_2(three_layers, trustlist, tmp_path):
    cases = [
        ("validate", tmp_path / "nope.edp", "--trust", trustlist),
        ("validate", three_layers["packages"][-1], "--trust", tmp_path / "nope.xml"),
        ("validate", three_layers["packages"][-1], "--trust", three_layers["packages"][-1]),  # not a trust list
        ("validate", three_layers["packages"][-1], "--trust", trustlist, "--at", "yesterday"),
        ("build", tmp_path / "nosource", "-o", tmp_path / "x.edp", "--signer", tmp_path / "none.p12"),
        ("validate",),
    ]
    for args in cases:
        res = run_process(*args)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert "Traceback" not in res.stderr
        assert res.stderr.strip()


def test_build_errors_are_one_line_in_both_languages(tmp_path, pki, agencies):
    from conftest import make_source

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    toml = src / "dossier.toml"
    toml.write_text(toml.read_text("utf-8").replace("date = 2026-11-02", "date = 2026-13-02"), "utf-8")
    for lang, needle in (("en", "TOML"), ("zh-CN", "TOML 语法错误")):
        res = run_process("--lang", lang, "build", src, "-o", tmp_path / "x.edp", "--signer", pki / "police.p12")
        assert res.returncode == 1
        assert needle in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "x.edp").exists()


def test_build_inspect_and_append_via_cli(tmp_path, pki, agencies):
    from conftest import make_source

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2)])
    out = tmp_path / "1.edp"
    res = run("build", src, "-o", out, "--signer", pki / "police.p12")
    assert res.exit_code == 0, res.output
    assert "layer 1" in res.output
    res = run("inspect", out)
    assert res.exit_code == 0 and "立案决定书" in res.output and "police" in res.output
    res = run("validate", out, "--trust", pki / "trustlist.xml")
    assert res.exit_code == 0 and "ACCEPT" in res.output


def test_keys_demo_refuses_overwrite(tmp_path):
    assert run("keys", "demo", tmp_path / "k").exit_code == 0
    assert (tmp_path / "k" / "trustlist.xml").is_file()
    res = run("keys", "demo", tmp_path / "k")
    assert res.exit_code == 2
    assert run("keys", "demo", tmp_path / "k", "--force").exit_code == 0


def test_batch_folder_policy_and_formats(three_layers, trustlist, tmp_path):
    from edossier.demo.run import tamper_member

    folder = tmp_path / "in"
    folder.mkdir()
    for p in three_layers["packages"]:
        (folder / p.name).write_bytes(p.read_bytes())
    tamper_member(three_layers["packages"][-1], folder / "sub-bad.edp", prefix="documents/001/")
    res = run_process("validate", folder, "--trust", trustlist, "--jobs", "2", "--format", "json")
    assert res.returncode == 1, res.stderr
    report = json.loads(res.stdout)
    assert [p["verdict"] for p in report["packages"]] == ["accept", "accept", "accept", "reject"]
    assert "4 package(s): 3 accepted, 1 rejected." in res.stderr
    # --suppress hides the I001 finding, but integrity was not established: still rejected, and X007
    # says which fact is missing (accept only on positive evidence, spec §10.4)
    res = run_process("validate", folder / "sub-bad.edp", "--trust", trustlist, "--suppress", "I001",
                      "--format", "json")
    assert res.returncode == 1
    codes = [f["code"] for f in json.loads(res.stdout)["packages"][0]["findings"]]
    assert "I001" not in codes and "X007" in codes
    assert json.loads(res.stdout)["packages"][0]["established"]["integrity"] is False
    policy = tmp_path / "p.toml"
    policy.write_text('[levels]\nI001 = "WARN"\n', "utf-8")
    assert run_process("validate", folder / "sub-bad.edp", "--trust", trustlist, "--policy", policy).returncode == 1
    # a could-not-check code cannot be lowered, by --suppress or by a policy file: exit 2, a clear message
    res = run_process("validate", folder / "sub-bad.edp", "--trust", trustlist, "--suppress", "X005")
    assert res.returncode == 2 and "X005" in res.stderr and "always an error" in res.stderr
    policy.write_text('[levels]\nX004 = "WARN"\n', "utf-8")
    res = run_process("validate", folder / "sub-bad.edp", "--trust", trustlist, "--policy", policy)
    assert res.returncode == 2 and "X004" in res.stderr
    for fmt in ("junit", "sarif", "html"):
        out = tmp_path / f"r.{fmt}"
        assert run_process("validate", folder, "--trust", trustlist, "--format", fmt, "-o", out).returncode == 1
        assert out.stat().st_size > 500
    assert run_process("validate", tmp_path / "empty-dir-does-not-exist", "--trust", trustlist).returncode == 2
    (tmp_path / "empty").mkdir()
    assert run_process("validate", tmp_path / "empty", "--trust", trustlist).returncode == 2
