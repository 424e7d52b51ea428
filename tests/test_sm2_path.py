"""Certificate paths of SM2 signers are judged like RSA/ECDSA ones (issue 20, part 3).

Every scenario runs twice — an ECDSA P-256 PKI and an SM2 PKI built by the same demo factory — and must
give the same ETSI indication: the SM2 path is exactly as strict as the existing one. Also: SM2
certificates and CRLs themselves (algorithm, ID, tampering), and what OpenSSL 3.0 makes of them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess

import pytest
from asn1crypto import crl as acrl, x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from edossier.demo import ca as dca
from edossier.signing import sm2, sm2_x509
from edossier.signing.certpath import validate_signer_path

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
AGENCY, CODE = "深圳市公安局南山分局", "11440300MB2C123452"


@dataclasses.dataclass
class Pki:
    root: dca.IssuedCA
    police: dca.IssuedCA
    court: dca.IssuedCA
    crls: dict

    def entry(self, *, crls=None):
        """ca_certs / crls of the police agency's trust-list entry (issuing CA + root anchor)."""
        return dict(ca_certs=[self.police.der, self.root.der],
                    crls=list(self.crls.values()) if crls is None else crls)


def _pki(key_type: str) -> Pki:
    root = dca.make_root_ca(now=NOW, key_type=key_type)
    police = dca.issue_ca(root, "police", now=NOW, key_type=key_type)
    court = dca.issue_ca(root, "court", now=NOW, key_type=key_type)
    return Pki(root, police, court, {"police": dca.make_crl(police, now=NOW), "root": dca.make_crl(root, now=NOW)})


@pytest.fixture(scope="module", params=["ec", "sm2"])
def pki(request):
    return request.param, _pki(request.param)


def _signer(pki_, ca=None, **kw):
    key_type, p = pki_
    return dca.issue_signer(ca or p.police, AGENCY, CODE, now=NOW, key_type=key_type, **kw)


def test_algorithms_are_what_the_fixture_claims(pki):
    key_type, p = pki
    cert = ax509.Certificate.load(_signer(pki).der)
    if key_type == "sm2":
        assert cert["signature_algorithm"]["algorithm"].dotted == "1.2.156.10197.1.501"
        assert sm2.is_sm2_spki(cert.public_key.dump())
        assert acrl.CertificateList.load(p.crls["police"])["signature_algorithm"]["algorithm"].dotted == \
            "1.2.156.10197.1.501"
    else:
        assert cert["signature_algorithm"]["algorithm"].native == "sha256_ecdsa"


def test_good_signer(pki):
    r = validate_signer_path(_signer(pki).der, moment=NOW, **pki[1].entry())
    assert (r.indication, r.sub_indication) == ("TOTAL_PASSED", None), r.detail
    assert len(list(r.path.iter_certs(include_root=True))) == 3


def test_expired_and_not_yet_valid(pki):
    old = _signer(pki, not_before=NOW - dt.timedelta(days=30), not_after=NOW - dt.timedelta(days=1))
    r = validate_signer_path(old.der, moment=NOW, **pki[1].entry())
    assert (r.indication, r.sub_indication) == ("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE")
    future = _signer(pki, not_before=NOW + dt.timedelta(days=2), not_after=NOW + dt.timedelta(days=30))
    assert validate_signer_path(future.der, moment=NOW, **pki[1].entry()).sub_indication == "NOT_YET_VALID"


def test_revoked_by_crl(pki):
    key_type, p = pki
    cred = _signer(pki)
    crl = dca.make_crl(p.police, [(cred.cert.serial_number, NOW - dt.timedelta(minutes=30))], now=NOW, crl_number=2)
    r = validate_signer_path(cred.der, moment=NOW, **p.entry(crls=[crl, p.crls["root"]]))
    assert (r.indication, r.sub_indication) == ("TOTAL_FAILED", "REVOKED")
    # another serial on the CRL: not revoked
    crl = dca.make_crl(p.police, [(cred.cert.serial_number + 1, NOW)], now=NOW, crl_number=2)
    assert validate_signer_path(cred.der, moment=NOW, **p.entry(crls=[crl, p.crls["root"]])).ok


def test_missing_crl(pki):
    key_type, p = pki
    r = validate_signer_path(_signer(pki).der, moment=NOW, **p.entry(crls=[p.crls["root"]]))
    assert (r.indication, r.sub_indication) == ("INDETERMINATE", "TRY_LATER")
    # the issuing CA itself needs the root's CRL too: revocation is required along the whole path
    r = validate_signer_path(_signer(pki).der, moment=NOW, **p.entry(crls=[p.crls["police"]]))
    assert (r.indication, r.sub_indication) == ("INDETERMINATE", "TRY_LATER")


