"""SM2/SM3 layers (issue #20, part B): GB/T 35275 SignedData made and judged, the forms other producers
write, SM3 manifests in packages, mixed SM2/ECDSA packages, receipts and the CLI with SM2 credentials.

The scenario twins of the RSA/ECDSA path (wrong CA, wrong role, revoked, missing CRL, expired, key
usage, time stamps, DER, required attributes) run in test_signatures.py, test_sig_soundness.py,
test_timestamps.py and test_revocation.py, parametrized over an ECDSA and an SM2 demo PKI.
"""

from __future__ import annotations

import base64
import io
import dataclasses
import datetime as dt
import hashlib
import json
import subprocess
import sys
import zipfile

import pytest
from asn1crypto import cms, x509 as ax509
from cryptography.hazmat.primitives.serialization import Encoding

from edossier.demo import ca as dca
from edossier.demo.pki import DEMO_AGENCIES, load_demo_trustlist
from edossier.signing import cades_sm2, sm2
from edossier.signing.cades import load_credential, sign_manifest
from edossier.signing.cades_verify import verify_layer
from edossier.validation.pipeline import validate_package

MANIFEST = b'<?xml version="1.0"?><asic:ASiCManifest xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"/>'
POLICE = DEMO_AGENCIES[0]
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
SM3_URI = b"urn:oid:1.2.156.10197.1.401"
SHA256_URI = b"http://www.w3.org/2001/04/xmlenc#sha256"


def verify(p7s, trust, manifest=MANIFEST, agency=POLICE):
    return verify_layer(1, p7s, manifest, agency_name=agency.name, credit_code=agency.credit_code,
                        role=agency.role, trust=trust)


def codes(result):
    return [f.code for f in result.findings]


def producer_cms(cred: dca.IssuedCredential, *, wrapper="signed_data", content_type="data",
                 algorithm=sm2.OID_SM2_WITH_SM3, raw=False, uid=sm2.DEFAULT_ID, attributes=None,
                 manifest=MANIFEST) -> bytes:
    """An SM2 SignedData as another producer may write it: RFC 5652 or GB/T 35275 content types, the
    signature algorithm under any of its OIDs, the signature DER or raw r‖s, any signed attributes."""
    cert = ax509.Certificate.load(cred.der)
    attrs = {
        "content_type": cms.CMSAttribute({"type": "content_type", "values": [content_type]}),
        "signing_time": cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": NOW})]}),
        "message_digest": cms.CMSAttribute({"type": "message_digest", "values": [sm2.sm3(manifest)]}),
        "signing_certificate_v2": cms.CMSAttribute({"type": "signing_certificate_v2",
                                                    "values": [cades_sm2._ess_cert_id_v2(cert)]}),
    }
    chosen = [attrs[k] for k in (attributes if attributes is not None else attrs)]
    signed = cms.CMSAttributes(sorted(chosen, key=lambda a: a.dump()))
    sig = sm2.sign(cred.key, signed.dump(), uid=uid)
    if raw:
        parsed = sm2.decode_signature(sig)[0]
        sig = sm2.encode_raw(parsed[1], parsed[2])
    si = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier(name="issuer_and_serial_number",
                                    value={"issuer": cert.issuer, "serial_number": cert.serial_number}),
        "digest_algorithm": {"algorithm": "sm3"}, "signed_attrs": signed,
        "signature_algorithm": {"algorithm": algorithm}, "signature": sig})
    sd = cms.SignedData({"version": "v1", "digest_algorithms": [{"algorithm": "sm3"}],
                         "encap_content_info": {"content_type": content_type},
                         "certificates": [cert] + [ax509.Certificate.load(c.public_bytes(Encoding.DER))
                                                   for c in cred.chain],
                         "signer_infos": [si]})
    return cms.ContentInfo({"content_type": wrapper, "content": sd}).dump()


@pytest.fixture(scope="module")
def sm2_demo(sm2_pki):
    return sm2_pki


# --- the layer signature edossier makes ----------------------------------------------------------------


