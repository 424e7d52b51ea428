"""Receipts (format 0.2): signed by the receiver, bound to the whole package file, checked against the
trust list, re-validating the package, and usable as a proof of existence (issue #13 items 5 and 6)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from edossier.idcodes import credit_code_check_char
from edossier.policy import Policy
from edossier.receipt import (ReceiptError, make_receipt, receipt_proof, validate_receipt, write_receipt,
                              write_receipt_xml)


def codes(check) -> set[str]:
    return {f.code for f in check.findings}


def error_codes(findings) -> set[str]:
    return {f.code for f in findings if f.severity == "error"}


@pytest.fixture(scope="module")
def receipt2(three_layers, creds, trust, tmp_path_factory):
    """The court's receipt for the two-layer package (police → procuratorate)."""
    out = tmp_path_factory.mktemp("receipt") / "r2.edr"
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    r = make_receipt(three_layers["packages"][1], out, creds["court"], trust=trust, note="已收到")
    after = dt.datetime.now(dt.timezone.utc)
    return {"path": out, "receipt": r, "before": before, "after": after}


def rewrite(src, dst, *, drop=lambda name: False, add=()):
    """Copy a package member by member (same order, compression and dates), dropping and adding some."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if not drop(info.filename):
                zout.writestr(info, zin.read(info))
        for name, data in add:
            zout.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 2, 0, 0, 0)), data)
    return dst


def test_receipt_round_trip_binds_every_manifest_and_signature(three_layers, receipt2, trust):
    p2 = three_layers["packages"][1]
    r = receipt2["receipt"]
    assert r.verdict == "accept" and r.layers == 2 and r.receiver_role == "court" and r.policy == "default"
    raw = p2.read_bytes()
    assert (r.package_size, r.package_sha256) == (len(raw), hashlib.sha256(raw).digest())
    with zipfile.ZipFile(p2) as zf:
        expected = {n: hashlib.sha256(zf.read(n)).digest() for n in zf.namelist() if n.startswith("META-INF/")}
    assert {m.name: m.sha256 for m in r.members} == expected
    assert {m.name: m.kind for m in r.members} == {
        "META-INF/ASiCManifest001.xml": "manifest", "META-INF/ASiCManifest002.xml": "manifest",
        "META-INF/signature001.p7s": "signature", "META-INF/signature002.p7s": "signature"}
    check = validate_receipt(receipt2["path"], trust=trust, package=p2)
    assert check.verdict == "accept", [f.code for f in check.findings]
    assert check.receipt == r and check.binds is True and check.package_verdict == "accept"
    assert check.signature.indication == "TOTAL_PASSED"


def test_changed_document_after_the_receipt(three_layers, receipt2, trust, tmp_path):
    from edossier.demo.run import tamper_member

    bad = tmp_path / "bad.edp"
    tamper_member(three_layers["packages"][1], bad, prefix="documents/")
    check = validate_receipt(receipt2["path"], trust=trust, package=bad)
    assert check.verdict == "reject" and {"R001", "R005"} <= codes(check)
    assert check.package_verdict == "reject" and "I001" in error_codes(check.package_report.findings)


def test_junk_later_layer_added_after_the_receipt(three_layers, receipt2, trust, tmp_path):
    junk = rewrite(three_layers["packages"][1], tmp_path / "junk.edp",
                   add=[("META-INF/ASiCManifest003.xml", b"<junk/>"), ("META-INF/signature003.p7s", b"\x30\x00")])
    check = validate_receipt(receipt2["path"], trust=trust, package=junk)
    assert check.verdict == "reject" and check.binds is False
    r003 = {f.location for f in check.findings if f.code == "R003"}
    assert r003 == {"META-INF/ASiCManifest003.xml", "META-INF/signature003.p7s"} and "R001" in codes(check)


def test_all_documents_removed_after_the_receipt(three_layers, receipt2, trust, tmp_path):
    bare = rewrite(three_layers["packages"][1], tmp_path / "bare.edp",
                   drop=lambda n: n.startswith("documents/"))
    with zipfile.ZipFile(bare) as zf:
        assert not [n for n in zf.namelist() if n.startswith("documents/")]
    check = validate_receipt(receipt2["path"], trust=trust, package=bare)
    # manifests and signatures are untouched, so only the whole-file digest and today's verdict catch it
    assert check.verdict == "reject" and {"R001", "R005"} <= codes(check)
    assert not {"R002", "R003", "R004"} & codes(check)
    assert "I002" in error_codes(check.package_report.findings)


def test_receipt_of_one_package_never_fits_another_of_the_same_case(three_layers, creds, receipt2, trust, tmp_path):
    p2, p3 = three_layers["packages"][1], three_layers["packages"][2]
    later = validate_receipt(receipt2["path"], trust=trust, package=p3)
    assert later.verdict == "reject" and {"R001", "R003"} <= codes(later)
    assert {f.location for f in later.findings if f.code == "R003"} == {"META-INF/ASiCManifest003.xml",
                                                                        "META-INF/signature003.p7s"}
    r3 = tmp_path / "r3.edr"
    make_receipt(p3, r3, creds["justice"], trust=trust)
    earlier = validate_receipt(r3, trust=trust, package=p2)
    assert earlier.verdict == "reject" and {"R001", "R004"} <= codes(earlier)
    # a second build of the same source is another package: its signatures differ
    from edossier.building.pipeline import build_package

    again = tmp_path / "again.edp"
    build_package(three_layers["sources"][0], again, creds["police"])
    r1 = tmp_path / "r1.edr"
    make_receipt(three_layers["packages"][0], r1, creds["procuratorate"], trust=trust)
    other = validate_receipt(r1, trust=trust, package=again)
    assert other.verdict == "reject" and {"R001", "R002"} <= codes(other)


def test_receipt_for_rejected_package_records_findings(three_layers, creds, trust, tmp_path):
    from edossier.demo.run import tamper_member

    bad = tmp_path / "bad.edp"
    tamper_member(three_layers["packages"][-1], bad, prefix="documents/001/")
    r = make_receipt(bad, tmp_path / "r.edr", creds["procuratorate"], trust=trust)
    assert r.verdict == "reject" and ("I001", "error") in {(c, s) for c, s, _ in r.findings}
    # a valid receipt that records a rejection: today's validation agrees, so the receipt is valid
    check = validate_receipt(tmp_path / "r.edr", trust=trust, package=bad)
    assert check.verdict == "accept" and check.receipt.verdict == "reject" and check.package_verdict == "reject"


def test_verdicts_that_disagree(three_layers, creds, trust, tmp_path):
    """A receipt made under a stricter policy than today's: the verdicts differ (R005). (A policy can no
    longer make a changed package acceptable — a missing fact always rejects — so the package here has only
    a warning: a PDF stored deflated, C014, which the court's policy makes an error.)"""
    from attacks import rawzip

    members = rawzip.from_zip(three_layers["packages"][0])
    for m in members:
        if m.name == b"documents/001/0002.pdf":
            m.method = 8  # deflated: C014 warning, same bytes, same digest
    warned = tmp_path / "warned.edp"
    warned.write_bytes(rawzip.build(members))
    strict = Policy("court", {"C014": "FAIL"})
    r = make_receipt(warned, tmp_path / "r.edr", creds["procuratorate"], trust=trust, policy=strict)
    assert r.verdict == "reject" and r.policy == "court"
    check = validate_receipt(tmp_path / "r.edr", trust=trust, package=warned)
    assert check.binds is True and check.verdict == "reject" and codes(check) == {"R005"}
    assert validate_receipt(tmp_path / "r.edr", trust=trust, package=warned, policy=strict).verdict == "accept"


