"""Issue #13, sig part: signer identity from one source, TSAs named not inferred, `--at` and proof of
existence, strict DER and required signed attributes, unreadable PAdES signatures.

Every hostile input is built with the project's own tools (demo PKI, sign_manifest, LocalTSA); the
expected codes come from the rules in docs/spec.md §8-9 and the case table in docs/signatures.md §3.
Every scenario runs for an ECDSA demo PKI and for an SM2 one (SM2 signers, SM2 time-stamping authority;
issue #20).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest
from asn1crypto import cms, core, x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from edossier.demo import ca as dca
from edossier.demo import pki as dp
from edossier.signing import sm2
from edossier.signing.cades import load_credential, sign_manifest
from edossier.signing.cades_der import der_problem
from edossier.signing.cades_verify import signature_summary, verify_layer
from edossier.signing.pades import verify_pdf_signatures
from edossier.signing.trustlist import parse_trustlist
from edossier.signing.trustlist_model import TrustedAgency, TrustedTSA, TrustListError
from edossier.signing.trustlist_write import trustlist_to_bytes
from edossier.signing.tsa import LocalTSA, serve_in_thread

UTC = dt.timezone.utc
MANIFEST = b'<?xml version="1.0"?><asic:ASiCManifest xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"/>'
POLICE = dp.DEMO_AGENCIES[0]
# A second police agency under the same issuing CA, as real provincial CAs do (valid GB 32100 code).
OTHER = dp.DemoAgency("police", "深圳市公安局福田分局", "11440300MB2C123465")


@pytest.fixture(scope="module", params=["ec", "sm2"])
def env(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sound")
    pki = dp.make_demo_pki(folder / "pki", key_type=request.param)
    police = pki.trustlist.find(POLICE.credit_code, "police")
    other = dataclasses.replace(police, name=OTHER.name, credit_code=OTHER.credit_code)
    trust = dataclasses.replace(pki.trustlist, agencies=pki.trustlist.agencies + (other,))
    server, url = serve_in_thread(LocalTSA(pki.p12_paths["tsa"]))
    yield pki, trust, url, folder
    server.shutdown()


def kt(pki) -> str:
    """The demo PKI's key type: the signers and authorities a test issues use the same."""
    return "sm2" if isinstance(pki.root.key, sm2.SM2PrivateKey) else "ec"


def sign(cred: dca.IssuedCredential, folder, name: str, *, tsa_url: str | None = None) -> bytes:
    path = folder / f"{name}{dca.credential_suffix(cred)}"
    dca.write_credential(cred, path)
    credential = load_credential(path)
    credential.tsa_url = tsa_url
    return sign_manifest(credential, MANIFEST)


def verify(p7s, trust, agency=POLICE, **kw):
    return verify_layer(1, p7s, MANIFEST, agency_name=agency.name, credit_code=agency.credit_code,
                        role="police", trust=trust, **kw)


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


def with_certificates(p7s: bytes, certs: list) -> bytes:
    ci = cms.ContentInfo.load(p7s)
    sd = ci["content"]
    sd["certificates"] = cms.CertificateSet([cms.CertificateChoices(name="certificate", value=c) for c in certs])
    return ci.dump(force=True)


def forged_twin(real: dca.IssuedCredential, victim_subject: x509.Name, *, serial: int | None = None) -> ax509.Certificate:
    """A self-made certificate with `real`'s issuer, serial number (unless given) and subject key
    identifier, but another subject."""
    key = dca.generate_key("sm2" if isinstance(real.key, sm2.SM2PrivateKey) else "ec")
    ski = real.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (x509.CertificateBuilder().add_extension(ski, critical=False).subject_name(victim_subject).issuer_name(real.cert.issuer)
               .public_key(dca._builder_key(real.key)).serial_number(serial or real.cert.serial_number)
               .not_valid_before(real.cert.not_valid_before_utc).not_valid_after(real.cert.not_valid_after_utc)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(dca.DEFAULT_SIGNER_KEY_USAGE, critical=True)
               .add_extension(x509.ExtendedKeyUsage(list(dca.DEFAULT_SIGNER_EKU)), critical=False))
    cert = dca._sign_cert(builder, real.key, key)  # the real signer's public key, signed by a stranger
    from cryptography.hazmat.primitives.serialization import Encoding

    return ax509.Certificate.load(cert.public_bytes(Encoding.DER))


