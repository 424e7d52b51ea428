"""The conformance corpus (samples/corpus/) and `edossier conformance` (docs/conformance.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from edossier.cli.main import main
from edossier.conformance import CLASSES, default_corpus
from edossier.conformance.cases import CASES
from edossier.conformance.generate import generate
from edossier.conformance.run import judge, load_corpus, run_in_process
from edossier.findings import registry
from edossier.resources import schema_bytes

CORPUS = default_corpus()

#: Codes that no package can trigger, with the reason; every other error code needs a bad case, every
#: other warning or info code a warn case.
NOT_PACKAGE_CODES = {
    "X001": "reports a failure of the validator itself (a crash, a dead worker process), not a defect of the package",
    "X002": "could not check: the record stage itself failed (a validator bug), not a defect of the package",
    "X003": "could not check: the integrity stage itself failed (a validator bug), not a defect of the package",
    "X004": "could not check: the signature verifier itself failed (a validator bug), not a defect of the package",
    "X006": "could not check: a case-rule group itself failed (a validator bug), not a defect of the package",
    "X007": "a missing fact with no finding left to explain it: only after a policy lowered that finding",
    "S010": "build-source only: a problem of dossier.toml or a scan that edossier lint / build report (docs/builder.md#lint)",
    "S008": "receipt-only: a receipt (回执, .edr) that is not valid (docs/signatures.md#receipt)",
    "I005": "receipt-only: a receipt that names another package (docs/signatures.md#receipt)",
    "X005": "needs a document over 512 MiB, or an internal error of the PDF checker; too large for the corpus",
    **{code: "receipt-only: a receipt (回执, .edr) that does not bind the package it is checked against, or "
              "its proof of existence (docs/spec.md#rc-receipt)" for code in ("R001", "R002", "R003", "R004", "R005", "R006",
                                                              "R007", "R008", "R009")},
    **{f"N{n:03d}": "exchange node only: a request the node refuses (docs/serve.md#n-auth, #n-upload), "
                    "tests/test_serve.py" for n in (5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)},
    "N020": "exchange node only: a page image of a document or page that does not exist (docs/serve.md#viewer), "
            "tests/test_serve_pages.py",
    "N021": "exchange node only: a page image that cannot be drawn (docs/serve.md#viewer), tests/test_serve_pages.py",
    "N022": "exchange node only: an upload that stalls or trickles (docs/serve.md#n-upload), tests/test_serve_slow.py",
}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def outcomes(corpus):
    return run_in_process(corpus, jobs=2)


def test_corpus_passes_in_process(outcomes):
    failed = [(o.case.id, o.problems) for o in outcomes if not o.passed]
    assert not failed, failed
    assert len(outcomes) >= 60


def test_every_error_code_has_a_bad_case(corpus):
    errors = {code for code, c in registry().items() if c.severity == "error"}
    covered = {code for c in corpus.cases if c.klass == "bad" for code in c.required}
    missing = sorted(errors - covered - set(NOT_PACKAGE_CODES))
    assert not missing, f"error codes without a bad case in samples/corpus: {missing} (add a case to " \
                        "src/edossier/conformance/cases_*.py, or to NOT_PACKAGE_CODES with the reason)"
    stale = sorted(c for c in NOT_PACKAGE_CODES if c not in registry() or c in covered)
    assert not stale, f"NOT_PACKAGE_CODES lists codes that are not (or no longer) uncovered error codes: {stale}"


#: Warnings about the run, not about a package: no package can carry them.
NOT_PACKAGE_WARNINGS = {
    "T001": "the trust list was used unverified (--allow-unsigned-trust): tests/test_trustlist_signed.py",
    "T002": "the trust list was used past its nextUpdate (--allow-expired-trust): tests/test_trustlist_signed.py",
    "K074": "the embedded organisation-code check runs only with check_case(organization_code=True), never in "
            "validate: tests/test_idcodes.py",
    **{f"N00{n}": "exchange node only: the case's history at a node, not one package (docs/serve.md#n-history), "
                  "tests/test_serve.py" for n in (1, 2, 3, 4)},
}


def test_warning_codes_have_warn_cases(corpus):
    others = {code for code, c in registry().items() if c.severity != "error"}
    covered = {code for c in corpus.cases if c.klass == "warn" for code in c.required}
    assert not sorted(others - covered - set(NOT_PACKAGE_CODES) - set(NOT_PACKAGE_WARNINGS))


def test_expected_files_are_valid(corpus):
    schema = json.loads(schema_bytes("conformance-expected.schema.json"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    known = registry()
    on_disk = sorted(f"{k}/{p.name}" for k in CLASSES for p in (CORPUS / k).iterdir() if p.is_dir())
    assert on_disk == sorted(c.id for c in corpus.cases), "corpus.json and the case folders disagree"
    for c in corpus.cases:
        data = json.loads((c.folder / "expected.json").read_text("utf-8"))
        validator.validate(data)
        assert c.package.is_file() and (c.folder / "README.md").read_text("utf-8").count("\n") == 1
        assert all(code in known for code in data["required_codes"] + data["allowed_codes"]), c.id
        assert c.folder.name.split("_")[0] == ("+".join(data["required_codes"]) or "none")
        severities = {known[code].severity for code in data["required_codes"]}
        if c.klass == "good":
            assert data == {"verdict": "accept", "required_codes": [], "allowed_codes": []}, c.id
        elif c.klass == "warn":
            assert data["verdict"] == "accept" and severities and "error" not in severities, c.id
        else:
            assert data["verdict"] == "reject" and "error" in severities, c.id


def test_corpus_stays_small():
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert total < 3 * 1024 * 1024, f"samples/corpus is {total} bytes"


def test_judge():
    from edossier.conformance.run import CorpusCase

    c = CorpusCase("bad/I001_x", "bad", Path("."), "reject", ("I001",), ("D003",))
    assert judge(c, "reject", {"I001": "error", "D003": "error"}) == []
    assert judge(c, "reject", None) == []  # a validator that reports no codes is judged by verdict only
    assert judge(c, "accept", None) == ["verdict accept, expected reject"]
    assert judge(c, "reject", {"I003": "error"}) == ["missing I001", "unexpected I003"]


def test_cli_in_process_junit(tmp_path):
    out = tmp_path / "conformance.xml"
    res = CliRunner().invoke(main, ["--lang", "en", "conformance", "--format", "junit", "-o", str(out), "-j", "2"])
    assert res.exit_code == 0, res.output
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites" and root.get("failures") == "0"
    assert int(root.get("tests")) == len(CASES)
    assert {s.get("name") for s in root.iter("testsuite")} == {f"conformance.{k}" for k in CLASSES}


def small_corpus(tmp_path: Path, ids: list[str]) -> Path:
    """A copy of the corpus with only the cases `ids` (and its trust list)."""
    dst = tmp_path / "corpus"
    dst.mkdir()
    shutil.copy(CORPUS / "trustlist.xml", dst / "trustlist.xml")
    shutil.copy(CORPUS / "trust-anchor.pem", dst / "trust-anchor.pem")
    index = json.loads((CORPUS / "corpus.json").read_text("utf-8"))
    index["cases"] = [c for c in index["cases"] if c["id"] in ids]
    assert len(index["cases"]) == len(ids)
    for c in index["cases"]:
        shutil.copytree(CORPUS / c["id"], dst / c["id"])
    (dst / "corpus.json").write_text(json.dumps(index, ensure_ascii=False), "utf-8")
    return dst


SOME = ["good/none_minimal", "warn/C014_deflated-pdf", "bad/I001_document-changed", "bad/G005_signer-revoked",
        "bad/C101_prepended-data"]


def test_third_party_validator_mode(tmp_path):
    small = small_corpus(tmp_path, SOME)
    ours = f'"{sys.executable}" -m edossier.cli.main validate {{pkg}} --trust {{trust}} --trust-anchor {{anchor}} --at {{at}} --format json -j 1'
    res = subprocess.run([sys.executable, "-m", "edossier.cli.main", "--lang", "en", "conformance", "--corpus",
                          str(small), "--validator", ours, "--format", "junit"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    root = ET.fromstring(res.stdout)
    assert root.get("tests") == str(len(SOME)) and root.get("failures") == "0"
    # the JSON report was parsed: codes are shown
    assert "codes=I001" in res.stdout


def test_third_party_validator_that_accepts_everything_fails(tmp_path):
    small = small_corpus(tmp_path, SOME)
    yes = f'"{sys.executable}" -c "import sys; sys.exit(0)" {{pkg}}'
    res = CliRunner().invoke(main, ["--lang", "en", "conformance", "--corpus", str(small), "--validator", yes])
    assert res.exit_code == 1
    assert "3 failed" in res.output or "3 failed" in (res.stderr if res.stderr_bytes else "")
    res = CliRunner().invoke(main, ["conformance", "--corpus", str(small), "--validator", "true"])
    assert res.exit_code == 2  # no {pkg}
    res = CliRunner().invoke(main, ["conformance", "--corpus", str(tmp_path / "nothing")])
    assert res.exit_code == 2


def test_regeneration_is_reproducible(tmp_path):
    """The committed corpus is what the generator makes from the committed PKI, byte for byte."""
    out = tmp_path / "corpus"
    shutil.copytree(CORPUS / "pki", tmp_path / "pki")
    generate(out, pki=tmp_path / "pki")
    assert (out / "corpus.json").read_bytes() == (CORPUS / "corpus.json").read_bytes()
    assert (out / "trustlist.xml").read_bytes() == (CORPUS / "trustlist.xml").read_bytes()
    differ = []
    for c in CASES:
        for name in ("expected.json", "README.md", "package.edp"):
            if (out / c.id / name).read_bytes() != (CORPUS / c.id / name).read_bytes():
                differ.append(f"{c.id}/{name}")
    assert not differ, f"regenerate the corpus (python -m edossier.conformance.generate): {differ}"
    assert sorted(p.name for p in (tmp_path / "pki").iterdir()) == sorted(p.name for p in (CORPUS / "pki").iterdir())
