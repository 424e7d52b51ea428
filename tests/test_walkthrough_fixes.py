"""Rough edges found walking through the three days of docs/walkthrough.md (issue 16), each fixed and
tested here: a document's title defaults to its type's name; lint does not repeat a missing scan as case
findings; findings read in file order; receipts show Beijing time; `conformance --case`; `keys issue`
names the right check character."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner

from conftest import make_source
from edossier.building.pipeline import build_package, lint_source
from edossier.cli.main import main
from edossier.findings import finding
from edossier.building.source import load_source
from edossier.validation.verdict import PackageReport


def run(*args, lang="en"):
    return CliRunner().invoke(main, ["--lang", lang, *map(str, args)], catch_exceptions=False)


def _drop_title(src, doc_type: str, new_type: str | None = None):
    toml = src / "dossier.toml"
    text = toml.read_text("utf-8").replace(f'title = "{doc_type}"\n', "", 1)
    if new_type:
        text = text.replace(f'type = "{doc_type}"', f'type = "{new_type}"', 1)
    toml.write_text(text, "utf-8")


@pytest.mark.parametrize("written,title", [("到案经过", "到案经过"), ("C035", "到案经过"), ("抓获经过", "到案经过")])
def test_title_defaults_to_the_type_name(tmp_path, agencies, written, title):
    # C035 is 到案经过 in schemas/codelists/document-types.toml; an alias resolves to the same entry
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1), ("d2", "到案经过", 1)])
    _drop_title(src, "到案经过", written)
    docs = {d["id"]: d for d in load_source(src).data["documents"]}
    assert docs["d2"]["title"] == title
    assert docs["d1"]["title"] == "立案决定书"  # a given title stays


def test_untitled_document_is_built_with_its_type_as_title(tmp_path, agencies, creds):
    from edossier.container.zipio import open_package
    from edossier.record.model import parse_record

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    _drop_title(src, "立案决定书")
    out = tmp_path / "p.edp"
    build_package(src, out, creds["police"])
    with open_package(out) as pkg:
        record = parse_record(pkg.read("dossier/001.xml", 1 << 20))
    assert [(d.id, d.title) for d in record.documents if d.id == "d1"] == [("d1", "立案决定书")]


def test_lint_does_not_repeat_missing_scans_as_case_findings(tmp_path, agencies):
    # 立案决定书 and 讯问笔录 are required by transfer-for-prosecution (K021), and the 立案 event names d1
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1), ("d2", "讯问笔录", 1),
                                                                   ("d3", "起诉意见书", 1)],
                      extra='[layer]\nstage = "移送审查起诉"\nprofile = "transfer-for-prosecution"\n\n'
                            '[[events]]\ntype = "立案"\ntime = 2026-11-02T10:00:00+08:00\ndocument = "d1"\n')
    for name in ("d1-1.jpg", "d2-1.jpg"):
        (src / "scans" / name).unlink()
    result = lint_source(src)
    errors = [(f.code, f.location) for f in result.report.findings if f.severity == "error"]
    # two missing scans are two problems: not K030 for the event naming d1, nor K021 for the two types
    assert errors == [("S010", "d1"), ("S010", "d2")], [f.message_en for f in result.report.findings]
    assert [(f.code, f.location) for f in result.blocking] == errors
    # K022 keeps the documents that are really missing and drops none that are only left out
    [k022] = [f for f in result.report.findings if f.code == "K022"]
    assert "《受案登记表》" in k022.message_en and "讯问笔录" not in k022.message_en


def test_lint_still_reports_a_type_that_is_really_missing(tmp_path, agencies):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1), ("d3", "起诉意见书", 1)],
                      extra='[layer]\nstage = "移送审查起诉"\nprofile = "transfer-for-prosecution"\n')
    (src / "scans" / "d1-1.jpg").unlink()
    result = lint_source(src)
    k021 = [f.params["doc"] for f in result.report.findings if f.code == "K021"]
    assert k021 == ["讯问笔录"]  # not in the source at all: still an error; 立案决定书 is only left out


def test_source_errors_in_file_order(tmp_path, agencies):
    docs = [(f"d{i}", "讯问笔录", 1) for i in range(1, 12)]
    src = make_source(tmp_path / "src", agencies["police"], docs=docs)
    toml = src / "dossier.toml"
    toml.write_text(toml.read_text("utf-8").replace("date = 2026-11-02\n", 'date = "2026-13-02"\n'), "utf-8")
    result = lint_source(src)
    lines = [int(re.search(r"dossier\.toml:(\d+)", f.message_en).group(1))
             for f in result.report.findings if f.code == "S010"]
    assert len(lines) == 11 and lines == sorted(lines)  # documents[2] before documents[10]


def test_findings_sorted_with_numbers_as_numbers():
    locs = ["dossier/001.xml /DossierRecord/Events/Event[10]", "dossier/001.xml /DossierRecord/Events/Event[9]",
            "dossier/001.xml /DossierRecord/Events/Event[1]"]
    report = PackageReport("x.edp", findings=[finding("K076", loc, event="换押", time="t") for loc in locs])
    assert [f.location[-9:] for f in report.sorted_findings()] == ["/Event[1]", "/Event[9]", "Event[10]"]


def test_keys_issue_names_the_right_check_character(pki, tmp_path):
    # GB 32100-2015 for 11440300MB2C33310: values 1 1 4 4 0 3 0 0 M=21 B=11 2 C=12 3 3 3 1 0 times the weights
    # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 → 1327; 1327 mod 31 = 25; 31 − 25 = 6
    res = run("keys", "issue", pki, "--role", "police", "--name", "某单位", "--credit-code", "11440300MB2C333107",
              "-o", tmp_path / "x.p12")
    assert res.exit_code == 2
    assert "its check character is 7, GB 32100 gives 6" in res.output
    res = run("keys", "issue", pki, "--role", "police", "--name", "某单位", "--credit-code", "11440300MB2C333107",
              "-o", tmp_path / "x.p12", lang="zh-CN")
    assert "校验码为 7，按 GB 32100 应为 6" in res.output
    assert not (tmp_path / "x.p12").exists()


def test_receipt_texts_show_beijing_time(pki, three_layers, tmp_path):
    trust = ["--trust", pki / "trustlist.xml", "--trust-anchor", pki / "trust-anchor.pem"]
    receipt = tmp_path / "r.edr"
    package = three_layers["packages"][0]
    res = run("receipt", package, "--signer", pki / "procuratorate.p12", *trust, "-o", receipt)
    assert res.exit_code == 0, res.output
    [shown] = re.findall(r"at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \+08:00, verdict accept", res.output)
    # the receipt's own time (ISO 8601 in the JSON) is the same instant
    import json
    res = run("validate-receipt", receipt, *trust, "--format", "json")
    received = dt.datetime.fromisoformat(json.loads(res.output)["receipt"]["received"])
    beijing = received.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert shown == beijing.strftime("%Y-%m-%d %H:%M:%S")
    res = run("validate-receipt", receipt, *trust, "--package", package)
    assert res.exit_code == 0 and f"· {shown} +08:00 ·" in res.output
    res = CliRunner().invoke(main, ["--lang", "en", "--tz", "UTC", "validate-receipt", *map(str, [receipt, *trust])])
    assert f"· {received.astimezone(dt.timezone.utc).strftime('%Y-%m-%d %H:%M:%S')} +00:00 ·" in res.output


def test_conformance_case_filter(tmp_path):
    res = run("conformance", "--case", "good/*", "--case", "warn/*K076*", "-o", tmp_path / "c.txt")
    assert res.exit_code == 0, res.output
    # the corpus has 9 good cases (7, and 2 SM2 ones since issue 20) and one K076 warn case
    assert "10 case(s): 10 passed" in res.output
    text = (tmp_path / "c.txt").read_text("utf-8")
    assert "K076" in text and "bad/" not in text
    res = run("conformance", "--case", "no-such-case")
    assert res.exit_code == 2 and "no case of" in res.output


def test_trust_show_says_an_entry_without_dates_has_no_time_limit(pki, tmp_path):
    import shutil

    work = tmp_path / "pki"
    shutil.copytree(pki, work)
    tl, op = work / "trustlist.xml", ["--operator", work / "trustlist-operator.p12"]
    res = run("trust", "add-agency", tl, "--name", "深圳市公安局交通警察支队", "--credit-code", "11440300MB2C333106",
              "--role", "police", "--ca", work / "ca-police.pem", "--ca", work / "root-ca.pem", *op)
    assert res.exit_code == 0, res.output
    anchor = ["--trust-anchor", work / "trust-anchor.pem"]
    en = run("trust", "show", tl, *anchor).output
    block = en[en.index("深圳市公安局交通警察支队"):]
    assert "in force with no time limit" in block and " - … -" not in en
    zh = run("trust", "show", tl, *anchor, lang="zh-CN").output
    assert "有效期不限" in zh[zh.index("深圳市公安局交通警察支队"):]
    # the demo agencies have both dates: shown as they are
    assert re.search(r"in force \d{4}-\d\d-\d\d \d\d:\d\d \+08:00 … \d{4}-", en)  # Beijing time


from test_caserules_packages import sample_package  # noqa: E402,F401 - session fixture: the bundled sample


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_deadlines_fit_80_columns_without_splitting_words(sample_package, lang):  # noqa: F811
    from rich.cells import cell_len

    res = CliRunner().invoke(main, ["--lang", lang, "deadlines", str(sample_package[-1])], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    assert max(cell_len(line) for line in res.output.splitlines()) <= 80
    lines = [line.strip() for line in res.output.splitlines()]
    if lang == "en":
        # each period's name on a line of its own, whole; its end and how it closed beside their labels
        assert "prosecution review" in lines and "first-instance trial" in lines
        assert "State        closed in time (提起公诉 2026-11-13 15:00 +08:00)" in lines
        assert "End          2026-11-21" in lines
    else:
        assert "审查起诉期限" in lines
        assert "状态      按期办结（提起公诉 2026-11-13 15:00 +08:00）" in lines