# --- path 1: one agency signs as another ---------------------------------------------------------------


@pytest.mark.parametrize("fake_first", [True, False])
def test_path1_agency_b_cannot_sign_as_agency_a(env, fake_first):
    pki, trust, _, folder = env
    b = dca.issue_signer(pki.cas["police"], OTHER.name, OTHER.credit_code, role="police", key_type=kt(pki))
    honest = sign(b, folder, "agency-b")
    assert verify(honest, trust, OTHER).indication == "TOTAL_PASSED"  # B signing as B is fine
    assert codes(verify(honest, trust, POLICE)) == ["G009"]  # B claiming A without tricks: refused
    twin = forged_twin(b, pki.credentials["police"].cert.subject)  # A's subject and organizationIdentifier
    embedded = [c.chosen for c in cms.ContentInfo.load(honest)["content"]["certificates"]]
    forged = with_certificates(honest, [twin] + embedded if fake_first else embedded + [twin])
    result = verify(forged, trust, POLICE)
    assert codes(result) == ["G016"] and (result.indication, result.sub_indication) == ("TOTAL_FAILED",
                                                                                        "FORMAT_FAILURE")
    assert result.signer is None  # never the spoofed name
    # `inspect` does not show the spoofed signer either
    assert signature_summary(forged)[0] is None
    assert signature_summary(honest)[0] == f"{OTHER.name} 电子签章"


def test_same_certificate_twice_is_ambiguous(env):
    pki, trust, _, folder = env
    p7s = sign(pki.credentials["police"], folder, "twice")
    embedded = [c.chosen for c in cms.ContentInfo.load(p7s)["content"]["certificates"]]
    signer = [c for c in embedded if c.dump() == pki.credentials["police"].der]
    assert codes(verify(with_certificates(p7s, embedded + signer), trust)) == ["G016"]


def test_signer_certificate_comes_from_the_validation(env):
    pki, trust, _, folder = env
    result = verify(sign(pki.credentials["police"], folder, "good"), trust)
    assert result.indication == "TOTAL_PASSED" and result.signer_certificate == pki.credentials["police"].der


# --- path 5: an agency CA minting a TSA ---------------------------------------------------------------


def test_path5_agency_ca_cannot_mint_a_tsa(env):
    pki, trust, url, folder = env
    rogue = dca.issue_tsa(pki.cas["police"], name="公安机关CA自签的时间戳服务", key_type="sm2" if kt(pki) == "sm2" else "rsa")
    rogue_path = folder / f"rogue-tsa{dca.credential_suffix(rogue)}"
    dca.write_credential(rogue, rogue_path)
    server, rogue_url = serve_in_thread(LocalTSA(rogue_path))
    signer = dca.issue_signer(pki.cas["police"], POLICE.name, POLICE.credit_code, role="police", key_type=kt(pki))
    try:
        backdated = sign(signer, folder, "to-revoke", tsa_url=rogue_url)
    finally:
        server.shutdown()
    honest = sign(signer, folder, "to-revoke-2", tsa_url=url)
    now = dt.datetime.now(UTC)
    revoked_on, later = now + dt.timedelta(days=1), now + dt.timedelta(days=2)
    crl = dca.make_crl(pki.cas["police"], [(signer.cert.serial_number, revoked_on)], now=later, crl_number=2)
    revoked = dataclasses.replace(trust, agencies=tuple(
        dataclasses.replace(a, crls=(crl, pki.crls["root"])) if a.role == "police" else a for a in trust.agencies))
    result = verify(backdated, revoked, at=later)
    assert codes(result) == ["G022"] and result.indication != "TOTAL_PASSED"
    # Control: the same revoked signer with a token of the TSA the trust list names is saved by G013.
    control = verify(honest, revoked, at=later)
    assert control.indication == "TOTAL_PASSED" and codes(control) == ["G013"]