def test_package_changed_while_being_validated(three_layers, creds, receipt2, trust, tmp_path, monkeypatch):
    import edossier.validation.pipeline

    pkg = tmp_path / "moving.edp"
    shutil.copyfile(three_layers["packages"][1], pkg)
    original = edossier.validation.pipeline.validate_package

    def validate_then_change(path, **kw):
        report = original(path, **kw)
        with open(path, "ab") as fh:  # e.g. another process still writing the file
            fh.write(b"\0")
        return report

    monkeypatch.setattr(edossier.validation.pipeline, "validate_package", validate_then_change)
    check = validate_receipt(receipt2["path"], trust=trust, package=pkg)
    assert check.verdict == "reject" and "R009" in codes(check) and check.binds is True
    with pytest.raises(ReceiptError):
        make_receipt(pkg, tmp_path / "never.edr", creds["court"], trust=trust)
    assert not (tmp_path / "never.edr").exists()


def test_receipt_edited_after_signing(receipt2, trust, tmp_path):
    edited = tmp_path / "edited.edr"
    with zipfile.ZipFile(receipt2["path"]) as zin, zipfile.ZipFile(edited, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "receipt.xml":
                assert b'value="accept"' in data
                data = data.replace(b'value="accept"', b'value="reject"')
            zout.writestr(info, data)
    check = validate_receipt(edited, trust=trust)
    assert check.verdict == "reject" and "I001" in codes(check)


def test_receipt_signed_by_an_agency_not_in_the_trust_list(three_layers, receipt2, pki, creds, trust, tmp_path):
    code = "12440300MB2C3D4E5" + credit_code_check_char("12440300MB2C3D4E5")
    assert trust.find(code, "court") is None
    from edossier.demo.pki import issue_in_demo

    from edossier.signing.cades import load_credential

    issue_in_demo(pki, "court", "某外地法院", code, tmp_path / "outsider.p12")
    outsider = load_credential(tmp_path / "outsider.p12")
    with pytest.raises(ReceiptError):
        make_receipt(three_layers["packages"][1], tmp_path / "x.edr", outsider, trust=trust)
    r = receipt2["receipt"]
    # naming itself: not in the trust list
    own = tmp_path / "own.edr"
    write_receipt(dataclasses.replace(r, receiver_name="某外地法院", receiver_code=code), own, outsider)
    check = validate_receipt(own, trust=trust, package=three_layers["packages"][1])
    assert check.verdict == "reject" and "G004" in codes(check)
    # naming the real court, signed with the outsider's certificate (same issuing CA)
    posing = tmp_path / "posing.edr"
    write_receipt(r, posing, outsider)
    check = validate_receipt(posing, trust=trust, package=three_layers["packages"][1])
    assert check.verdict == "reject" and check.signature.indication != "TOTAL_PASSED"
    assert "G009" in codes(check)
    assert receipt_proof(posing, three_layers["packages"][1], trust=trust).time is None


def test_receipt_of_version_0_1_is_refused(receipt2, creds, trust, tmp_path):
    xml = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Receipt xmlns="urn:edossier:receipt:0.1" version="0.1" '
           b'received="2026-11-03T10:00:00+08:00"><Package name="2.edp" layers="2" '
           b'manifest="META-INF/ASiCManifest002.xml" manifestSha256="' + b"A" * 43 + b'="/></Receipt>')
    old = tmp_path / "old.edr"
    write_receipt_xml(xml, old, creds["court"], date_time=dt.datetime(2026, 11, 3, tzinfo=dt.timezone.utc))
    check = validate_receipt(old, trust=trust)
    assert check.verdict == "reject" and "R006" in codes(check)


