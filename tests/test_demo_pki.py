"""The demo PKI, the trust list, and CAdES signatures made with it (checked with OpenSSL).

How the product judges signatures made with the demo PKI is in test_signatures.py."""

from __future__ import annotations

import base64
import hashlib
import datetime as dt
import re
import shutil
import subprocess

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from edossier.signing import trustlist as tlmod
from edossier.signing.cades import load_credential, sign_manifest
from edossier.demo.ca import DOCUMENT_SIGNING, write_p12
from edossier.demo.pki import load_demo_trustlist, DEMO_AGENCIES, make_demo_pki
from edossier.signing.trustlist import load_trustlist, parse_trustlist
from edossier.signing.trustlist_model import TrustedAgency, TrustList, TrustListError
from edossier.signing.trustlist_write import write_trustlist

ROLES = ("police", "procuratorate", "court", "justice", "supervision")
DATA = "<manifest>案卷 dossier bytes\r\n\x00\xff</manifest>".encode("utf-8")
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_demo_pki(tmp_path_factory.mktemp("pki") / "keys", now=NOW)


@pytest.fixture(scope="module")
def signatures(pki):
    """A detached CAdES signature over DATA per role, made from the demo PKCS#12 files."""
    return {role: sign_manifest(load_credential(pki.p12_paths[role]), DATA) for role in ROLES}


# --- the folder -----------------------------------------------------------------------------------------


def test_file_set(pki):
    names = {p.name for p in pki.out_dir.iterdir()}
    secret = {"tsa.p12", "root-ca.key.pem", "trustlist-operator.p12"}
    for role in ROLES:
        secret |= {f"{role}.p12", f"ca-{role}.key.pem"}
    expected = secret | {"root-ca.pem", "crl-root.crl", "README.txt", "trustlist.xml", "trust-anchor.pem", "ca-tsa.pem",
                         "crl-tsa.crl"}
    for role in ROLES:
        expected |= {f"ca-{role}.pem", f"crl-{role}.crl"}
    assert names == expected  # no temp files left behind
    readme = (pki.out_dir / "README.txt").read_text("utf-8")
    assert "仅供演示" in readme and "DEMONSTRATION" in readme
    for name in secret:  # private keys: owner only
        assert (pki.out_dir / name).stat().st_mode & 0o077 == 0, name


def test_refuses_to_overwrite(pki, tmp_path):
    with pytest.raises(FileExistsError):
        make_demo_pki(pki.out_dir, now=NOW)
    other = make_demo_pki(tmp_path / "again", now=NOW)
    again = make_demo_pki(tmp_path / "again", now=NOW, overwrite=True)
    assert other.root.der != again.root.der
    assert load_demo_trustlist(again.out_dir).agencies[0].ca_certs[0] == again.cas["police"].der


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        make_demo_pki(tmp_path / "x", key_type="dsa")
    with pytest.raises(ValueError):
        make_demo_pki(tmp_path / "y", now=dt.datetime(2026, 1, 1))  # naive
    assert not (tmp_path / "x" / "trustlist.xml").exists()


def test_fixed_now_gives_fixed_dates(tmp_path):
    now = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.timezone.utc)
    a = make_demo_pki(tmp_path / "a", now=now)
    b = make_demo_pki(tmp_path / "b", now=now)
    for x, y in [(a.root, b.root), (a.cas["court"], b.cas["court"]), (a.credentials["court"], b.credentials["court"])]:
        assert x.cert.not_valid_before_utc == y.cert.not_valid_before_utc == now - dt.timedelta(days=1)
        assert x.cert.not_valid_after_utc == y.cert.not_valid_after_utc
    assert a.root.cert.not_valid_after_utc.year == 2046
    assert a.cas["court"].cert.not_valid_after_utc.year == 2036
    assert a.credentials["court"].cert.not_valid_after_utc.year == 2028
    crl = x509.load_der_x509_crl(a.crls["court"])
    assert crl.last_update_utc == now - dt.timedelta(hours=1)
    assert crl.next_update_utc == now + dt.timedelta(days=365)