def test_trust_list_refuses_agency_ca_as_tsa_ca(env):
    pki, *_ = env
    tl = pki.trustlist
    as_tsa = TrustedTSA(name="x", ca_certs=(pki.cas["police"].der, pki.root.der), crls=(), tsa_certs=(pki.tsa.der,))
    with pytest.raises(TrustListError, match="agency's issuing CA"):
        trustlist_to_bytes(dataclasses.replace(tl, tsas=(as_tsa,)))
    # the shared root alone names no TSA: it is listed for agencies, so not dedicated to time-stamping
    root_only = TrustedTSA(name="x", ca_certs=(pki.root.der,), crls=(pki.crls["root"],))
    with pytest.raises(TrustListError, match="names no TSA"):
        trustlist_to_bytes(dataclasses.replace(tl, tsas=(root_only,)))
    # ... and the same refusals when such a file is read
    good = trustlist_to_bytes(tl)
    dedicated_only = dataclasses.replace(tl.tsas[0], tsa_certs=())  # the dedicated TSA CA suffices
    assert parse_trustlist(trustlist_to_bytes(dataclasses.replace(tl, tsas=(dedicated_only,))),
                           allow_unsigned=True).tsas == (dedicated_only,)
    import base64

    pin = base64.b64encode(pki.tsa.der).decode()
    tampered = good.replace(f"<TSACertificate>{pin}</TSACertificate>".encode(), b"").replace(
        base64.b64encode(pki.tsa_ca.der), base64.b64encode(pki.cas["police"].der)).replace(
        base64.b64encode(pki.crls["tsa"]), base64.b64encode(pki.crls["police"]))
    assert tampered != good
    with pytest.raises(TrustListError, match="agency's issuing CA|names no TSA"):
        parse_trustlist(tampered, allow_unsigned=True)


def test_tsa_needs_critical_time_stamping_eku(env):
    pki, trust, _, _ = env
    now = dt.datetime.now(UTC)
    key = dca.generate_key("sm2" if kt(pki) == "sm2" else "rsa")
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "EKU not critical")])
    cert = dca._sign_cert(
        x509.CertificateBuilder().subject_name(subject).issuer_name(pki.tsa_ca.cert.subject)
        .public_key(dca._builder_key(key)).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=False),
        key, pki.tsa_ca.key)
    pinned = dataclasses.replace(trust.tsas[0], tsa_certs=(cert.public_bytes(
        __import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.DER),))
    tl = dataclasses.replace(trust, tsas=(pinned,))
    assert tl.tsa_for(pinned.tsa_certs[0], now) is None  # pinned and from the TSA CA, but EKU not critical
    assert tl.tsa_for(pki.tsa.der, now) is None  # an entry with pins names exactly those certificates
    assert trust.tsa_for(pki.tsa.der, now) is not None
    assert trust.tsa_for(pki.tsa.der, pki.tsa_ca.cert.not_valid_after_utc + dt.timedelta(days=1)) is None


def test_every_time_stamp_token_is_judged(env):
    pki, trust, url, folder = env
    stamped = sign(pki.credentials["police"], folder, "stamped", tsa_url=url)
    assert verify(stamped, trust).indication == "TOTAL_PASSED"
    ci = cms.ContentInfo.load(stamped)
    si = ci["content"]["signer_infos"][0]
    (attr,) = si["unsigned_attrs"]
    token = attr["values"][0]
    # an extra (even valid) token
    si["unsigned_attrs"] = cms.CMSAttributes([cms.CMSAttribute({"type": "signature_time_stamp_token",
                                                                "values": [token, token]})])
    result = verify(ci.dump(force=True), trust)
    assert "G021" in codes(result) and result.indication != "TOTAL_PASSED"
    # an archive time stamp the profile does not define
    ci = cms.ContentInfo.load(stamped)
    si = ci["content"]["signer_infos"][0]
    si["unsigned_attrs"] = cms.CMSAttributes([
        si["unsigned_attrs"][0],
        cms.CMSAttribute({"type": "1.2.840.113549.1.9.16.2.48", "values": [core.Any.load(token.dump())]})])
    result = verify(ci.dump(force=True), trust)
    assert codes(result) == ["G021"] and result.indication == "TOTAL_FAILED"