def test_crl_signed_by_another_key_is_not_revocation_information(pki):
    key_type, p = pki
    rogue_root = dca.make_root_ca(now=NOW, key_type=key_type)
    forged_ca = dataclasses.replace(p.police, key=dca.generate_key(key_type))  # same name, another key
    forged = dca.make_crl(forged_ca, now=NOW)
    r = validate_signer_path(_signer(pki).der, moment=NOW, **p.entry(crls=[forged, p.crls["root"]]))
    assert r.sub_indication == "TRY_LATER"
    assert not sm2_x509.signed_by(forged, p.police.der) and sm2_x509.signed_by(p.crls["police"], p.police.der)
    assert not sm2_x509.signed_by(p.crls["police"], rogue_root.der)


def test_wrong_ca(pki):
    """A signer from another hierarchy, with the same CA names: no chain to the listed anchor."""
    key_type, p = pki
    rogue_root = dca.make_root_ca(now=NOW, key_type=key_type)
    rogue_ca = dca.issue_ca(rogue_root, "police", now=NOW, key_type=key_type)
    cred = _signer(pki, ca=rogue_ca)
    r = validate_signer_path(cred.der, moment=NOW, extra_certs=[rogue_ca.der], **p.entry())
    assert (r.indication, r.sub_indication) == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
    # even with the rogue CA named, the leaf's AKI points at the rogue CA: no path through the listed one
    assert cred.cert.issuer == p.police.cert.subject


def test_wrong_role(pki):
    """A signer issued by the court's CA, under the same root, judged against the police entry."""
    key_type, p = pki
    cred = _signer(pki, ca=p.court)
    crls = [p.crls["police"], p.crls["root"], dca.make_crl(p.court, now=NOW)]
    r = validate_signer_path(cred.der, moment=NOW, extra_certs=[p.court.der], ca_certs=[p.police.der, p.root.der],
                             crls=crls)
    assert (r.indication, r.sub_indication) == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
    # the same signer against the court's entry passes: it is the role, not the certificate
    r = validate_signer_path(cred.der, moment=NOW, ca_certs=[p.court.der, p.root.der], crls=crls)
    assert r.ok, r.detail


@pytest.mark.parametrize("what", ["no-non-repudiation", "client-auth-only", "no-eku"])
def test_wrong_key_usage(pki, what):
    kw = {
        "no-non-repudiation": dict(key_usage=x509.KeyUsage(True, False, False, False, False, False, False, False, False)),
        "client-auth-only": dict(eku=[ExtendedKeyUsageOID.CLIENT_AUTH]),
        "no-eku": dict(eku=None),
    }[what]
    r = validate_signer_path(_signer(pki, **kw).der, moment=NOW, **pki[1].entry())
    assert (r.indication, r.sub_indication) == ("INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE"), r.detail


def test_tampered_certificate_signature(pki):
    der = bytearray(_signer(pki).der)
    der[-5] ^= 0x01  # inside the signature value
    r = validate_signer_path(bytes(der), moment=NOW, **pki[1].entry())
    assert not r.ok and r.sub_indication in ("CERTIFICATE_CHAIN_GENERAL_FAILURE", "FORMAT_FAILURE")


def test_tampered_tbs(pki):
    cert = ax509.Certificate.load(_signer(pki).der)
    tbs = cert["tbs_certificate"]
    tbs["serial_number"] = tbs["serial_number"].native + 1
    forged = ax509.Certificate({"tbs_certificate": ax509.TbsCertificate.load(tbs.dump(force=True)),
                                "signature_algorithm": cert["signature_algorithm"],
                                "signature_value": cert["signature_value"]}).dump()
    assert not validate_signer_path(forged, moment=NOW, **pki[1].entry()).ok


def test_garbage_certificate(pki):
    r = validate_signer_path(b"\x30\x03\x02\x01\x00", moment=NOW, **pki[1].entry())
    assert (r.indication, r.sub_indication) == ("TOTAL_FAILED", "FORMAT_FAILURE")


# --- SM2 specifics --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sm2pki():
    return _pki("sm2")


