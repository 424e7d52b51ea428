"""Signed trust lists (docs/spec.md §9.1, issue #13 item 7): hostile lists are refused, opt-outs are
recorded on every report, and every report format names the list's digest, sequence and signer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from lxml import etree

from edossier.cli.main import main
from edossier.demo.ca import issue_trustlist_operator, make_root_ca
from edossier.demo.pki import DEMO_AGENCIES, load_demo_trustlist, make_demo_pki
from edossier.signing.trustlist import load_trustlist, parse_trustlist
from edossier.signing.trustlist_model import DS_NS, NS, TrustListError
from edossier.signing.trustlist_write import trustlist_to_bytes, write_trustlist

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return make_demo_pki(tmp_path_factory.mktemp("tlpki"), now=NOW)


def _refused(data: bytes, anchor, needle_en: str, needle_zh: str, **kw) -> TrustListError:
    with pytest.raises(TrustListError) as ei:
        parse_trustlist(data, anchor=anchor, **kw)
    assert needle_en in ei.value.en, ei.value.en
    assert needle_zh in ei.value.zh, ei.value.zh
    return ei.value


def test_signed_list_verifies_and_states_its_facts(demo):
    data = demo.trustlist_path.read_bytes()
    tl = parse_trustlist(data, anchor=demo.anchor_path)
    assert tl.signed and not tl.waivers and tl.findings() == []
    assert tl.digest == hashlib.sha256(data).hexdigest()
    assert tl.sequence == 1
    assert "edossier 演示信任列表运营方" in tl.signer
    # The anchor may be given as a certificate object, PEM or DER bytes.
    der = demo.operator.cert.public_bytes(serialization.Encoding.DER)
    for anchor in (demo.operator.cert, der, demo.anchor_path.read_bytes()):
        assert parse_trustlist(data, anchor=anchor).signed


def test_content_changed_after_signing(demo):
    data = demo.trustlist_path.read_bytes()
    # Add an agency's worth of change: rename the police entry (a content change, still schema-valid).
    changed = data.replace("深圳市公安局南山分局".encode(), "深圳市公安局福田分局".encode(), 1)
    assert changed != data
    _refused(changed, demo.anchor_path, "signature is not acceptable", "签名不可接受")
    # Also a change of one attribute only (the sequence number: a replayed list re-numbered).
    renumbered = data.replace(b'sequence="1"', b'sequence="9"', 1)
    _refused(renumbered, demo.anchor_path, "signature is not acceptable", "签名不可接受")


def test_wrapped_signed_list_is_refused(demo):
    """A forged outer TrustList around the signed one: the signature is not a child of the root."""
    signed = etree.fromstring(demo.trustlist_path.read_bytes())
    outer = etree.fromstring(trustlist_to_bytes(dataclasses.replace(demo.trustlist, name="forged")))
    outer.append(signed)
    data = etree.tostring(outer, xml_declaration=True, encoding="UTF-8")
    with pytest.raises(TrustListError) as ei:
        parse_trustlist(data, anchor=demo.anchor_path)
    assert ei.value.zh
    # The signature moved up to the outer root, over a forged list: the digest no longer matches.
    sig = signed.find(f"{{{DS_NS}}}Signature")
    outer2 = etree.fromstring(trustlist_to_bytes(dataclasses.replace(demo.trustlist, name="forged")))
    outer2.append(sig)
    data2 = etree.tostring(outer2, xml_declaration=True, encoding="UTF-8")
    _refused(data2, demo.anchor_path, "signature is not acceptable", "签名不可接受")


def test_second_signature_is_refused(demo):
    root = etree.fromstring(demo.trustlist_path.read_bytes())
    sig = root.find(f"{{{DS_NS}}}Signature")
    agency = root.find(f"{{{NS}}}Agency")
    agency.append(etree.fromstring(etree.tostring(sig)))
    # The schema already refuses a signature inside an entry (the verifier would too: exactly one, a
    # child of the root).
    _refused(etree.tostring(root), demo.anchor_path, "Signature", "Signature")


def test_signed_by_another_key(demo, tmp_path):
    from cryptography.x509.oid import NameOID

    cn = demo.operator.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    intruder = issue_trustlist_operator(now=NOW, name=cn)
    forged = tmp_path / "forged.xml"
    write_trustlist(demo.trustlist, forged, signer=intruder)  # same subject, another key
    with pytest.raises(TrustListError) as ei:
        load_trustlist(forged, anchor=demo.anchor_path)
    assert "neither the trust anchor" in ei.value.en and "既不是信任锚" in ei.value.zh


def test_anchor_certificate_with_another_key_in_keyinfo(demo, tmp_path):
    """The KeyInfo names the anchor's certificate, but the value was made with another key."""
    intruder = issue_trustlist_operator(now=NOW)
    data = trustlist_to_bytes(demo.trustlist, signer=intruder)
    root = etree.fromstring(data)
    cert_el = root.find(f"{{{DS_NS}}}Signature/{{{DS_NS}}}KeyInfo/{{{DS_NS}}}X509Data/{{{DS_NS}}}X509Certificate")
    import base64

    cert_el.text = base64.b64encode(demo.operator.cert.public_bytes(serialization.Encoding.DER)).decode()
    _refused(etree.tostring(root), demo.anchor_path, "signature is not acceptable", "签名不可接受")