# --- the --at / proof-of-existence case table (docs/signatures.md §3) --------------------------------


@pytest.fixture(scope="module")
def timeline(env):
    """Signatures made now (S), with and without a time stamp; revocation dates around S."""
    pki, trust, url, folder = env
    signer = dca.issue_signer(pki.cas["police"], POLICE.name, POLICE.credit_code, role="police", key_type=kt(pki))
    t0 = dt.datetime.now(UTC)
    b_b = sign(signer, folder, "tl-bb")
    b_t = sign(signer, folder, "tl-bt", tsa_url=url)
    signed = dt.datetime.now(UTC)

    def revoked_at(when, crl_time):
        crl = dca.make_crl(pki.cas["police"], [(signer.cert.serial_number, when)], now=crl_time, crl_number=2)
        return dataclasses.replace(trust, agencies=tuple(
            dataclasses.replace(a, crls=(crl, pki.crls["root"])) if a.role == "police" else a
            for a in trust.agencies))

    # revoked a moment after signing, and that moment has passed: "revoked before the validation time"
    r_past = signed + dt.timedelta(seconds=2)
    while dt.datetime.now(UTC) < r_past + dt.timedelta(seconds=1):
        time.sleep(0.2)
    return dict(b_b=b_b, b_t=b_t, t0=t0, signed=signed,
                past=revoked_at(r_past, r_past), r_past=r_past,
                future=revoked_at(t0 + dt.timedelta(days=1), t0 + dt.timedelta(days=2)),
                before=revoked_at(t0 - dt.timedelta(hours=1), t0))


DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)
# (row, revocation list, signature, --at relative to t0, poe relative to t0, expected codes, accepted)
CASES = [
    ("1 not revoked", None, "b_b", None, None, [], True),
    ("2 revoked before now, no proof", "past", "b_b", None, None, ["G005"], False),
    ("3 revoked before now, time stamp before it", "past", "b_t", None, None, ["G013"], True),
    ("4 revoked before now, poe before it", "past", "b_b", None, "t0", ["G013"], True),
    ("5 revoked before --at, no proof", "future", "b_b", 3 * DAY, None, ["G005"], False),
    ("5b revoked before --at, time stamp before it", "future", "b_t", 3 * DAY, None, ["G013"], True),
    ("5c revoked before --at, poe before it", "future", "b_b", 3 * DAY, "t0", ["G013"], True),
    ("6 revoked after --at, no proof", "future", "b_b", HOUR, None, ["G020"], True),
    ("7 revoked after --at, time stamp before it", "future", "b_t", HOUR, None, [], True),
    ("8 revoked after --at, poe before it", "future", "b_b", HOUR, "t0", [], True),
    ("9 signed after revocation, --at before it (path 6)", "before", "b_b", -2 * HOUR, None, ["G018"], False),
    ("10 signed after revocation, time stamp after it", "before", "b_t", None, None, ["G005"], False),
    ("11 signed after revocation, poe claims before it", "before", "b_b", None, -2 * HOUR, ["G018"], False),
]


@pytest.mark.parametrize("row, revocation, sig, at, poe, expected, accepted", CASES, ids=[c[0] for c in CASES])
def test_case_table(env, timeline, row, revocation, sig, at, poe, expected, accepted):
    _, trust, _, _ = env
    t0 = timeline["t0"]
    tl = timeline[revocation] if revocation else trust
    poe_time = None if poe is None else (timeline["signed"] if poe == "t0" else t0 + poe)
    result = verify(timeline[sig], tl, at=None if at is None else t0 + at, poe=poe_time)
    assert codes(result) == expected, [(f.code, f.message_en) for f in result.findings]
    assert (result.indication == "TOTAL_PASSED") is accepted
    if "G013" in expected:
        proof = "trusted time stamp" if sig == "b_t" else "proof of existence"
        assert proof in result.findings[0].message_en
    if expected == ["G020"]:
        assert (t0 + DAY).date().isoformat() in result.findings[0].message_en


