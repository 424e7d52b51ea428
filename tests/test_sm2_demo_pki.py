"""The SM2 demo PKI (`keys demo --algorithm sm2`): every certificate and CRL SM2, the trust list that
names them loads (SM2 CA certificates and SM2-signed CRLs are checked at load), CRLs of an SM2 path are
fetched and checked at signing time, and keys revoke / keys issue work on an SM2 folder."""

from __future__ import annotations

import dataclasses

import pytest
from asn1crypto import crl as acrl, x509 as ax509
from click.testing import CliRunner
from cryptography import x509

from edossier.demo import pki as dp
from edossier.errors import UserError
from edossier.signing import sm2, sm2_x509
from edossier.signing.certpath import validate_signer_path
from edossier.signing.pem_credential import read_pem_credential
from edossier.signing.revocation import fetch_crls, RevocationError

SM2_SIG = "1.2.156.10197.1.501"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return dp.make_demo_pki(tmp_path_factory.mktemp("sm2pki") / "pki", key_type="sm2")


def test_everything_is_sm2(demo):
    certs = [demo.root.der, *(ca.der for ca in demo.cas.values()), demo.tsa_ca.der, demo.tsa.der,
             *(c.der for c in demo.credentials.values())]
    for der in certs:
        cert = ax509.Certificate.load(der)
        assert cert["signature_algorithm"]["algorithm"].dotted == SM2_SIG
        assert sm2.is_sm2_spki(cert.public_key.dump())
    for der in demo.crls.values():
        assert acrl.CertificateList.load(der)["signature_algorithm"]["algorithm"].dotted == SM2_SIG
    assert {p.suffix for role, p in demo.p12_paths.items() if role != "trustlist-operator"} == {".pem"}


def test_trust_list_loads_and_every_signer_path_validates(demo):
    tl = dp.load_demo_trustlist(demo.out_dir)
    for agency in dp.DEMO_AGENCIES:
        entry = tl.find(agency.credit_code, agency.role)
        _d, key, cert, chain = read_pem_credential(demo.p12_paths[agency.role], None, UserError)
        assert key == demo.credentials[agency.role].key
        r = validate_signer_path(cert, ca_certs=entry.ca_certs, crls=entry.crls)
        assert r.ok, (agency.role, r.detail)


def test_signing_time_crl_fetch_over_an_sm2_path(demo):
    """fetch_crls reads each certificate's CRL distribution point (file: URLs here) and checks the
    SM2 signature of each CRL against the issuer."""
    chain = [demo.credentials["police"].cert, demo.cas["police"].cert, demo.root.cert]
    got = fetch_crls(chain)
    assert set(got) == {demo.crls["police"], demo.crls["root"]}
    # the same CRLs checked against a CA certificate of the same name with another key: not accepted
    from edossier.demo import ca as dca

    forged = dca.issue_ca(demo.root, "police", key_type="sm2")
    assert forged.cert.subject == demo.cas["police"].cert.subject
    with pytest.raises(RevocationError) as exc:
        fetch_crls([demo.credentials["police"].cert, forged.cert, demo.root.cert])
    assert "not signed by the certificate's issuer" in exc.value.en


def test_revoke_and_issue_in_an_sm2_folder(demo, tmp_path):
    cred = dp.issue_in_demo(demo.out_dir, "police", "深圳市公安局南山分局", "11440300MB2C123452", tmp_path / "n.pem")
    assert isinstance(cred.key, sm2.SM2PrivateKey)  # an SM2 CA issues SM2, whatever key_type said
    new_crl = dp.revoke_in_demo(demo.out_dir, "police", cred.cert.serial_number)
    assert sm2_x509.signed_by(new_crl, demo.cas["police"].der)
    tl = dp.load_demo_trustlist(demo.out_dir)
    entry = tl.find("11440300MB2C123452", "police")
    assert new_crl in entry.crls
    r = validate_signer_path(cred.der, ca_certs=entry.ca_certs, crls=entry.crls)
    assert (r.indication, r.sub_indication) == ("TOTAL_FAILED", "REVOKED")


def test_cli_keys_demo_algorithm_sm2(tmp_path):
    from edossier.cli.main import main

    res = CliRunner().invoke(main, ["keys", "demo", str(tmp_path / "p"), "--algorithm", "sm2"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "p" / "police.pem").exists() and not (tmp_path / "p" / "police.p12").exists()
    res = CliRunner().invoke(main, ["keys", "demo", str(tmp_path / "q"), "--rsa", "--algorithm", "sm2"])
    assert res.exit_code == 2 and "--rsa" in res.output


def test_preflight_knows_an_sm2_credential_is_issued_by_its_entry(demo):
    """The build's preflight check "is the credential issued by a CA the trust list names for this
    agency" works for SM2 certificates (cryptography cannot verify their signatures)."""
    from edossier.building.preflight import _issued_by_entry

    tl = dp.load_demo_trustlist(demo.out_dir)
    police = demo.credentials["police"].cert
    assert _issued_by_entry(police, tl.find("11440300MB2C123452", "police"))
    assert not _issued_by_entry(police, tl.find("11440305MB2D200077", "court"))


def test_trust_cli_takes_sm2_cas_and_refuses_a_forged_sm2_crl(demo, tmp_path):
    import shutil

    from edossier.cli.main import main
    from edossier.demo import ca as dca

    tl = tmp_path / "trustlist.xml"
    shutil.copy(demo.trustlist_path, tl)
    d = demo.out_dir
    base = ["trust", "add-agency", str(tl), "--name", "另一公安局", "--credit-code", "11440305MB2D50000Q",
            "--role", "police", "--ca", str(d / "ca-police.pem"), "--ca", str(d / "root-ca.pem"),
            "--operator", str(d / "trustlist-operator.p12"), "--crl", str(d / "crl-root.crl")]
    forged = dataclasses.replace(demo.cas["police"], key=sm2.generate_private_key())  # the CA's name, another key
    (tmp_path / "forged.crl").write_bytes(dca.make_crl(forged))
    res = CliRunner().invoke(main, [*base, "--crl", str(tmp_path / "forged.crl")])
    assert res.exit_code != 0 and "CRL" in res.output
    res = CliRunner().invoke(main, [*base, "--crl", str(d / "crl-police.crl")])
    assert res.exit_code == 0, res.output
    from edossier.signing.trustlist import load_trustlist

    entry = load_trustlist(tl, anchor=d / "trust-anchor.pem").find("11440305MB2D50000Q", "police")
    assert entry is not None and demo.cas["police"].der in entry.ca_certs