def _ext(cert, cls):
    return cert.extensions.get_extension_for_class(cls)


def test_certificate_profiles(pki):
    root = pki.root.cert
    assert root.issuer == root.subject
    assert root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "edossier 演示根CA"
    for cert in [root, *(ca.cert for ca in pki.cas.values()), *(c.cert for c in pki.credentials.values())]:
        _ext(cert, x509.SubjectKeyIdentifier)
        _ext(cert, x509.AuthorityKeyIdentifier)
        assert _ext(cert, x509.KeyUsage).critical
        assert _ext(cert, x509.BasicConstraints).critical
    for role, ca in pki.cas.items():
        bc = _ext(ca.cert, x509.BasicConstraints).value
        assert bc.ca and bc.path_length == 0
        ku = _ext(ca.cert, x509.KeyUsage).value
        assert ku.key_cert_sign and ku.crl_sign and not ku.digital_signature
        assert ca.cert.issuer == root.subject
        assert _ext(ca.cert, x509.AuthorityKeyIdentifier).value.key_identifier == _ext(
            root, x509.SubjectKeyIdentifier
        ).value.digest
        dp = _ext(ca.cert, x509.CRLDistributionPoints).value[0].full_name[0].value
        assert dp == (pki.out_dir / "crl-root.crl").resolve().as_uri()  # the file the folder holds
    for agency in DEMO_AGENCIES:
        cert = pki.credentials[agency.role].cert
        subj = cert.subject
        assert subj.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "CN"
        assert subj.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == agency.name
        assert subj.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == f"{agency.name} 电子签章"
        assert subj.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value == agency.credit_code
        ku = _ext(cert, x509.KeyUsage).value
        assert ku.digital_signature and ku.content_commitment and not ku.key_cert_sign
        eku = _ext(cert, x509.ExtendedKeyUsage).value
        assert set(eku) == {DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION}
        assert not _ext(cert, x509.BasicConstraints).value.ca
        dp = _ext(cert, x509.CRLDistributionPoints).value[0].full_name[0].value
        assert dp == (pki.out_dir / f"crl-{agency.role}.crl").resolve().as_uri()
        assert cert.issuer == pki.cas[agency.role].cert.subject


def test_crls(pki):
    for key, der in pki.crls.items():
        crl = x509.load_der_x509_crl(der)
        issuer = {"root": pki.root, "tsa": pki.tsa_ca}.get(key) or pki.cas[key]
        assert crl.issuer == issuer.cert.subject
        assert crl.is_signature_valid(issuer.cert.public_key())
        assert len(crl) == 0
        assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 1
        crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
        assert (pki.out_dir / f"crl-{key}.crl").read_bytes() == der


def test_p12_contents(pki):
    for role in ROLES:
        key, cert, extra = pkcs12.load_key_and_certificates(pki.p12_paths[role].read_bytes(), None)
        assert cert == pki.credentials[role].cert
        assert extra == [pki.cas[role].cert, pki.root.cert]
        assert key.public_key().public_numbers() == cert.public_key().public_numbers()


def test_p12_with_passphrase(pki, tmp_path):
    path = tmp_path / "locked.p12"
    write_p12(pki.credentials["court"], path, b"s3cret")
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(path.read_bytes(), None)
    _, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), b"s3cret")
    assert cert == pki.credentials["court"].cert


# --- trust list -----------------------------------------------------------------------------------------