# --- item 8: strict DER and required attributes -----------------------------------------------------


def test_der_problem_rejects_what_der_forbids():
    assert der_problem(bytes.fromhex("3003020101")) is None
    assert der_problem(bytes.fromhex("300402020001")) == "non-minimal INTEGER"  # 0x0001: leading zero
    assert der_problem(bytes.fromhex("30040202ff80")) == "non-minimal INTEGER"  # 0xff80 = -128 fits in 80
    assert der_problem(bytes.fromhex("30040202ff7f")) is None  # -129 needs two octets
    assert der_problem(bytes.fromhex("30020200")) == "empty INTEGER"
    assert der_problem(bytes.fromhex("3003010101")) == "BOOLEAN other than 00 or FF"
    assert der_problem(bytes.fromhex("3106020102020101")) == "SET OF not in ascending order"
    assert der_problem(bytes.fromhex("3106020101020102")) is None
    assert der_problem(bytes.fromhex("3080020101" "0000")) == "indefinite length"
    assert der_problem(bytes.fromhex("308103020101")) == "long-form length where the short form is required"


def _resigned(cred: dca.IssuedCredential, attrs_fn, *, sort=True) -> bytes:
    """A CAdES signature made by hand so that the signed attributes can be chosen (and left unsorted).
    With an SM2 credential: SM3 digests, SM2 signature (sm2-with-sm3), SM3 certificate hash."""
    import hashlib

    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.sign.general import as_signing_certificate_v2

    is_sm2 = isinstance(cred.key, sm2.SM2PrivateKey)
    digest, sig_alg = ("sm3", sm2.OID_SM2_WITH_SM3) if is_sm2 else ("sha256", "sha256_ecdsa")
    cert = ax509.Certificate.load(cred.der)
    attrs = attrs_fn(cert, hashlib.new(digest, MANIFEST).digest(), lambda c: as_signing_certificate_v2(c, digest))
    signed_attrs = cms.CMSAttributes(attrs)
    encoded = sorted_encoding = signed_attrs.dump(force=True)
    if not sort:  # reverse the (sorted) order of the SET OF members after encoding
        children, pos, body = [], 0, encoded[2 if encoded[1] < 0x80 else 2 + (encoded[1] & 0x7F):]
        while pos < len(body):
            first = body[pos + 1]
            n = 0 if first < 0x80 else first & 0x7F
            length = first if first < 0x80 else int.from_bytes(body[pos + 2:pos + 2 + n], "big")
            children.append(body[pos:pos + 2 + n + length])
            pos += 2 + n + length
        encoded = encoded[:len(encoded) - len(body)] + b"".join(reversed(children))
    to_sign = b"\x31" + encoded[1:]
    signature = sm2.sign(cred.key, to_sign) if is_sm2 else cred.key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
    si = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
            {"issuer": cert.issuer, "serial_number": cert.serial_number})}),
        "digest_algorithm": {"algorithm": digest},
        "signed_attrs": signed_attrs,
        "signature_algorithm": {"algorithm": sig_alg},
        "signature": signature,
    })
    chain = [ax509.Certificate.load(c.public_bytes(Encoding.DER)) for c in cred.chain]
    sd = cms.SignedData({
        "version": "v1", "digest_algorithms": [{"algorithm": digest}],
        "encap_content_info": {"content_type": "data"},
        "certificates": [cert] + chain, "signer_infos": [si]})
    out = cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump()
    if not sort:  # asn1crypto sorts on encoding; put the signed (unsorted) order back in
        assert out.count(sorted_encoding[1:]) == 1
        out = out.replace(sorted_encoding[1:], encoded[1:])
    return out