def test_signer_issued_by_the_anchor_ca(demo, tmp_path):
    """The anchor may be the CA that issued the operator's certificate; a CA the anchor issued, or a
    certificate from another CA, may not sign."""
    from edossier.demo.ca import IssuedCredential, issue_signer

    ca = make_root_ca(now=NOW, name="信任列表运营 CA")
    op = issue_signer(ca, "运营方", DEMO_AGENCIES[0].credit_code, now=NOW)
    anchor = ca.cert
    data = trustlist_to_bytes(demo.trustlist, signer=op)
    assert parse_trustlist(data, anchor=anchor).signed
    # The demo root CA issued every agency's issuing CA: naming it as anchor must not let an issuing
    # CA (a CA, not an end entity) sign a trust list.
    issuing = demo.cas["police"]
    data = trustlist_to_bytes(demo.trustlist, signer=IssuedCredential(issuing.cert, issuing.key, (), "x", ""))
    _refused(data, demo.root.cert, "neither the trust anchor", "既不是信任锚")
    # A certificate from another CA is not anchored.
    other = issue_signer(make_root_ca(now=NOW), "运营方", DEMO_AGENCIES[0].credit_code, now=NOW)
    _refused(trustlist_to_bytes(demo.trustlist, signer=other), anchor, "neither the trust anchor", "既不是信任锚")


