"""Receipts: signed by the receiver, bound to one package, checked against the trust list."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from edossier.receipt import ReceiptError, make_receipt, validate_receipt


def test_receipt_round_trip(three_layers, creds, trust, tmp_path):
    p1, p2, p3 = three_layers["packages"]
    out = tmp_path / "r.edr"
    r = make_receipt(p2, out, creds["court"], trust=trust, note="已收到")
    assert r.verdict == "accept" and r.layers == 2 and r.receiver_role == "court"
    check = validate_receipt(out, trust=trust, package=p2)
    assert check.verdict == "accept", [f.code for f in check.findings]
    assert check.receipt == r
    assert check.signature.indication == "TOTAL_PASSED"
    # the same receipt does not fit another package
    other = validate_receipt(out, trust=trust, package=p3)
    assert other.verdict == "reject" and "I005" in {f.code for f in other.findings}


def test_receipt_for_rejected_package_records_findings(three_layers, creds, trust, tmp_path):
    from edossier.demo import tamper_member

    bad = tmp_path / "bad.edp"
    tamper_member(three_layers["packages"][-1], bad, prefix="documents/001/")
    r = make_receipt(bad, tmp_path / "r.edr", creds["procuratorate"], trust=trust)
    assert r.verdict == "reject" and ("I001", "error") in {(c, s) for c, s, _ in r.findings}
    assert validate_receipt(tmp_path / "r.edr", trust=trust, package=bad).verdict == "accept"


def test_forged_and_edited_receipts(three_layers, creds, trust, tmp_path):
    p = three_layers["packages"][0]
    good = tmp_path / "good.edr"
    make_receipt(p, good, creds["procuratorate"], trust=trust)
    # edit the verdict inside receipt.xml: the manifest digest no longer matches
    edited = tmp_path / "edited.edr"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(edited, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "receipt.xml":
                data = data.replace(b'value="accept"', b'value="reject"')
            zout.writestr(info, data)
    assert "I001" in {f.code for f in validate_receipt(edited, trust=trust).findings}
    # claims to come from the court but is signed by the procuratorate
    r_xml = zipfile.ZipFile(good).read("receipt.xml").replace(b'role="procuratorate"', b'role="court"')
    assert b'role="court"' in r_xml
    with pytest.raises(ReceiptError):
        make_receipt(p, tmp_path / "x.edr", creds["police"], trust=trust, role="court")


def test_receipt_cli(three_layers, pki, tmp_path):
    out = tmp_path / "r.edr"
    run = lambda *a: subprocess.run([sys.executable, "-m", "edossier.cli.main", *map(str, a)],  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    res = run("receipt", three_layers["packages"][1], "--signer", pki / "court.p12", "--trust",
              pki / "trustlist.xml", "-o", out)
    assert res.returncode == 0, res.stderr
    res = run("validate-receipt", out, "--trust", pki / "trustlist.xml", "--package", three_layers["packages"][1],
              "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    data = json.loads(res.stdout)
    assert data["valid"] and data["receipt"]["verdict"] == "accept" and data["receipt"]["layers"] == 2
    res = run("validate-receipt", out, "--trust", pki / "trustlist.xml", "--package", three_layers["packages"][2])
    assert res.returncode == 1 and "I005" in res.stdout
    res = run("validate-receipt", three_layers["packages"][0], "--trust", pki / "trustlist.xml")
    assert res.returncode == 1 and "Traceback" not in res.stderr