def test_made_signature_is_gbt35275_with_the_profile_attributes(sm2_demo):
    cred = load_credential(sm2_demo.p12_paths["police"])
    assert cred.algorithm == "sm2" and cred.manifest_digest == "sm3"
    p7s = sign_manifest(cred, MANIFEST)
    ci = cms.ContentInfo.load(p7s)
    sd = ci["content"]
    si = sd["signer_infos"][0]
    assert ci["content_type"].dotted == "1.2.156.10197.6.1.4.2.2"  # GB/T 35275 signedData
    assert sd["encap_content_info"]["content_type"].dotted == "1.2.156.10197.6.1.4.2.1"  # GB/T 35275 data
    assert sd["encap_content_info"]["content"].native is None  # detached
    assert si["digest_algorithm"]["algorithm"].dotted == "1.2.156.10197.1.401"  # SM3
    assert si["signature_algorithm"]["algorithm"].dotted == "1.2.156.10197.1.501"  # SM2 with SM3
    attrs = {a["type"].native: a["values"][0] for a in si["signed_attrs"]}
    assert set(attrs) == {"content_type", "message_digest", "signing_time", "signing_certificate_v2"}
    assert attrs["message_digest"].native == hashlib.new("sm3", MANIFEST).digest()
    ess = attrs["signing_certificate_v2"]["certs"][0]
    assert ess["hash_algorithm"]["algorithm"].dotted == "1.2.156.10197.1.401"
    assert ess["cert_hash"].native == hashlib.new("sm3", sm2_demo.credentials["police"].der).digest()
    # The signature verifies over the DER SET OF the signed attributes with the GM/T 0009 default ID
    # and with no other ID: e = SM3(Z‖M), Z over ENTL‖ID‖a‖b‖G‖P.
    public = sm2.public_key_from_spki(ax509.Certificate.load(sm2_demo.credentials["police"].der).public_key)
    signed = si["signed_attrs"].untag().dump()
    assert sm2.verify(public, signed, si["signature"].native, uid=b"1234567812345678") == "der"
    assert sm2.verify(public, signed, si["signature"].native, uid=b"") is None
    result = verify(p7s, sm2_demo.trustlist)
    assert (result.indication, codes(result)) == ("TOTAL_PASSED", [])
    assert result.algorithm == ("SM2/SM3: GB/T 35275 (signedData 1.2.156.10197.6.1.4.2.2), "
                                "sm2-with-sm3 (1.2.156.10197.1.501), DER SEQUENCE{r, s}")
    assert result.to_dict()["algorithm"] == result.algorithm


# --- what other producers write -------------------------------------------------------------------------


@pytest.mark.parametrize("wrapper, content_type, algorithm, raw, form", [
    ("signed_data", "data", sm2.OID_SM2_WITH_SM3, False, "RFC 5652 (signedData 1.2.840.113549.1.7.2), sm2-with-sm3"),
    ("signed_data", "data", sm2.OID_SM2_SIGN, False, "RFC 5652 (signedData 1.2.840.113549.1.7.2), sm2-1"),
    ("signed_data", "data", sm2.OID_EC_PUBLIC_KEY, False, "id-ecPublicKey (1.2.840.10045.2.1) with an SM2 key"),
    ("gbt35275_signed_data", "gbt35275_data", sm2.OID_SM2_SIGN, False, "GB/T 35275 (signedData 1.2.156.10197.6.1.4.2.2), sm2-1"),
    ("gbt35275_signed_data", "gbt35275_data", sm2.OID_SM2_WITH_SM3, True, "raw r‖s (64 bytes)"),
])
def test_other_producers_forms_are_accepted_and_named(sm2_demo, wrapper, content_type, algorithm, raw, form):
    p7s = producer_cms(sm2_demo.credentials["police"], wrapper=wrapper, content_type=content_type,
                       algorithm=algorithm, raw=raw)
    result = verify(p7s, sm2_demo.trustlist)
    assert (result.indication, codes(result)) == ("TOTAL_PASSED", []), [f.message_en for f in result.findings]
    assert form in result.algorithm