def test_receipt_proof_of_existence(three_layers, receipt2, trust, tmp_path):
    p2, p3 = three_layers["packages"][1], three_layers["packages"][2]
    proof = receipt_proof(receipt2["path"], p3, trust=trust)
    # no TSA in the demo credentials: the receiver's signed signing-time is the proven time
    assert proof.source == "signing-time" and proof.time is not None
    assert receipt2["before"] - dt.timedelta(seconds=1) <= proof.time <= receipt2["after"] + dt.timedelta(seconds=1)
    assert proof.covers == {1: True, 2: True, 3: False}
    assert proof.poe(1) == proof.time and proof.poe(3) is None
    assert "R008" in {f.code for f in proof.findings} and not error_codes(proof.findings)
    # a package whose signature002 is not the one the receipt names gets no proof for layer 2
    swapped = rewrite(p2, tmp_path / "swapped.edp", drop=lambda n: n == "META-INF/signature002.p7s",
                      add=[("META-INF/signature002.p7s", b"\x30\x03\x02\x01\x00")])
    assert receipt_proof(receipt2["path"], swapped, trust=trust).covers == {1: True, 2: False}


def test_edited_receipt_proves_nothing(three_layers, receipt2, trust, tmp_path):
    edited = tmp_path / "edited.edr"
    with zipfile.ZipFile(receipt2["path"]) as zin, zipfile.ZipFile(edited, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "receipt.xml":
                data = data.replace(b'role="court"', b'role="court" ')
            zout.writestr(info, data)
    proof = receipt_proof(edited, three_layers["packages"][1], trust=trust)
    assert proof.time is None and proof.poe(1) is None and "R007" in error_codes(proof.findings)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(where=st.floats(min_value=0, max_value=1, exclude_max=True), bit=st.integers(min_value=0, max_value=7))
def test_flipping_any_byte_of_the_package_breaks_the_receipt(three_layers, receipt2, trust, tmp_path_factory,
                                                             where, bit):
    data = bytearray(three_layers["packages"][1].read_bytes())
    i = int(where * len(data))
    data[i] ^= 1 << bit
    flipped = tmp_path_factory.mktemp("flip") / "flipped.edp"
    flipped.write_bytes(bytes(data))
    check = validate_receipt(receipt2["path"], trust=trust, package=flipped)
    # the file differs, so either its digest (R001) or, when it no longer opens as a package, I005
    assert check.verdict == "reject" and codes(check) & {"R001", "I005"}


def test_receipt_cli(three_layers, pki, tmp_path):
    out = tmp_path / "r.edr"
    run = lambda *a: subprocess.run([sys.executable, "-m", "edossier.cli.main", *map(str, a)],  # noqa: E731
                                    capture_output=True, text=True, timeout=180)
    p2, p3 = three_layers["packages"][1], three_layers["packages"][2]
    res = run("receipt", p2, "--signer", pki / "court.p12", "--trust", pki / "trustlist.xml", "-o", out)
    assert res.returncode == 0, res.stderr
    res = run("validate-receipt", out, "--trust", pki / "trustlist.xml", "--package", p2, "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    data = json.loads(res.stdout)
    assert data["valid"] and data["receipt"]["verdict"] == "accept" and data["receipt"]["layers"] == 2
    assert data["receipt"]["package_sha256"] == hashlib.sha256(p2.read_bytes()).hexdigest()
    assert data["package"]["binds"] is True and data["package"]["verdict_today"] == "accept"
    res = run("validate-receipt", out, "--trust", pki / "trustlist.xml", "--package", p3)
    assert res.returncode == 1 and "R001" in res.stdout and "R003" in res.stdout
    assert "today's verdict: ACCEPT" in res.stdout and "receipt's verdict: ACCEPT" in res.stdout
    res = run("--lang", "zh-CN", "validate-receipt", out, "--trust", pki / "trustlist.xml", "--package", p3)
    assert res.returncode == 1 and "回执无效" in res.stdout and "今日校验结论：接收" in res.stdout
    res = run("validate-receipt", three_layers["packages"][0], "--trust", pki / "trustlist.xml")
    assert res.returncode == 1 and "Traceback" not in res.stderr


def test_validate_with_receipt_reports_what_it_proves(three_layers, receipt2, pki):
    """`validate --receipt`: the receipt's proof of existence is part of the package's report (R008),
    and the option is refused for more than one package (exit 2)."""
    from edossier.cli.main import main
    from click.testing import CliRunner

    receipt = receipt2["path"]
    runner = CliRunner()
    res = runner.invoke(main, ["--lang", "en", "validate", str(three_layers["packages"][-1]), "--trust",
                               str(pki / "trustlist.xml"), "--receipt", str(receipt), "--format", "json"])
    assert res.exit_code == 0, res.output
    pkg = json.loads(res.output)["packages"][0]
    r008 = [f for f in pkg["findings"] if f["code"] == "R008"]
    assert len(r008) == 1 and "layers 1, 2" in r008[0]["message"]["en"]  # layer 3 came after the receipt
    res = runner.invoke(main, ["--lang", "en", "validate", *map(str, three_layers["packages"][:2]), "--trust",
                               str(pki / "trustlist.xml"), "--receipt", str(receipt)])
    assert res.exit_code == 2 and "exactly one package" in res.output


def test_no_receipt_is_written_with_a_revoked_credential(three_layers, tmp_path):
    """The receipt's own signature is judged as validate-receipt will judge it before the file exists:
    with the court's certificate revoked in the trust list's CRL, no receipt is written (and a receipt
    made without that check fails validate-receipt: the refusal is not stricter than the verifier)."""
    from edossier import load_credential
    from edossier.demo.pki import load_demo_trustlist, make_demo_pki, revoke_in_demo

    pki = make_demo_pki(tmp_path / "pki").out_dir
    court = load_credential(pki / "court.p12")
    from cryptography.hazmat.primitives.serialization import pkcs12

    serial = pkcs12.load_key_and_certificates((pki / "court.p12").read_bytes(), None)[1].serial_number
    revoke_in_demo(pki, "court", serial)
    trust = load_demo_trustlist(pki)
    out = tmp_path / "r.edr"
    with pytest.raises(ReceiptError) as exc:
        make_receipt(three_layers["packages"][1], out, court, trust=trust)
    assert "no receipt written" in exc.value.en and "未写入回执" in exc.value.zh
    assert not out.exists() and not list(tmp_path.glob(".r.edr*"))
    # the same receipt written without the check does not pass validate-receipt
    import edossier.receipt as receipt_module

    unchecked = tmp_path / "unchecked.edr"
    original = receipt_module._own_signature_check
    receipt_module._own_signature_check = lambda receiver, trust: None
    try:
        make_receipt(three_layers["packages"][1], unchecked, court, trust=trust)
    finally:
        receipt_module._own_signature_check = original
    assert validate_receipt(unchecked, trust=trust).verdict != "accept"