def test_only_enveloped_and_exclusive_c14n(demo):
    root = etree.fromstring(demo.trustlist_path.read_bytes())
    transform = root.find(f".//{{{DS_NS}}}Transform")
    transform.addnext(etree.Element(f"{{{DS_NS}}}Transform", Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"))
    _refused(etree.tostring(root), demo.anchor_path, "only the enveloped-signature", "只允许")
    root = etree.fromstring(demo.trustlist_path.read_bytes())
    root.find(f".//{{{DS_NS}}}Reference").set("URI", "#x")
    _refused(etree.tostring(root), demo.anchor_path, 'URI=""', 'URI=""')


def test_unsigned_list_needs_the_opt_out(demo):
    unsigned = trustlist_to_bytes(demo.trustlist)
    _refused(unsigned, demo.anchor_path, "is not signed", "未签名")
    _refused(unsigned, None, "is not signed", "未签名")
    tl = parse_trustlist(unsigned, allow_unsigned=True)
    assert not tl.signed and tl.signer is None and tl.waivers == ("unsigned",)
    assert [f.code for f in tl.findings()] == ["T001"]
    assert tl.findings()[0].severity == "warning"


def test_signed_list_without_anchor(demo):
    data = demo.trustlist_path.read_bytes()
    _refused(data, None, "no trust anchor was named", "未指定")
    tl = parse_trustlist(data, allow_unsigned=True)  # used, but not as verified
    assert not tl.signed and tl.waivers == ("unsigned",)


def test_expired_list(demo, tmp_path):
    old = dataclasses.replace(demo.trustlist, issued=NOW - dt.timedelta(days=400),
                              next_update=NOW - dt.timedelta(days=35))
    path = tmp_path / "old.xml"
    write_trustlist(old, path, signer=demo.operator)
    with pytest.raises(TrustListError) as ei:
        load_trustlist(path, anchor=demo.anchor_path)
    assert "has expired" in ei.value.en and "已过期" in ei.value.zh
    tl = load_trustlist(path, anchor=demo.anchor_path, allow_expired=True)
    assert tl.signed and tl.waivers == ("expired",)
    assert [f.code for f in tl.findings()] == ["T002"]
    # `now` is the real current time by default; a caller may fix it (and the list is current then).
    assert not load_trustlist(path, anchor=demo.anchor_path, now=NOW - dt.timedelta(days=36)).waivers


def test_list_issued_in_the_future_is_refused(demo, tmp_path):
    """An edition whose `issued` lies ahead of the clock is not published yet: the operator's statement is
    dated later than now (a list signed in advance, or a clock far off). It was used before (second red
    team); five minutes of clock skew are allowed, and a caller who fixes `now` at the issue time may use it."""
    real_now = dt.datetime.now(dt.timezone.utc)
    ahead = dataclasses.replace(demo.trustlist, issued=real_now + dt.timedelta(days=30),
                                next_update=real_now + dt.timedelta(days=60))
    path = tmp_path / "ahead.xml"
    write_trustlist(ahead, path, signer=demo.operator)
    with pytest.raises(TrustListError) as ei:
        load_trustlist(path, anchor=demo.anchor_path)
    assert "not issued yet" in ei.value.en and "尚未签发" in ei.value.zh
    assert load_trustlist(path, anchor=demo.anchor_path, now=real_now + dt.timedelta(days=30)).signed
    skewed = dataclasses.replace(demo.trustlist, issued=real_now + dt.timedelta(minutes=2))
    write_trustlist(skewed, path, signer=demo.operator)
    assert load_trustlist(path, anchor=demo.anchor_path).signed


def test_next_update_must_follow_issued(demo):
    with pytest.raises(TrustListError):
        trustlist_to_bytes(dataclasses.replace(demo.trustlist, next_update=demo.trustlist.issued))
    data = trustlist_to_bytes(demo.trustlist)
    bad = re.sub(rb'nextUpdate="[^"]+"', b'nextUpdate="2000-01-01T00:00:00Z"', data)
    _refused(bad, None, "nextUpdate is not after issued", "nextUpdate 不晚于", allow_unsigned=True)


def test_revoke_resigns_with_next_sequence(tmp_path):
    pki = make_demo_pki(tmp_path / "pki")
    from edossier.demo.pki import revoke_in_demo

    before = load_demo_trustlist(pki.out_dir)
    revoke_in_demo(pki.out_dir, "police", pki.credentials["police"].cert.serial_number)
    after = load_demo_trustlist(pki.out_dir)
    assert after.signed and after.sequence == before.sequence + 1
    assert after.digest != before.digest


# --- the command line ---------------------------------------------------------------------------------


def _cli(*args):
    return CliRunner().invoke(main, ["--lang", "en", *map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def package(three_layers):
    return three_layers["packages"][2]


def test_cli_refuses_hostile_lists_with_exit_2(demo, tmp_path, package):
    unsigned = tmp_path / "unsigned.xml"
    unsigned.write_bytes(trustlist_to_bytes(demo.trustlist))
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(demo.trustlist_path.read_bytes().replace(b'sequence="1"', b'sequence="2"'))
    for tl, needle in ((unsigned, "is not signed"), (tampered, "signature is not acceptable")):
        res = _cli("validate", package, "--trust", tl, "--trust-anchor", demo.anchor_path)
        assert res.exit_code == 2, res.output
        assert needle in res.output
        res = CliRunner().invoke(main, ["--lang", "zh-CN", "validate", str(package), "--trust", str(tl),
                                        "--trust-anchor", str(demo.anchor_path)])
        assert res.exit_code == 2 and "信任列表" in res.output
    # The environment variable names the anchor too; the session's anchor is not this list's.
    res = _cli("validate", package, "--trust", demo.trustlist_path)
    assert res.exit_code == 2 and "neither the trust anchor" in res.output
    res = _cli("validate", package, "--trust", demo.trustlist_path, "--trust-anchor", tmp_path / "missing.pem")
    assert res.exit_code == 2 and "no such file" in res.output


def test_cli_reports_name_the_trust_list(pki, tmp_path, package):
    tl_path = pki / "trustlist.xml"
    digest = hashlib.sha256(tl_path.read_bytes()).hexdigest()
    res = _cli("validate", package, "--trust", tl_path, "--format", "json", "-o", tmp_path / "r.json")
    assert res.exit_code == 0, res.output
    facts = json.loads((tmp_path / "r.json").read_text("utf-8"))["trust_list"]
    assert facts["digest"] == digest and facts["sequence"] == 1 and facts["signed"] is True
    assert "edossier 演示信任列表运营方" in facts["signer"] and facts["waivers"] == []
    assert facts["path"] == str(tl_path)
    for fmt in ("text", "junit", "sarif", "html"):
        res = _cli("validate", package, "--trust", tl_path, "--format", fmt, "-o", tmp_path / f"r.{fmt}")
        assert res.exit_code == 0, (fmt, res.output)
        text = (tmp_path / f"r.{fmt}").read_text("utf-8")
        assert digest in text, fmt
        assert "演示信任列表运营方" in text, fmt
    sarif = json.loads((tmp_path / "r.sarif").read_text("utf-8"))
    assert sarif["runs"][0]["properties"]["trustList"]["sequence"] == 1


def test_cli_opt_outs_are_recorded_in_every_report(demo, pki, tmp_path, three_layers):
    unsigned = tmp_path / "unsigned.xml"
    unsigned.write_bytes(trustlist_to_bytes(load_demo_trustlist(pki)))
    packages = three_layers["packages"]
    res = _cli("validate", *packages, "--trust", unsigned, "--allow-unsigned-trust", "--format", "json",
               "-o", tmp_path / "r.json", "-j", "1")
    assert res.exit_code == 0, res.output  # a warning: the verdict stands, visibly weaker
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert report["trust_list"]["signed"] is False and report["trust_list"]["waivers"] == ["unsigned"]
    assert len(report["packages"]) == 3
    for p in report["packages"]:
        assert "T001" in {f["code"] for f in p["findings"]}, p["path"]
    # --suppress does not hide it.
    res = _cli("validate", packages[2], "--trust", unsigned, "--allow-unsigned-trust", "--suppress", "T001",
               "--format", "json", "-o", tmp_path / "s.json")
    assert "T001" in {f["code"] for f in json.loads((tmp_path / "s.json").read_text("utf-8"))["packages"][0]["findings"]}