def _resign(cert_der: bytes, key, *, uid=sm2.DEFAULT_ID, alg=sm2.OID_SM2_WITH_SM3, raw=False) -> bytes:
    cert = ax509.Certificate.load(cert_der)
    tbs = cert["tbs_certificate"]
    tbs["signature"] = {"algorithm": alg}
    tbs_der = tbs.dump(force=True)
    sig = sm2.sign(key, tbs_der, uid=uid)
    if raw:
        from asn1crypto import algos

        d = algos.DSASignature.load(sig)
        sig = sm2.encode_raw(d["r"].native, d["s"].native)
    return ax509.Certificate({"tbs_certificate": ax509.TbsCertificate.load(tbs_der),
                              "signature_algorithm": {"algorithm": alg}, "signature_value": sig}).dump()


def test_sm2_certificate_forms_accepted(sm2pki):
    """Certificates signed with the empty ID (OpenSSL < 4.0's default), under the sm2-1 OID, or with a raw
    r‖s signature are SM2 certificates as real producers emit them."""
    p = sm2pki
    leaf = dca.issue_signer(p.police, AGENCY, CODE, now=NOW, key_type="sm2").der
    for kw in ({"uid": b""}, {"alg": sm2.OID_SM2_SIGN}, {"raw": True}):
        r = validate_signer_path(_resign(leaf, p.police.key, **kw), moment=NOW, **p.entry())
        assert r.ok, (kw, r.detail)


def test_sm2_certificate_refused_forms(sm2pki):
    p = sm2pki
    leaf = dca.issue_signer(p.police, AGENCY, CODE, now=NOW, key_type="sm2").der
    # another ID than the default or empty one
    assert not validate_signer_path(_resign(leaf, p.police.key, uid=b"someone"), moment=NOW, **p.entry()).ok
    # an SM2 signature labelled ECDSA-with-SHA256: algorithm and key disagree
    assert not validate_signer_path(_resign(leaf, p.police.key, alg="1.2.840.10045.4.3.2"), moment=NOW,
                                    **p.entry()).ok
    # signed by the root instead of the issuing CA
    assert not validate_signer_path(_resign(leaf, p.root.key), moment=NOW, **p.entry()).ok


def test_mixed_hierarchy_sm2_under_ecdsa_root():
    """An SM2 issuing CA under an ECDSA root (and its signer) validate through the same hook."""
    root = dca.make_root_ca(now=NOW, key_type="ec")
    ca = dca.issue_ca(root, "police", now=NOW, key_type="sm2")
    cred = dca.issue_signer(ca, AGENCY, CODE, now=NOW, key_type="sm2")
    r = validate_signer_path(cred.der, moment=NOW, ca_certs=[ca.der, root.der],
                             crls=[dca.make_crl(ca, now=NOW), dca.make_crl(root, now=NOW)])
    assert r.ok, r.detail
    assert ax509.Certificate.load(ca.der)["signature_algorithm"]["algorithm"].native == "sha256_ecdsa"