def _attrs(*, signing_time=True, scv2_cert=None):
    def build(cert, digest, scv2):
        attrs = [cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
                 cms.CMSAttribute({"type": "message_digest", "values": [digest]}),
                 cms.CMSAttribute({"type": "signing_certificate_v2", "values": [scv2(scv2_cert or cert)]})]
        if signing_time:
            attrs.append(cms.CMSAttribute({"type": "signing_time",
                                           "values": [cms.Time({"utc_time": dt.datetime.now(UTC)})]}))
        return attrs
    return build


def test_required_signed_attributes(env):
    pki, trust, _, _ = env
    cred = pki.credentials["police"]
    control = verify(_resigned(cred, _attrs()), trust)
    assert control.indication == "TOTAL_PASSED", codes(control)
    no_time = verify(_resigned(cred, _attrs(signing_time=False)), trust)
    assert codes(no_time) == ["G017"] and no_time.indication == "TOTAL_FAILED"
    other = ax509.Certificate.load(pki.credentials["court"].der)
    wrong = verify(_resigned(cred, _attrs(scv2_cert=other)), trust)
    assert codes(wrong) == ["G019"] and wrong.indication == "TOTAL_FAILED"


def test_unsorted_signed_attributes_are_not_der(env):
    pki, trust, _, _ = env
    result = verify(_resigned(pki.credentials["police"], _attrs(), sort=False), trust)
    assert codes(result) == ["G023"] and result.indication == "TOTAL_FAILED"


def test_non_minimal_integer_in_signature_is_not_der(env):
    pki, trust, _, folder = env
    p7s = sign(pki.credentials["police"], folder, "der")
    # SignedData version INTEGER 1 (02 01 01) re-encoded as 02 02 00 01: same value, not DER
    sd_header = p7s.index(bytes.fromhex("020101"))
    bad = p7s[:sd_header] + bytes.fromhex("02020001") + p7s[sd_header + 3:]

    def grow(buf, offsets):  # fix the enclosing lengths (each is a long form 82 xx xx)
        buf = bytearray(buf)
        for off in offsets:
            n = int.from_bytes(buf[off + 2:off + 4], "big") + 1
            buf[off + 2:off + 4] = n.to_bytes(2, "big")
        return bytes(buf)

    explicit = 4 + 2 + p7s[5]  # after the ContentInfo header and its content-type OID (RFC 5652 or GB/T 35275)
    bad = grow(bad, [0, explicit, explicit + 4])  # ContentInfo, [0] EXPLICIT, SignedData
    assert cms.ContentInfo.load(bad)["content"]["version"].native == "v1"
    result = verify(bad, trust)
    assert codes(result) == ["G023"] and "INTEGER" in result.findings[0].message_en


# --- item 8: a PDF that looks signed but that pyHanko cannot read ------------------------------------


def test_unreadable_pdf_signature_is_a_finding():
    broken = b"%PDF-1.7\n1 0 obj\n<< /Type /Sig /ByteRange [0 10 20 30] /Contents <00> >>\nendobj\n"
    out = verify_pdf_signatures("documents/001/0001.pdf", broken, agency=None)
    assert [f.code for f in out.findings] == ["G024"]
    assert verify_pdf_signatures("documents/001/0001.pdf", broken.replace(b"/ByteRange", b"/Other"),
                                 agency=None).findings == []


def test_subject_key_identifier_matching_two_certificates_is_ambiguous(env):
    from edossier.signing.cades import _matching_certs

    pki, *_ = env
    real = ax509.Certificate.load(pki.credentials["police"].der)
    # other serial number, same key identifier, another agency's subject
    twin = forged_twin(pki.credentials["police"], pki.credentials["court"].cert.subject, serial=12345)
    by_ski = cms.SignerIdentifier({"subject_key_identifier": real.key_identifier})
    by_serial = cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
        {"issuer": real.issuer, "serial_number": real.serial_number})})
    assert _matching_certs(by_serial, [real, twin]) == [real]
    assert _matching_certs(by_ski, [real]) == [real]
    assert _matching_certs(by_ski, [real, twin]) == [real, twin]  # -> G016 in verify_layer
