"""validate with checks="integrity" (`edossier validate --integrity-only`): container, records, digests and
signatures are still checked; the PDF/A checks of each document and the case rules are not."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from edossier.cli.main import main
from edossier.demo.run import tamper_member
from edossier.validation.pipeline import validate_package


def _must_not_run(*args, **kwargs):
    raise AssertionError("integrity-only validation ran a document or case check")


def test_integrity_only_skips_document_and_case_checks(three_layers, trust, monkeypatch):
    full = validate_package(three_layers["packages"][-1], trust=trust)
    monkeypatch.setattr("edossier.validation.documents.check_document", _must_not_run)
    monkeypatch.setattr("edossier.caserules.check.check_case", _must_not_run)
    report = validate_package(three_layers["packages"][-1], trust=trust, checks="integrity")
    assert report.verdict == "accept" == full.verdict
    assert [lr.signature.indication for lr in report.layers] == ["TOTAL_PASSED"] * 3
    assert not [f for f in report.findings if f.stage in ("document", "case")]


def test_integrity_only_still_rejects_a_changed_byte(three_layers, trust, tmp_path):
    bad = tmp_path / "bad.edp"
    member = tamper_member(three_layers["packages"][-1], bad, prefix="documents/001/")
    report = validate_package(bad, trust=trust, checks="integrity")
    assert report.verdict == "reject"
    assert any(f.code == "I001" and f.location == member for f in report.findings)


def test_unknown_checks_value(three_layers, trust):
    with pytest.raises(ValueError):
        validate_package(three_layers["packages"][-1], trust=trust, checks="fast")


def test_cli_integrity_only(three_layers, pki, tmp_path):
    bad = tmp_path / "bad.edp"
    tamper_member(three_layers["packages"][-1], bad, prefix="documents/001/")
    runner = CliRunner()
    args = ["validate", "--trust", str(pki / "trustlist.xml"), "--integrity-only", "--jobs", "1"]
    good = runner.invoke(main, [*args, str(three_layers["packages"][-1])], catch_exceptions=False)
    assert good.exit_code == 0, good.output
    rejected = runner.invoke(main, [*args, str(bad)], catch_exceptions=False)
    assert rejected.exit_code == 1 and "I001" in rejected.output