def test_sm2_credential_pem_round_trip(sm2pki, tmp_path):
    from edossier.errors import UserError
    from edossier.signing.pem_credential import read_pem_credential

    cred = dca.issue_signer(sm2pki.police, AGENCY, CODE, now=NOW, key_type="sm2")
    dca.write_credential(cred, tmp_path / "c.pem", b"pw")
    _data, key, cert, chain = read_pem_credential(tmp_path / "c.pem", b"pw", UserError)
    assert key == cred.key and cert == cred.der and chain == [sm2pki.police.der, sm2pki.root.der]
    with pytest.raises(UserError) as exc:
        read_pem_credential(tmp_path / "c.pem", b"wrong", UserError)
    assert exc.value.zh
    (tmp_path / "bad.pem").write_bytes(sm2.private_key_pem(sm2.generate_private_key()) + b"".join(
        __import__("asn1crypto.pem", fromlist=["armor"]).armor("CERTIFICATE", c) for c in (cred.der,)))
    with pytest.raises(UserError):  # the certificate is not the key's
        read_pem_credential(tmp_path / "bad.pem", None, UserError)


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl not installed")
def test_openssl_reads_sm2_certificates_crls_and_keys(sm2pki, tmp_path):
    """OpenSSL 3.0 parses our SM2 certificates, CRLs and keys, and agrees on the public key. (Its chain
    check of SM2 signatures with the GM/T 0009 ID does not work before OpenSSL 4.0: docs/signatures.md.)"""
    p = sm2pki
    (tmp_path / "ca.pem").write_bytes(p.police.pem)
    (tmp_path / "crl.der").write_bytes(p.crls["police"])
    (tmp_path / "key.pem").write_bytes(sm2.private_key_pem(p.police.key))
    text = subprocess.run(["openssl", "x509", "-in", tmp_path / "ca.pem", "-noout", "-text"],
                          capture_output=True, text=True, check=True).stdout
    assert "SM2-with-SM3" in text and "ASN1 OID: SM2" in text
    crl_text = subprocess.run(["openssl", "crl", "-inform", "DER", "-in", tmp_path / "crl.der", "-noout", "-text"],
                              capture_output=True, text=True, check=True).stdout
    assert "SM2-with-SM3" in crl_text
    pub = subprocess.run(["openssl", "pkey", "-in", tmp_path / "key.pem", "-pubout", "-outform", "DER"],
                         capture_output=True, check=True).stdout
    assert pub == sm2.spki_der(p.police.key.public)


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl not installed")
def test_openssl_made_sm2_root_validates_here(tmp_path):
    """A self-signed SM2 root made by `openssl req -x509 -sm3` (empty ID) is a usable anchor here."""
    subprocess.run(["openssl", "genpkey", "-algorithm", "SM2", "-out", tmp_path / "k.pem"], check=True,
                   capture_output=True)
    subprocess.run(["openssl", "req", "-x509", "-new", "-key", tmp_path / "k.pem", "-sm3", "-subj", "/CN=ossl",
                    "-days", "30", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", tmp_path / "r.pem"],
                   check=True, capture_output=True)
    cert = x509.load_pem_x509_certificate((tmp_path / "r.pem").read_bytes())
    der = cert.public_bytes(serialization.Encoding.DER)
    assert sm2_x509.signed_by(der, der)
    key = sm2.load_private_key((tmp_path / "k.pem").read_bytes())
    root = dca.IssuedCA(cert=cert, key=key, crl_url=None)
    ca = dca.issue_ca(root, "police", now=NOW, key_type="sm2")
    cred = dca.issue_signer(ca, AGENCY, CODE, now=NOW, key_type="sm2")
    r = validate_signer_path(cred.der, moment=NOW, ca_certs=[ca.der, der],
                             crls=[dca.make_crl(ca, now=NOW), dca.make_crl(root, now=NOW)])
    assert r.ok, r.detail


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl not installed")
def test_pfx_from_a_ca_converted_with_openssl_reads_as_pem_credential(sm2pki, tmp_path):
    """The documented path for an SM2 .pfx (which cryptography cannot open): `openssl pkcs12 -in x.pfx
    -out cred.pem` (key re-encrypted, 'Bag Attributes' text between the blocks) is a PEM credential."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    from edossier.errors import UserError
    from edossier.signing.pem_credential import read_pem_credential

    cred = dca.issue_signer(sm2pki.police, AGENCY, CODE, now=NOW, key_type="sm2")
    dca.write_credential(cred, tmp_path / "in.pem")
    subprocess.run(["openssl", "pkcs12", "-export", "-in", tmp_path / "in.pem", "-out", tmp_path / "x.pfx",
                    "-passout", "pass:pfx"], check=True, capture_output=True)
    with pytest.raises(Exception):  # why the PEM route exists
        pkcs12.load_key_and_certificates((tmp_path / "x.pfx").read_bytes(), b"pfx")
    subprocess.run(["openssl", "pkcs12", "-in", tmp_path / "x.pfx", "-passin", "pass:pfx", "-passout", "pass:pem",
                    "-out", tmp_path / "cred.pem"], check=True, capture_output=True)
    assert b"Bag Attributes" in (tmp_path / "cred.pem").read_bytes()
    _d, key, cert, chain = read_pem_credential(tmp_path / "cred.pem", b"pem", UserError)
    assert key == cred.key and cert == cred.der and set(chain) == {sm2pki.police.der, sm2pki.root.der}


from hypothesis import given, settings, strategies as st  # noqa: E402


@pytest.fixture(scope="module")
def sm2leaf(sm2pki):
    return dca.issue_signer(sm2pki.police, AGENCY, CODE, now=NOW, key_type="sm2").der


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_mutated_sm2_certificate_never_raises_and_never_passes(sm2pki, sm2leaf, data):
    """Hostile input: a signer certificate with a byte changed is refused with an indication, never an
    exception — and never accepted, since every byte of it is under the CA's signature (or framing)."""
    p = sm2pki
    raw = bytearray(sm2leaf)
    i = data.draw(st.integers(0, len(raw) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != raw[i]))
    raw[i] = new
    r = validate_signer_path(bytes(raw), moment=NOW, **p.entry())
    assert r.indication in ("TOTAL_FAILED", "INDETERMINATE")