def test_trustlist_loads(pki):
    tl = load_demo_trustlist(pki.out_dir)
    assert tl == pki.trustlist
    assert tl.issued == NOW
    assert tl.signed and tl.sequence == 1 and not tl.waivers
    assert tl.signer == pki.operator.cert.subject.rfc4514_string()
    assert tl.digest == hashlib.sha256(pki.trustlist_path.read_bytes()).hexdigest()
    assert tl.next_update == NOW + dt.timedelta(days=365)
    assert len(tl.agencies) == 5  # one agency per role, the supervisory commission included (#15)
    for agency in DEMO_AGENCIES:
        entry = tl.find(agency.credit_code, agency.role)
        assert entry is not None and entry.name == agency.name
        assert entry.ca_certs == (pki.cas[agency.role].der, pki.root.der)
        assert entry.crls == (pki.crls[agency.role], pki.crls["root"])
        assert tl.is_in_force(entry, NOW)
        assert not tl.is_in_force(entry, NOW - dt.timedelta(days=2))
        assert not tl.is_in_force(entry, NOW + dt.timedelta(days=3700))
        assert tl.find(agency.credit_code, agency.role, at=NOW - dt.timedelta(days=2)) is None
    police = DEMO_AGENCIES[0]
    assert tl.find(police.credit_code, "court") is None  # right agency, wrong role
    assert tl.find("91440300MA5G000000", "police") is None


