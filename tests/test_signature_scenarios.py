"""Issue-3 acceptance scenarios not covered elsewhere: the no-CRL-DP pitfall, RSA-1024, OpenSSL
agreement on good and revoked signatures, a manifest swapped between layers, keys revoke/issue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import sys
import zipfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from edossier.demo import ca as dca
from edossier.demo import pki as dp
from edossier.signing.cades import load_credential, sign_manifest
from edossier.signing.cades_verify import verify_layer
from edossier.validation.pipeline import validate_package

MANIFEST = b'<?xml version="1.0"?><asic:ASiCManifest xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"/>'
POLICE = dp.DEMO_AGENCIES[0]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return dp.make_demo_pki(tmp_path_factory.mktemp("scen") / "pki")


def sign(cred: dca.IssuedCredential, folder, name="s.p12") -> bytes:
    dca.write_p12(cred, folder / name)
    return sign_manifest(load_credential(folder / name), MANIFEST)


def verify(p7s, trust, at=None):
    return verify_layer(1, p7s, MANIFEST, agency_name=POLICE.name, credit_code=POLICE.credit_code,
                        role="police", trust=trust, at=at)


def with_police_crls(trust, *crls):
    return dataclasses.replace(trust, agencies=tuple(
        dataclasses.replace(a, crls=tuple(crls)) if a.role == "police" else a for a in trust.agencies))


def test_revoked_signer_without_crl_distribution_point(demo, tmp_path):
    """SECURITY.md §1b: in soft/hard-fail modes pyhanko ignores CRLs for a certificate without a CRL DP."""
    ca = dataclasses.replace(demo.cas["police"], crl_url=None)
    cred = dca.issue_signer(ca, POLICE.name, POLICE.credit_code, role="police")
    assert not any(isinstance(e.value, x509.CRLDistributionPoints) for e in cred.cert.extensions)
    p7s = sign(cred, tmp_path)
    assert verify(p7s, demo.trustlist).indication == "TOTAL_PASSED"
    crl = dca.make_crl(demo.cas["police"], [(cred.cert.serial_number, dt.datetime.now(dt.timezone.utc))], crl_number=2)
    result = verify(p7s, with_police_crls(demo.trustlist, crl, demo.crls["root"]))
    assert [f.code for f in result.findings] == ["G005"] and result.indication != "TOTAL_PASSED"


def test_rsa_1024_signer_refused(demo, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    ca = demo.cas["police"]
    now = dt.datetime.now(dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, POLICE.name),
                         x509.NameAttribute(NameOID.COMMON_NAME, "weak"),
                         x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, POLICE.credit_code)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(dca.DEFAULT_SIGNER_KEY_USAGE, critical=True)
            .add_extension(x509.ExtendedKeyUsage(list(dca.DEFAULT_SIGNER_EKU)), critical=False)
            .sign(ca.key, hashes.SHA256()))
    cred = dca.IssuedCredential(cert=cert, key=key, chain=(ca.cert, *ca.chain), agency_name=POLICE.name,
                         credit_code=POLICE.credit_code, role="police")
    result = verify(sign(cred, tmp_path), demo.trustlist)
    assert [f.code for f in result.findings] == ["G010"]
    assert "1024" in result.findings[0].message_en
    assert (result.indication, result.sub_indication) == ("INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE")


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl not installed")
def test_openssl_crl_check_agrees(demo, tmp_path):
    good_cred = dca.issue_signer(demo.cas["police"], POLICE.name, POLICE.credit_code, role="police")
    bad_cred = dca.issue_signer(demo.cas["police"], POLICE.name, POLICE.credit_code, role="police")
    good, bad = sign(good_cred, tmp_path, "g.p12"), sign(bad_cred, tmp_path, "b.p12")
    crl = dca.make_crl(demo.cas["police"], [(bad_cred.cert.serial_number, dt.datetime.now(dt.timezone.utc))],
                      crl_number=2)
    trust = with_police_crls(demo.trustlist, crl, demo.crls["root"])
    cafile = tmp_path / "ca.pem"
    pem_crl = lambda der: x509.load_der_x509_crl(der).public_bytes(serialization.Encoding.PEM)  # noqa: E731
    cafile.write_bytes(demo.root.pem + demo.cas["police"].pem + pem_crl(crl) + pem_crl(demo.crls["root"]))
    (tmp_path / "m.xml").write_bytes(MANIFEST)
    verdicts = {}
    for name, p7s in (("good", good), ("revoked", bad)):
        (tmp_path / f"{name}.p7s").write_bytes(p7s)
        proc = subprocess.run(["openssl", "cms", "-verify", "-binary", "-purpose", "any", "-crl_check_all",
                               "-inform", "DER", "-in", str(tmp_path / f"{name}.p7s"), "-content",
                               str(tmp_path / "m.xml"), "-CAfile", str(cafile), "-out", "/dev/null"],
                              capture_output=True, text=True)
        ours = verify(p7s, trust)
        verdicts[name] = (proc.returncode == 0, ours.indication == "TOTAL_PASSED")
        if name == "revoked":
            assert "revoked" in proc.stderr and [f.code for f in ours.findings] == ["G005"]
    assert verdicts == {"good": (True, True), "revoked": (False, False)}


def test_manifest_swapped_between_layers(three_layers, trust, tmp_path):
    src = three_layers["packages"][1]
    bad = tmp_path / "swapped.edp"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        m1, m2 = zin.read("META-INF/ASiCManifest001.xml"), zin.read("META-INF/ASiCManifest002.xml")
        for info in zin.infolist():
            data = zin.read(info)
            data = {"META-INF/ASiCManifest001.xml": m2, "META-INF/ASiCManifest002.xml": m1}.get(info.filename, data)
            zout.writestr(info, data)
    report = validate_package(bad, trust=trust)
    codes = {f.code for f in report.findings}
    assert report.verdict == "reject" and {"S002", "S003", "G002"} <= codes


def test_keys_issue_and_revoke_cli(tmp_path, three_layers):
    run = lambda *a: subprocess.run([sys.executable, "-m", "edossier.cli.main", *map(str, a)],  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    pki = tmp_path / "pki"
    assert run("keys", "demo", pki).returncode == 0
    res = run("keys", "issue", pki, "--role", "police", "--name", POLICE.name, "--credit-code", POLICE.credit_code,
              "-o", tmp_path / "officer.p12")
    assert res.returncode == 0, res.stderr
    res = run("build", three_layers["sources"][0], "-o", tmp_path / "a.edp", "--signer", tmp_path / "officer.p12",
              "--crl", pki / "crl-police.crl", "--crl", pki / "crl-root.crl")
    assert res.returncode == 0, res.stderr
    assert run("validate", tmp_path / "a.edp", "--trust", pki / "trustlist.xml", "--trust-anchor",
               pki / "trust-anchor.pem").returncode == 0
    res = run("keys", "revoke", pki, "--role", "police", "--cert", tmp_path / "officer.p12")
    assert res.returncode == 0, res.stderr
    res = run("validate", tmp_path / "a.edp", "--trust", pki / "trustlist.xml", "--trust-anchor",
              pki / "trust-anchor.pem", "--format", "json")
    assert res.returncode == 1 and '"G005"' in res.stdout
    assert run("keys", "issue", pki, "--role", "police", "--name", "x", "--credit-code", "123",
               "-o", tmp_path / "x.p12").returncode == 2
