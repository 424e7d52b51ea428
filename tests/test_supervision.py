"""Supervision findings are not a reason to refuse a dossier (issue #15).

A period that ran out (K050, K051) or is about to (K052) is a fact about the case that the receiving
agency must see first and act on; the package itself is sound. Under the default policy such a package is
ACCEPTed, the findings come first in every report and are counted; a policy may still make them FAIL.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from rich.console import Console

from conftest import make_source
from edossier.building.pipeline import build_package
from edossier.findings import SEVERITIES, finding, registry, supervision_codes
from edossier.policy import Policy, load_policy
from edossier.building.preflight import SUPERVISION
from edossier.report.html import render_html
from edossier.report.junit import render_junit
from edossier.report.sarif import render_sarif
from edossier.report.text import render_text
from edossier.validation.pipeline import validate_package

CST = dt.timezone(dt.timedelta(hours=8))
WHEN = dt.datetime(2026, 11, 2, 9, 0, tzinfo=CST)


def test_registry_gives_the_period_codes_their_own_severity():
    assert "supervision" in SEVERITIES
    # the period codes, and the exchange node's case-history codes (rollback, divergence: docs/serve.md)
    assert supervision_codes() == {"K050", "K051", "K052", "N001", "N002"} == SUPERVISION
    assert all(registry()[c].severity == "supervision" for c in ("K050", "K051", "K052"))
    assert Policy().level("K051") == "SUPERVISE"
    # --strict raises warnings, not supervision findings
    assert Policy().with_options(strict=True).level("K051") == "SUPERVISE"


@pytest.fixture(scope="module")
def overdue(tmp_path_factory, agencies, creds, trust):
    """A police layer whose detention of 1 Oct 2026 09:00 is never followed by anything: the 3-day period of
    CPL 2018 Art. 91 para 1 ends at the end of 4 Oct (1 Oct not counted: 2, 3, 4 Oct); judged at 2 Nov it
    has run out (K051). A second, package defect-free otherwise."""
    tmp = tmp_path_factory.mktemp("sup")
    src = make_source(tmp / "src", agencies["police"], docs=[("d1", "拘留证", 1)],
                      extra='[[events]]\ntype = "拘留"\ntime = 2026-10-01T09:00:00+08:00\n')
    out = tmp / "o.edp"
    build_package(src, out, creds["police"], created=WHEN)
    return out


def test_overdue_package_is_accepted_and_the_finding_comes_first(overdue, trust):
    rep = validate_package(overdue, trust=trust)
    sup = [f for f in rep.findings if f.code == "K051"]
    assert sup and sup[0].severity == "supervision"
    assert "2026-10-04" in sup[0].message_en  # 1 Oct + 3 days (Art. 91 para 1)
    assert rep.verdict == "accept", [(f.code, f.severity) for f in rep.findings]
    ordered = rep.sorted_findings()
    assert ordered[0].severity == "supervision"
    d = rep.to_dict()
    assert d["counts"]["supervision"] >= 1 and d["findings"][0]["code"] in SUPERVISION


def test_a_policy_can_make_supervision_findings_errors(overdue, trust, tmp_path):
    p = tmp_path / "strict-intake.toml"
    p.write_text('name = "overdue refused"\n[levels]\nK051 = "FAIL"\n', "utf-8")
    rep = validate_package(overdue, trust=trust)
    rep.findings = load_policy(p).apply(rep.findings)
    rep.settle()
    assert rep.verdict == "reject" and any(f.code == "K051" and f.severity == "error" for f in rep.findings)
    # and back: SUPERVISE is a level of its own
    p.write_text('[levels]\nK051 = "SUPERVISE"\n', "utf-8")
    assert load_policy(p).level("K051") == "SUPERVISE"


def test_every_renderer_shows_supervision_first(overdue, trust):
    rep = validate_package(overdue, trust=trust)
    # a warning of an earlier stage (container) goes before it in stage order: supervision must still lead
    rep.findings = [finding("C014", "documents/001/0001.pdf")] + rep.findings
    assert registry()["C014"].severity == "warning"
    for lang, word in (("en", "Supervision"), ("zh-CN", "监督事项")):
        console = Console(record=True, width=200)
        render_text([rep], console, lang)
        text = console.export_text()
        assert word in text
        first_code = next(line.split()[0] for line in text.splitlines()
                          if line.strip() and line.strip().split()[0][:1] in "CSIGDKXR"
                          and line.strip().split()[0][1:].isdigit())
        assert first_code in SUPERVISION, text
    html = render_html([rep], thumbnails=False)
    assert html.index('class="supervision"') < html.index("<h2", html.index("findings"))
    sarif = json.loads(render_sarif([rep]))
    results = sarif["runs"][0]["results"]
    assert results[0]["ruleId"] in SUPERVISION and results[0]["level"] == "warning"
    assert results[0]["properties"]["severity"] == "supervision"
    root = ET.fromstring(render_junit([rep]).encode("utf-8"))
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert int(props["supervisions"]) >= 1
    assert root.get("failures") == "0"  # not a failure of the package


def test_receipt_records_a_supervision_finding_and_validates(overdue, trust, creds, tmp_path):
    """The receipt schema (receipt-0.2.xsd) knows the severity: a receipt for an overdue but sound package
    says accept, lists K051 as supervision, and checks against the package."""
    from edossier.receipt import make_receipt, validate_receipt

    out = tmp_path / "r.edr"
    receipt = make_receipt(overdue, out, creds["court"], trust=trust)
    assert receipt.verdict == "accept"
    assert ("K051", "supervision") in {(c, s) for c, s, _ in receipt.findings}
    check = validate_receipt(out, trust=trust, package=overdue)
    assert check.receipt is not None and check.receipt.findings == receipt.findings
    assert not [f for f in check.findings if f.severity == "error"], check.findings