def test_trustlist_round_trip_open_validity(tmp_path, pki):
    tl = TrustList(
        agencies=(
            TrustedAgency(
                name="测试机构",
                credit_code=DEMO_AGENCIES[1].credit_code,
                role="procuratorate",
                ca_certs=(pki.cas["procuratorate"].der, pki.root.der),
                crls=(),
            ),
        ),
        name=None,
        issued=dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        next_update=dt.datetime(2126, 11, 26, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        sequence=7,
    )
    path = tmp_path / "tl.xml"
    write_trustlist(tl, path)
    text = path.read_text("utf-8")
    assert 'issued="2026-11-26T00:00:00Z"' in text and "validFrom" not in text
    assert 'nextUpdate="2126-11-26T00:00:00Z"' in text and 'sequence="7"' in text
    back = load_trustlist(path, allow_unsigned=True)
    assert back == tl and not back.signed and back.waivers == ("unsigned",)
    assert back.is_in_force(back.agencies[0], dt.datetime(1999, 1, 1, tzinfo=dt.timezone.utc))
    with pytest.raises(ValueError):
        back.is_in_force(back.agencies[0], dt.datetime(2026, 1, 1))  # naive


def test_write_refuses_invalid(tmp_path, pki):
    bad = TrustList(
        agencies=(TrustedAgency("x", "11440300MB2C123453", "police", (pki.cas["police"].der,)),),
        issued=NOW,
    )
    with pytest.raises(TrustListError) as ei:
        write_trustlist(bad, tmp_path / "bad.xml")
    assert ei.value.zh and not (tmp_path / "bad.xml").exists()
    wrong_role = TrustList(
        agencies=(TrustedAgency("x", DEMO_AGENCIES[0].credit_code, "prison", (pki.cas["police"].der,)),),
        issued=NOW,
    )
    with pytest.raises(TrustListError):
        write_trustlist(wrong_role, tmp_path / "bad.xml")
    assert list(tmp_path.iterdir()) == []


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode()


def _mutations(pki) -> dict[str, bytes]:
    good = pki.trustlist_path.read_bytes()
    text = good.decode("utf-8")
    ca_b64 = _b64(pki.cas["police"].der)
    crl_b64 = _b64(pki.crls["police"])
    signer_b64 = _b64(pki.credentials["police"].der)
    return {
        "not xml": b"this is not XML <",
        "empty": b"",
        "binary": b"\x00\x01\x02PK\x03\x04",
        "doctype": text.replace(
            "<TrustList", '<!DOCTYPE TrustList [<!ENTITY x "y">]>\n<TrustList', 1
        ).encode(),
        "xxe": text.replace(
            "<TrustList", '<!DOCTYPE TrustList [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<TrustList', 1
        ).replace("<Name>深圳市公安局南山分局</Name>", "<Name>&x;</Name>").encode(),
        "wrong namespace": good.replace(b"urn:edossier:trustlist:0.1", b"urn:edossier:trustlist:9.9"),
        "no namespace": good.replace(b' xmlns="urn:edossier:trustlist:0.1"', b""),
        "wrong root": text.replace("<TrustList ", "<TrustLists ").replace("</TrustList>", "</TrustLists>").encode(),
        "bad base64": text.replace(ca_b64, "!!!not base64!!!", 1).encode(),
        "truncated base64": text.replace(ca_b64, ca_b64[:-5], 1).encode(),
        "base64 not a certificate": text.replace(ca_b64, _b64(b"\x30\x03\x02\x01\x05"), 1).encode(),
        "certificate is not a CA": text.replace(ca_b64, signer_b64, 1).encode(),
        "crl garbage": text.replace(crl_b64, _b64(b"definitely not a CRL"), 1).encode(),
        "crl of another CA": text.replace(crl_b64, _b64(pki.crls["court"]), 1).encode(),
        "bad credit code check char": good.replace(b"11440300MB2C123452", b"11440300MB2C123453"),
        "credit code letter I": good.replace(b"11440300MB2C123452", b"11440300MI2C123452"),
        "credit code too short": good.replace(b"11440300MB2C123452", b"11440300MB2C12345"),
        "unknown role": good.replace(b'role="police"', b'role="prison"'),
        "role with spaces": good.replace(b'role="police"', b'role=" police"'),
        "duplicate agency": text.replace(
            "</TrustList>", text[text.index("  <Agency") : text.index("</Agency>") + 10] + "</TrustList>"
        ).encode(),
        "no CA certificate": text.replace(f"<CACertificate>{ca_b64}</CACertificate>", "", 1).encode(),
        "naive issued time": re.sub(r'issued="[^"]*"', 'issued="2026-01-01T00:00:00"', text, count=1).encode(),
        "hour 24": re.sub(r'issued="[^"]*"', 'issued="2026-01-01T24:00:00Z"', text, count=1).encode(),
        "validTo before validFrom": re.sub(r'validTo="[^"]*"', 'validTo="2000-01-01T00:00:00Z"', text, count=1).encode(),
        "unknown element": text.replace("</TrustList>", "<Extra/></TrustList>").encode(),
        "version 9.9": good.replace(b'version="0.2"', b'version="9.9"'),
        "deep nesting": b'<TrustList xmlns="urn:edossier:trustlist:0.1">' + b"<a>" * 200 + b"</a>" * 200 + b"</TrustList>",
    }


def test_trustlist_mutations_are_well_formed_where_intended(pki):
    # Guard against a mutation silently doing nothing.
    good = pki.trustlist_path.read_bytes()
    for label, data in _mutations(pki).items():
        assert data != good, label


@pytest.mark.parametrize(
    "label",
    [
        "not xml", "empty", "binary", "doctype", "xxe", "wrong namespace", "no namespace", "wrong root",
        "bad base64", "truncated base64", "base64 not a certificate", "certificate is not a CA",
        "crl garbage", "crl of another CA", "bad credit code check char", "credit code letter I",
        "credit code too short", "unknown role", "role with spaces", "duplicate agency",
        "no CA certificate", "naive issued time", "hour 24", "validTo before validFrom", "unknown element",
        "version 9.9", "deep nesting",
    ],
)
def test_malformed_trustlists(pki, tmp_path, label):
    path = tmp_path / "tl.xml"
    path.write_bytes(_mutations(pki)[label])
    with pytest.raises(TrustListError) as ei:
        load_trustlist(path, allow_unsigned=True)  # the content errors, not the missing signature
    err = ei.value
    assert isinstance(err, ValueError)
    assert err.en and err.zh and str(err) == err.en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.zh), err.zh
    assert err.__cause__ is None or isinstance(err.__cause__, TrustListError)


def test_specific_messages(pki, tmp_path):
    m = _mutations(pki)
    for label, needle_en, needle_zh in [
        ("doctype", "DOCTYPE", "XML"),
        ("wrong namespace", "namespace", "命名空间"),
        ("bad credit code check char", "check character", "校验码"),
        ("certificate is not a CA", "not a CA", "不是 CA"),
        ("crl of another CA", "not issued", "不是由该机构"),
    ]:
        with pytest.raises(TrustListError) as ei:
            parse_trustlist(m[label], allow_unsigned=True)
        assert needle_en in ei.value.en, (label, ei.value.en)
        assert needle_zh in ei.value.zh, (label, ei.value.zh)