def test_empty_signer_id_is_accepted_and_named(sm2_demo):
    """The path hook accepts the empty ID that OpenSSL before 4.0 signs with (sm2_x509.CERTIFICATE_IDS);
    for a layer signature the report says so, since GM/T 0009 names 1234567812345678."""
    result = verify(producer_cms(sm2_demo.credentials["police"], uid=b""), sm2_demo.trustlist)
    assert (result.indication, codes(result)) == ("TOTAL_PASSED", [])
    assert "empty signer ID" in result.algorithm
    assert "empty signer ID" not in verify(producer_cms(sm2_demo.credentials["police"]), sm2_demo.trustlist).algorithm


@pytest.mark.parametrize("label, kw", [
    ("another signer ID", {"uid": b"police@example.cn"}),
    ("ecdsa-with-SHA256 named with an SM2 key", {"algorithm": "sha256_ecdsa"}),
])
def test_what_is_not_an_sm2_signature_with_the_default_id(sm2_demo, label, kw):
    result = verify(producer_cms(sm2_demo.credentials["police"], **kw), sm2_demo.trustlist)
    assert codes(result) == ["G002"] and result.sub_indication == "SIG_CRYPTO_FAILURE", label


def test_missing_signed_attributes_are_each_reported(sm2_demo):
    """A foreign SM2 signature without signing-time and signing-certificate-v2: both named, not guessed."""
    cred = sm2_demo.credentials["police"]
    p7s = producer_cms(cred, attributes=["content_type", "message_digest"])
    result = verify(p7s, sm2_demo.trustlist)
    assert sorted(codes(result)) == ["G011", "G017"] and result.indication == "TOTAL_FAILED"
    assert "signing-certificate-v2" in " ".join(f.message_en for f in result.findings)
    # without message-digest or content-type CMS cannot bind the content: not intact / not CMS
    for kept in (["content_type", "signing_time", "signing_certificate_v2"],
                 ["message_digest", "signing_time", "signing_certificate_v2"]):
        result = verify(producer_cms(cred, attributes=kept), sm2_demo.trustlist)
        assert result.indication == "TOTAL_FAILED" and codes(result) in (["G001"], ["G002"]), kept


def test_manifest_changed_and_signature_damaged(sm2_demo):
    p7s = sign_manifest(load_credential(sm2_demo.p12_paths["court"]), MANIFEST)
    court = next(a for a in DEMO_AGENCIES if a.role == "court")
    assert verify(p7s, sm2_demo.trustlist, agency=court).indication == "TOTAL_PASSED"
    assert codes(verify(p7s, sm2_demo.trustlist, MANIFEST + b" ", agency=court)) == ["G002"]
    si = cms.ContentInfo.load(p7s)["content"]["signer_infos"][0]
    sig = si["signature"].native
    at = p7s.index(sig)
    damaged = p7s[:at + 10] + bytes([p7s[at + 10] ^ 1]) + p7s[at + 11:]
    result = verify(damaged, sm2_demo.trustlist, agency=court)
    assert codes(result) == ["G002"] and result.sub_indication == "SIG_CRYPTO_FAILURE"


def test_revoked_signer_without_crl_distribution_point(sm2_demo, tmp_path):
    """Twin of test_signature_scenarios: pyhanko ignores CRLs for a certificate without a CRL DP unless
    revocation is required; an SM2 CRL revokes it all the same."""
    ca = dataclasses.replace(sm2_demo.cas["police"], crl_url=None)
    cred = dca.issue_signer(ca, POLICE.name, POLICE.credit_code, role="police", key_type="sm2")
    path = tmp_path / "s.pem"
    dca.write_credential(cred, path)
    p7s = sign_manifest(load_credential(path), MANIFEST)
    assert verify(p7s, sm2_demo.trustlist).indication == "TOTAL_PASSED"
    crl = dca.make_crl(sm2_demo.cas["police"], [(cred.cert.serial_number, dt.datetime.now(dt.timezone.utc))],
                       crl_number=2)
    trust = dataclasses.replace(sm2_demo.trustlist, agencies=tuple(
        dataclasses.replace(a, crls=(crl, sm2_demo.crls["root"])) if a.role == "police" else a
        for a in sm2_demo.trustlist.agencies))
    result = verify(p7s, trust)
    assert codes(result) == ["G005"] and result.indication != "TOTAL_PASSED"