def test_unreadable_and_oversized(tmp_path, monkeypatch):
    with pytest.raises(TrustListError) as ei:
        load_trustlist(tmp_path / "missing.xml")
    assert "cannot read" in ei.value.en and "无法读取" in ei.value.zh
    with pytest.raises(TrustListError):
        load_trustlist(tmp_path)  # a directory
    big = tmp_path / "big.xml"
    big.write_bytes(b"<a>" + b" " * 2000 + b"</a>")
    monkeypatch.setattr(tlmod, "MAX_TRUSTLIST_BYTES", 1000)
    with pytest.raises(TrustListError) as ei:
        load_trustlist(big)
    assert "MiB" in ei.value.en


# --- CAdES made with the demo credentials ----------------------------------------------------------------


def test_cades_attributes(signatures):
    sd = cms.ContentInfo.load(signatures["court"])["content"]
    (si,) = sd["signer_infos"]
    attrs = {a["type"].native for a in si["signed_attrs"]}
    assert {"content_type", "message_digest", "signing_time", "signing_certificate_v2"} <= attrs
    assert sd["encap_content_info"]["content"].native is None  # detached


# --- OpenSSL interop --------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
@pytest.mark.parametrize("role", ROLES)
def test_openssl_cms_verify(pki, signatures, tmp_path, role):
    (tmp_path / "data.bin").write_bytes(DATA)
    (tmp_path / "sig.p7s").write_bytes(signatures[role])
    (tmp_path / "ca.pem").write_bytes(pki.root.pem + pki.cas[role].pem)
    cmd = [
        "openssl", "cms", "-verify", "-binary", "-purpose", "any", "-inform", "DER",
        "-in", "sig.p7s", "-content", "data.bin", "-CAfile", "ca.pem", "-out", "/dev/null",
    ]
    res = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "Verification successful" in res.stderr
    (tmp_path / "data.bin").write_bytes(DATA + b"!")
    res = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert res.returncode != 0


# --- robustness -------------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_trustlists_only_raise_trustlist_error(pki, data):
    good = pki.trustlist_path.read_bytes()
    pos = data.draw(st.integers(0, len(good) - 1))
    kind = data.draw(st.sampled_from(["flip", "cut", "insert"]))
    if kind == "flip":
        damaged = good[:pos] + bytes([good[pos] ^ data.draw(st.integers(1, 255))]) + good[pos + 1 :]
    elif kind == "cut":
        damaged = good[:pos]
    else:
        damaged = good[:pos] + data.draw(st.binary(min_size=1, max_size=8)) + good[pos:]
    try:
        tl = parse_trustlist(damaged, anchor=pki.anchor_path)
    except TrustListError as exc:
        assert exc.en and exc.zh
    else:
        assert isinstance(tl, TrustList)


def test_tsa_is_named_by_a_dedicated_ca_and_a_pin(pki):
    """#13: the demo TSA comes from a CA dedicated to time-stamping (EKU exactly timeStamping, listed
    for no agency), its own EKU timeStamping is critical, and the trust list pins it."""
    from cryptography.x509.oid import ExtendedKeyUsageOID

    ca_eku = pki.tsa_ca.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(ca_eku) == [ExtendedKeyUsageOID.TIME_STAMPING]
    tsa_eku = pki.tsa.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert tsa_eku.critical and list(tsa_eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert pki.tsa.cert.issuer == pki.tsa_ca.cert.subject
    (entry,) = pki.trustlist.tsas
    assert entry.tsa_certs == (pki.tsa.der,)
    assert all(pki.tsa_ca.der not in a.ca_certs for a in pki.trustlist.agencies)
    assert pki.trustlist.tsa_for(pki.tsa.der, NOW) == entry
    assert pki.trustlist.tsa_for(pki.credentials["police"].der, NOW) is None  # no timeStamping EKU