def test_trust_list_carries_sm2_certificates_unchanged(sm2_demo):
    tl = load_demo_trustlist(sm2_demo.out_dir)
    police = tl.find(POLICE.credit_code, "police")
    assert set(police.ca_certs) == {sm2_demo.cas["police"].der, sm2_demo.root.der}
    assert all(sm2.is_sm2_spki(ax509.Certificate.load(c).public_key) for c in police.ca_certs)
    assert set(police.crls) == {sm2_demo.crls["police"], sm2_demo.crls["root"]}


# --- packages: SM3 manifests, mixed layers, receipts ----------------------------------------------------


def _manifests(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.startswith("META-INF/ASiCManifest")}


def test_sm2_package_has_sm3_manifests_and_validates(sm2_three_layers, sm2_pki, tmp_path):
    p3 = sm2_three_layers["packages"][2]
    for name, data in _manifests(p3).items():
        assert SM3_URI in data and SHA256_URI not in data, name
    with zipfile.ZipFile(p3) as zf:  # the digests are SM3 digests of the members (GB/T 32905)
        m = zf.read("META-INF/ASiCManifest003.xml").decode()
        record = zf.read("dossier/001.xml")
    assert base64.b64encode(hashlib.new("sm3", record).digest()).decode() in m
    report = validate_package(p3, trust=sm2_pki.trustlist)
    assert report.verdict == "accept", [(f.code, f.message_en) for f in report.findings]
    assert all("SM2/SM3" in layer.signature.algorithm for layer in report.layers)
    # one changed byte in a document is found through the SM3 digests
    tampered = tmp_path / "t.edp"
    with zipfile.ZipFile(p3) as zin, zipfile.ZipFile(tampered, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "documents/001/0001.pdf":
                data = data[:200] + bytes([data[200] ^ 1]) + data[201:]
            zout.writestr(info, data)
    report = validate_package(tampered, trust=sm2_pki.trustlist)
    assert report.verdict == "reject" and "I001" in {f.code for f in report.findings}


@pytest.mark.parametrize("order", [("sm2", "ec", "sm2"), ("ec", "sm2", "ec")])
def test_mixed_packages_accept(sm2_pki, pki, tmp_path, order):
    """Police SM2 → procuratorate ECDSA → court SM2, and the reverse (ECDSA first, SM2 between): every
    layer's manifest uses its signer's digest family and covers everything before it again."""
    from edossier.building.pipeline import append_layer, build_package
    from conftest import make_source

    roles = ("police", "procuratorate", "court")
    agencies = {a.role: a for a in sm2_pki.trustlist.agencies}
    ec_tl = load_demo_trustlist(pki)  # the session's ECDSA demo PKI: same agencies, other CAs
    trust_entries, creds = [], {}
    for role, algorithm in zip(roles, order):
        if algorithm == "sm2":
            creds[role] = load_credential(sm2_pki.p12_paths[role])
            trust_entries.append(sm2_pki.trustlist.find(agencies[role].credit_code, role))
        else:
            creds[role] = load_credential(pki / f"{role}.p12")
            trust_entries.append(ec_tl.find(agencies[role].credit_code, role))
    trust = dataclasses.replace(sm2_pki.trustlist, agencies=tuple(trust_entries), tsas=sm2_pki.trustlist.tsas + ec_tl.tsas)
    src = [make_source(tmp_path / f"src-{r}", agencies[r], docs=[(doc, t, 1)], volumes=((f"v{i}", "卷"),),
                       with_case=(i != 1))
           for i, (r, doc, t) in enumerate(zip(roles, ("d1", "p1", "c1"), ("立案决定书", "起诉书", "刑事判决书")))]
    p = [tmp_path / f"{i}.edp" for i in (1, 2, 3)]
    build_package(src[0], p[0], creds["police"])
    append_layer(p[0], src[1], p[1], creds["procuratorate"])
    append_layer(p[1], src[2], p[2], creds["court"])
    report = validate_package(p[2], trust=trust)
    assert report.verdict == "accept", [(f.code, f.message_en) for f in report.findings]
    families = ["SM2" if "SM2" in layer.signature.algorithm else "ECDSA" for layer in report.layers]
    assert families == ["SM2" if a == "sm2" else "ECDSA" for a in order]
    manifests = _manifests(p[2])
    for n, algorithm in enumerate(order, start=1):
        assert (SM3_URI if algorithm == "sm2" else SHA256_URI) in manifests[f"META-INF/ASiCManifest{n:03d}.xml"]


def test_receipt_signed_with_sm2(sm2_three_layers, sm2_pki, tmp_path):
    from edossier.receipt import make_receipt, validate_receipt

    p2 = sm2_three_layers["packages"][1]
    out = tmp_path / "r.edr"
    r = make_receipt(p2, out, sm2_three_layers["creds"]["court"], trust=sm2_pki.trustlist)
    assert r.verdict == "accept" and r.receiver_role == "court"
    check = validate_receipt(out, trust=sm2_pki.trustlist, package=p2)
    assert check.verdict == "accept" and check.binds is True
    assert "SM2/SM3" in check.signature.algorithm
    with zipfile.ZipFile(out) as zf:  # the receipt format names SHA-256 digests; its manifest too
        assert SHA256_URI in zf.read("META-INF/ASiCManifest001.xml")


# --- the CLI ---------------------------------------------------------------------------------------------


def run(*args):
    return subprocess.run([sys.executable, "-m", "edossier.cli.main", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def test_cli_keys_build_validate_revoke_with_sm2(tmp_path, sm2_three_layers):
    """Twin of test_keys_issue_and_revoke_cli: an SM2 demo PKI, a new SM2 officer credential (PEM),
    build, validate (accept), revoke, validate (G005)."""
    pki = tmp_path / "pki"
    res = run("keys", "demo", pki, "--algorithm", "sm2")
    assert res.returncode == 0, res.stderr
    assert (pki / "police.pem").is_file() and not (pki / "police.p12").exists()
    res = run("keys", "issue", pki, "--role", "police", "--name", POLICE.name, "--credit-code", POLICE.credit_code,
              "-o", tmp_path / "officer.pem")
    assert res.returncode == 0, res.stderr
    res = run("build", sm2_three_layers["sources"][0], "-o", tmp_path / "a.edp", "--signer", tmp_path / "officer.pem")
    assert res.returncode == 0, res.stderr
    assert SM3_URI in _manifests(tmp_path / "a.edp")["META-INF/ASiCManifest001.xml"]
    anchor = ("--trust", pki / "trustlist.xml", "--trust-anchor", pki / "trust-anchor.pem")
    res = run("validate", tmp_path / "a.edp", *anchor, "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    layer = json.loads(res.stdout)["packages"][0]["layers"][0]
    assert layer["signature"]["algorithm"].startswith("SM2/SM3: GB/T 35275")
    res = run("keys", "revoke", pki, "--role", "police", "--cert", tmp_path / "officer.pem")
    assert res.returncode == 0, res.stderr
    res = run("validate", tmp_path / "a.edp", *anchor, "--format", "json")
    assert res.returncode == 1 and '"G005"' in res.stdout


def test_cli_receipt_and_append_with_sm2(tmp_path, sm2_three_layers, sm2_pki):
    p1 = sm2_three_layers["packages"][0]
    out = tmp_path / "2.edp"
    res = run("append", p1, sm2_three_layers["sources"][1], "-o", out, "--signer", sm2_pki.p12_paths["procuratorate"])
    assert res.returncode == 0, res.stderr
    tl = ("--trust", sm2_pki.out_dir / "trustlist.xml", "--trust-anchor", sm2_pki.anchor_path)
    res = run("receipt", out, "--signer", sm2_pki.p12_paths["court"], *tl, "-o", tmp_path / "r.edr")
    assert res.returncode == 0, res.stderr
    res = run("validate-receipt", tmp_path / "r.edr", *tl, "--package", out, "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    assert json.loads(res.stdout)["valid"] is True


def test_cli_bad_sm2_credentials(tmp_path, sm2_pki):
    """Hostile credential files: a clear error in both languages (exit 2), never a traceback."""
    source = tmp_path / "src"
    from conftest import make_source

    make_source(source, sm2_pki.trustlist.agencies[0], docs=[("d1", "立案决定书", 1)])
    pem = sm2_pki.p12_paths["police"].read_bytes()
    key_only = pem[:pem.index(b"-----BEGIN CERTIFICATE")]
    certs_only = pem[pem.index(b"-----BEGIN CERTIFICATE"):]
    other_key = sm2.private_key_pem(sm2.generate_private_key())
    cases = {"key only": key_only, "certificates only": certs_only, "another key": other_key + certs_only,
             "garbage PEM": b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"}
    for label, data in cases.items():
        cred = tmp_path / f"{label.replace(' ', '-')}.pem"
        cred.write_bytes(data)
        for lang in ("en", "zh-CN"):
            res = run("--lang", lang, "build", source, "-o", tmp_path / "x.edp", "--signer", cred)
            assert res.returncode == 2 and "Traceback" not in res.stderr, (label, res.stderr)
        assert not (tmp_path / "x.edp").exists()


def test_inspect_shows_the_sm2_signer(sm2_three_layers):
    from edossier.signing.cades_verify import signature_summary

    with zipfile.ZipFile(sm2_three_layers["packages"][0]) as zf:
        signer, when = signature_summary(zf.read("META-INF/signature001.p7s"))
    assert signer == f"{POLICE.name} 电子签章" and when is not None


# --- the conformance corpus's SM2 cases --------------------------------------------------------------------


def test_deterministic_sm2_signature_of_the_corpus():
    """The corpus's SM2 signatures (GB/T 32918.2 §6.1 with a derived nonce) are valid SM2 signatures,
    the same bytes every time for the same key and message, and different for another message."""
    from edossier.conformance.signing import deterministic_sm2_sign

    key = sm2.private_key_from_scalar(0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8)
    a, b = deterministic_sm2_sign(key, b"message digest"), deterministic_sm2_sign(key, b"message digest")
    assert a == b and sm2.verify(key.public, b"message digest", a) == "der"
    assert sm2.verify(key.public, b"message digest", a, uid=b"") is None
    other = deterministic_sm2_sign(key, b"message digesT")
    assert other != a and sm2.verify(key.public, b"message digest", other) is None
    # random-nonce signatures of the same message differ (sm2.sign is not deterministic)
    assert sm2.sign(key, b"message digest") != sm2.sign(key, b"message digest")


def test_conformance_sm2_cases_generate_reproducibly_and_pass(tmp_path):
    """The SM2 cases, generated twice from a copy of the committed corpus PKI (its SM2 part made on
    the first run), give the same bytes, and edossier judges each as its expected.json says."""
    import shutil

    from edossier.conformance import default_corpus
    from edossier.conformance.generate import generate
    from edossier.conformance.run import Corpus, CorpusCase, run_in_process

    pki = tmp_path / "pki"
    shutil.copytree(default_corpus() / "pki", pki)
    made = generate(tmp_path / "a", pki=pki, only=["sm2", "sm3"])
    assert {c.id for c in made} >= {"good/none_sm2-police-layer", "good/none_sm2-then-rsa-layers",
                                    "bad/G002_sm2-signature-changed", "bad/G003_sm2-ca-of-another-role",
                                    "bad/G005_sm2-signer-revoked", "bad/I001_sm3-document-changed",
                                    "bad/S002_manifest-mixes-sm3-and-sha256"}
    generate(tmp_path / "b", pki=pki, only=["sm2", "sm3"])
    for c in made:
        assert (tmp_path / "a" / c.id / "package.edp").read_bytes() == (tmp_path / "b" / c.id / "package.edp").read_bytes()
    folder = tmp_path / "a"
    index = json.loads((folder / "corpus.json").read_text("utf-8"))
    cases = tuple(CorpusCase(c.id, c.klass, folder / c.id, c.verdict, c.required, tuple(sorted(c.allowed)))
                  for c in made)
    corpus = Corpus(folder, dt.datetime.fromisoformat(index["validation_time"].replace("Z", "+00:00")),
                    folder / "trustlist.xml", cases, folder / "trust-anchor.pem")
    outcomes = run_in_process(corpus, jobs=1)
    assert [(o.case.id, o.problems) for o in outcomes if not o.passed] == []
    with zipfile.ZipFile(folder / "good/none_sm2-police-layer/package.edp") as zf:
        assert SM3_URI in zf.read("META-INF/ASiCManifest001.xml")


def test_manifest_swapped_between_sm2_layers(sm2_three_layers, sm2_pki, tmp_path):
    """Twin of test_signature_scenarios.test_manifest_swapped_between_layers, with SM3 manifests."""
    src = sm2_three_layers["packages"][1]
    bad = tmp_path / "swapped.edp"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        m1, m2 = zin.read("META-INF/ASiCManifest001.xml"), zin.read("META-INF/ASiCManifest002.xml")
        for info in zin.infolist():
            data = zin.read(info)
            data = {"META-INF/ASiCManifest001.xml": m2, "META-INF/ASiCManifest002.xml": m1}.get(info.filename, data)
            zout.writestr(info, data)
    report = validate_package(bad, trust=sm2_pki.trustlist)
    assert report.verdict == "reject" and {"S002", "S003", "G002"} <= {f.code for f in report.findings}


# --- SM2 signatures inside documents (PAdES by another producer) ---------------------------------------


def _sm2_signed_pdf(tmp_path, cred) -> bytes:
    """A PDF signed with SM2 as other producers do it: pyHanko's CMS (RFC 5652 wrapping, SM3 digest,
    sm2-with-sm3) with the SM2 signature computed by sm2.py through a pyHanko Signer."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore
    from asn1crypto import algos

    from conftest import scan
    from edossier.pdfmake.scans import images_to_pdfa

    class SM2PdfSigner(signers.Signer):
        def __init__(self):
            s = cred.signer
            super().__init__(signing_cert=s.signing_cert, cert_registry=SimpleCertificateStore.from_certs(
                list(s.cert_registry)), signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": sm2.OID_SM2_WITH_SM3}))

        async def async_sign_raw(self, data, digest_algorithm, dry_run=False):
            return bytes(72) if dry_run else sm2.sign(cred.signer.key, data)

    pdf, _ = images_to_pdfa([scan(tmp_path / "p.jpg", "record")], title="讯问笔录", author=None,
                            created=dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc))
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)),
                            signers.PdfSignatureMetadata(field_name="Officer", md_algorithm="sm3"),
                            signer=SM2PdfSigner()).getvalue()


def test_sm2_signature_inside_a_document(sm2_pki, tmp_path):
    from edossier.signing.pades import verify_pdf_signatures

    police = sm2_pki.trustlist.find(POLICE.credit_code, "police")
    court = sm2_pki.trustlist.find(next(a for a in DEMO_AGENCIES if a.role == "court").credit_code, "court")
    pdf = _sm2_signed_pdf(tmp_path, load_credential(sm2_pki.p12_paths["police"]))
    ok = verify_pdf_signatures("documents/001/0001.pdf", pdf, agency=police)
    assert (ok.count, ok.covers_whole_file, ok.findings) == (1, True, [])
    assert [f.code for f in verify_pdf_signatures("x.pdf", pdf, agency=court).findings] == ["G014"]  # other CA
    damaged = bytearray(pdf)
    damaged[pdf.index(b"/Title") + 1] = ord("t")  # inside the signed byte range
    assert [f.code for f in verify_pdf_signatures("x.pdf", bytes(damaged), agency=police).findings] == ["G014"]


def test_no_receipt_with_a_revoked_sm2_credential(sm2_three_layers, tmp_path):
    """Twin of test_receipt.test_no_receipt_is_written_with_a_revoked_credential: the receipt's SM2
    signature is judged before the file exists; revoked in the SM2 court CA's CRL, nothing is written."""
    from edossier.demo.pki import revoke_in_demo
    from edossier.receipt import ReceiptError, make_receipt

    pki = make_demo_pki_sm2(tmp_path / "pki")
    court = load_credential(pki.p12_paths["court"])
    revoke_in_demo(pki.out_dir, "court", pki.credentials["court"].cert.serial_number)
    out = tmp_path / "r.edr"
    with pytest.raises(ReceiptError) as exc:
        make_receipt(sm2_three_layers["packages"][0], out, court, trust=load_demo_trustlist(pki.out_dir))
    assert "own signature would not verify" in exc.value.en and "G005" in exc.value.en and not out.exists()


def make_demo_pki_sm2(folder):
    from edossier.demo.pki import make_demo_pki

    return make_demo_pki(folder, key_type="sm2")


@pytest.mark.skipif(not __import__("shutil").which("openssl"), reason="openssl writes the PKCS#12 file")
def test_sm2_pfx_credential_signs_a_layer(sm2_pki, tmp_path):
    """An SM2 .pfx as a national CA issues it (cryptography cannot read it; sm2_p12.py can) is a signing
    credential like the PEM file; an ECDSA PEM credential (key + certificates) loads too."""
    pfx = tmp_path / "police.pfx"
    subprocess.run(["openssl", "pkcs12", "-export", "-in", sm2_pki.p12_paths["police"], "-out", pfx,
                    "-passout", "pass:pfx-口令"], check=True, capture_output=True)
    cred = load_credential(pfx, "pfx-口令".encode())
    assert cred.algorithm == "sm2" and cred.organization_id == POLICE.credit_code
    assert verify(sign_manifest(cred, MANIFEST), sm2_pki.trustlist).indication == "TOTAL_PASSED"
    from edossier.signing.cades import CredentialError

    with pytest.raises(CredentialError) as exc:
        load_credential(pfx, b"wrong")
    assert "passphrase" in exc.value.en and exc.value.zh


def test_ecdsa_pem_credential(pki, tmp_path):
    from edossier.demo.pki import load_demo_ca

    ca = load_demo_ca(pki, "police")
    cred = dca.issue_signer(ca, POLICE.name, POLICE.credit_code, role="police")
    path = tmp_path / "ecdsa.pem"
    path.write_bytes(dca.key_pem(cred.key) + cred.cert.public_bytes(Encoding.PEM)
                     + b"".join(c.public_bytes(Encoding.PEM) for c in cred.chain))
    loaded = load_credential(path)
    assert loaded.algorithm == "ecdsa" and loaded.manifest_digest == "sha256"
    assert verify(sign_manifest(loaded, MANIFEST), load_demo_trustlist(pki)).indication == "TOTAL_PASSED"


def test_gbt35275_content_types_belong_to_sm2(pki):
    """An ECDSA signature re-wrapped in the GB/T 35275 content types is not the RSA/ECDSA profile (G001)."""
    ecdsa = sign_manifest(load_credential(pki / "police.p12"), MANIFEST)
    ci = cms.ContentInfo.load(ecdsa)
    rewrapped = cms.ContentInfo({"content_type": "gbt35275_signed_data", "content": ci["content"]}).dump()
    trust = load_demo_trustlist(pki)
    assert verify(ecdsa, trust).indication == "TOTAL_PASSED"
    result = verify(rewrapped, trust)
    assert codes(result) == ["G001"] and "GB/T 35275" in result.findings[0].message_en
