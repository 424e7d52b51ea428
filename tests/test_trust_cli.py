"""`edossier trust …` and `keys issue --trust` (#16, clerk): managing a trust list without editing XML.

Every change must give a list a validator accepts (signed with --operator, sequence + 1), or say
loudly that the list is now unsigned; every bad input is refused with exit 2, an en and a zh message,
and the file left byte for byte as it was."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from edossier.cli.main import main
from edossier.demo import ca as dca
from edossier.demo import pki as dp
from edossier.signing.trustlist import load_trustlist
from edossier.signing.trustlist_model import TrustListError
from edossier.signing.trustlist_write import write_trustlist
from tests.conftest import make_source

# A new agency's credit code; check character by GB 32100-2015, worked by hand: character values
# 1 1 4 4 0 3 0 5 M=21 B=11 2 D=13 5 0 0 0 1 times weights 3^i mod 31 = 1 3 9 27 19 26 16 17 20 29 25
# 13 8 24 10 30 28 → 1+3+36+108+0+78+0+85+420+319+50+169+40+0+0+0+28 = 1337; 1337 mod 31 = 4;
# 31 − 4 = 27, which is U in 0-9A-HJ-NP-RTUWXY.
NEW_CODE = "11440305MB2D50001U"
NEW_NAME = "深圳市公安局福田分局"


def run(*args, lang="en", env=None):
    result = CliRunner().invoke(main, ["--lang", lang, *map(str, args)], catch_exceptions=False, env=env)
    return result


@pytest.fixture(scope="module")
def module_pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("trustcli") / "wpki"
    dp.make_demo_pki(d)
    return d


@pytest.fixture
def wpki(module_pki, tmp_path):
    d = tmp_path / "pki"
    shutil.copytree(module_pki, d)
    return d


def load(wpki: Path):
    return load_trustlist(wpki / "trustlist.xml", anchor=wpki / "trust-anchor.pem")


def op(wpki: Path):
    return ["--operator", wpki / "trustlist-operator.p12"]


def refused(res, wpki: Path, before: bytes, en: str, zh: str | None = None):
    assert res.exit_code == 2, res.output
    assert en in res.output, res.output
    if zh is not None:
        assert zh in res.output, res.output
    assert (wpki / "trustlist.xml").read_bytes() == before


def test_add_agency_signed_new_edition(wpki):
    res = run("trust", "add-agency", wpki / "trustlist.xml", "--name", NEW_NAME, "--credit-code", NEW_CODE,
              "--role", "police", "--ca", wpki / "ca-police.pem", "--ca", wpki / "root-ca.pem",
              "--crl", wpki / "crl-police.crl", "--crl", wpki / "crl-root.crl",
              "--valid-from", "2026-01-01T00:00:00+08:00", "--valid-to", "2030-01-01T00:00:00Z", *op(wpki))
    assert res.exit_code == 0, res.output
    tl = load(wpki)  # verifies the operator's signature against the anchor
    assert tl.signed and tl.sequence == 2 and len(tl.agencies) == 6
    entry = tl.find(NEW_CODE, "police")
    assert entry is not None and entry.name == NEW_NAME
    # +08:00 midnight is 16:00 UTC the day before
    assert entry.valid_from == dt.datetime(2025, 12, 31, 16, 0, tzinfo=dt.timezone.utc)
    assert entry.valid_to == dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    assert tl.find(NEW_CODE, "court") is None  # listed for its role only
    assert entry.ca_certs[0] == x509.load_pem_x509_certificate((wpki / "ca-police.pem").read_bytes()).public_bytes(
        Encoding.DER)


@pytest.mark.parametrize("case", ["not-ca", "check-char", "duplicate", "crl-other-ca", "bad-time", "not-a-cert",
                                  "no-root"])
def test_add_agency_refuses_bad_input(wpki, case):
    before = (wpki / "trustlist.xml").read_bytes()
    args = {"--name": NEW_NAME, "--credit-code": NEW_CODE, "--role": "police", "--ca": wpki / "ca-police.pem"}
    extra: list = ["--ca", wpki / "root-ca.pem"]
    if case == "not-ca":  # the operator's certificate: an end entity, basicConstraints cA not set
        args["--ca"] = wpki / "trust-anchor.pem"
        expect = ("is not a CA certificate", "不是 CA 证书")
    elif case == "check-char":
        args["--credit-code"] = NEW_CODE[:-1] + ("A" if NEW_CODE[-1] != "A" else "B")
        expect = ("is not valid", "无效")
    elif case == "duplicate":
        args["--credit-code"] = dp.DEMO_AGENCIES[0].credit_code
        expect = ("already in the trust list", "已在信任列表中")
    elif case == "crl-other-ca":
        extra += ["--crl", wpki / "crl-court.crl"]
        expect = ("CRL #1 is not issued and signed", "CRL 不是由该机构所列 CA 证书签发")
    elif case == "bad-time":
        extra += ["--valid-from", "2026-01-01"]  # no UTC offset
        expect = ("UTC offset", "时区")
    elif case == "no-root":
        # the issuing CA without the root it chains to: validation could build no path (G006), so the
        # entry is refused when it is made, not when the first package is rejected
        extra = []
        expect = ("is not listed, so no signature of the agency could be validated", "未列出，该机构的签名将无法验证")
    else:
        args["--ca"] = wpki / "crl-root.crl"
        expect = ("not a readable X.509 certificate", "不是可读取的 X.509 证书")
    flat = [x for kv in args.items() for x in kv]
    refused(run("trust", "add-agency", wpki / "trustlist.xml", *flat, *extra, *op(wpki)), wpki, before, expect[0])
    refused(run("trust", "add-agency", wpki / "trustlist.xml", *flat, *extra, *op(wpki), lang="zh-CN"), wpki, before,
            expect[1])


def test_change_without_operator_says_unsigned_then_sign(wpki):
    code = dp.DEMO_AGENCIES[3].credit_code  # justice
    res = run("trust", "remove", wpki / "trustlist.xml", "--credit-code", code, "--role", "justice")
    assert res.exit_code == 0
    assert "UNSIGNED" in res.output and "was signed before" in res.output and "trust sign" in res.output
    with pytest.raises(TrustListError, match="not signed"):
        load(wpki)
    tl = load_trustlist(wpki / "trustlist.xml", allow_unsigned=True)
    assert tl.sequence == 2 and tl.find(code, "justice") is None
    # Signing the unsigned edition keeps its number: the edit already took it.
    res = run("trust", "sign", wpki / "trustlist.xml", *op(wpki))
    assert res.exit_code == 0, res.output
    tl = load(wpki)
    assert tl.signed and tl.sequence == 2 and len(tl.agencies) == 4
    # Re-signing a signed list is a new edition.
    assert run("trust", "sign", wpki / "trustlist.xml", *op(wpki)).exit_code == 0
    assert load(wpki).sequence == 3


def test_remove_unknown_entry_and_sign_without_operator(wpki):
    before = (wpki / "trustlist.xml").read_bytes()
    police = dp.DEMO_AGENCIES[0].credit_code
    refused(run("trust", "remove", wpki / "trustlist.xml", "--credit-code", police, "--role", "court", *op(wpki)),
            wpki, before, "is not in the trust list")
    refused(run("trust", "sign", wpki / "trustlist.xml"), wpki, before, "needs --operator")


def test_other_operator_cannot_silently_resign(wpki, tmp_path):
    """An operator edits only the edition they signed: a list signed by someone else is refused."""
    other = dca.issue_trustlist_operator(name="另一运营方")
    dca.write_p12(other, tmp_path / "other.p12", b"pw")
    before = (wpki / "trustlist.xml").read_bytes()
    env = {"OP_PW": "pw"}
    refused(run("trust", "sign", wpki / "trustlist.xml", "--operator", tmp_path / "other.p12",
                "--passphrase-env", "OP_PW", env=env), wpki, before, "is neither the trust anchor")
    # Naming the anchor that did sign it lets the new operator take over (a deliberate act).
    res = run("trust", "sign", wpki / "trustlist.xml", "--operator", tmp_path / "other.p12", "--passphrase-env",
              "OP_PW", "--trust-anchor", wpki / "trust-anchor.pem", env=env)
    assert res.exit_code == 0, res.output
    tl = load_trustlist(wpki / "trustlist.xml", anchor=other.cert)
    assert tl.signed and tl.sequence == 2
    # wrong passphrase: refused, not a traceback
    refused(run("trust", "sign", wpki / "trustlist.xml", "--operator", tmp_path / "other.p12",
                "--passphrase-env", "OP_PW", env={"OP_PW": "nope"}), wpki, (wpki / "trustlist.xml").read_bytes(),
            "wrong or missing passphrase")


def test_update_crl_replaces_and_refuses_rollback(wpki, tmp_path):
    ca = dp.load_demo_ca(wpki, "police")
    now = dt.datetime.now(dt.timezone.utc)
    newer = dca.make_crl(ca, [(0x1234, now)], now=now + dt.timedelta(hours=2), crl_number=2)
    (tmp_path / "new.crl").write_bytes(newer)
    res = run("trust", "update-crl", wpki / "trustlist.xml", "--crl", tmp_path / "new.crl", *op(wpki))
    assert res.exit_code == 0, res.output
    tl = load(wpki)
    assert tl.sequence == 2
    police = tl.find(dp.DEMO_AGENCIES[0].credit_code, "police")
    assert newer in police.crls and len(police.crls) == 2  # replaced, not added: police CA + root
    revoked = [x509.load_der_x509_crl(c) for c in police.crls if c == newer][0]
    assert revoked.get_revoked_certificate_by_serial_number(0x1234) is not None
    before = (wpki / "trustlist.xml").read_bytes()
    # the old CRL would un-revoke 0x1234
    refused(run("trust", "update-crl", wpki / "trustlist.xml", "--crl", wpki / "crl-police.crl", *op(wpki)), wpki,
            before, "is older than the listed one")
    # a CRL of a CA the list does not know
    stranger = dca.make_root_ca()
    (tmp_path / "x.crl").write_bytes(dca.make_crl(stranger))
    refused(run("trust", "update-crl", wpki / "trustlist.xml", "--crl", tmp_path / "x.crl", *op(wpki)), wpki, before,
            "is not issued by any CA in the trust list")


def test_add_tsa(wpki, tmp_path):
    tl = load(wpki)
    write_trustlist(replace(tl, tsas=()), wpki / "trustlist.xml", signer=dp.load_operator(wpki))
    tsa_cred = pkcs12.load_key_and_certificates((wpki / "tsa.p12").read_bytes(), None)[1]
    (tmp_path / "tsa.pem").write_bytes(tsa_cred.public_bytes(Encoding.PEM))
    before = (wpki / "trustlist.xml").read_bytes()
    # a signing certificate is not a time-stamping certificate
    police_cert = pkcs12.load_key_and_certificates((wpki / "police.p12").read_bytes(), None)[1]
    (tmp_path / "police.pem").write_bytes(police_cert.public_bytes(Encoding.PEM))
    refused(run("trust", "add-tsa", wpki / "trustlist.xml", "--name", "x", "--tsa-cert", tmp_path / "police.pem",
                "--ca", wpki / "ca-police.pem", *op(wpki)), wpki, before, "not a time-stamping certificate")
    res = run("trust", "add-tsa", wpki / "trustlist.xml", "--name", "演示时间戳", "--tsa-cert", tmp_path / "tsa.pem",
              "--ca", wpki / "ca-tsa.pem", "--ca", wpki / "root-ca.pem", "--crl", wpki / "crl-tsa.crl", *op(wpki))
    assert res.exit_code == 0, res.output
    tl = load(wpki)
    assert tl.tsa_for(tsa_cred, dt.datetime.now(dt.timezone.utc)).name == "演示时间戳"
    before = (wpki / "trustlist.xml").read_bytes()
    refused(run("trust", "add-tsa", wpki / "trustlist.xml", "--name", "again", "--tsa-cert", tmp_path / "tsa.pem",
                "--ca", wpki / "ca-tsa.pem", *op(wpki)), wpki, before, "already in the trust list")


def test_show_text_and_json(wpki):
    res = run("trust", "show", wpki / "trustlist.xml", "--trust-anchor", wpki / "trust-anchor.pem", "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert data["sequence"] == 1 and data["signature_verified"] is True
    assert [a["credit_code"] for a in data["agencies"]] == [a.credit_code for a in dp.DEMO_AGENCIES]
    res = run("trust", "show", wpki / "trustlist.xml", "--trust-anchor", wpki / "trust-anchor.pem", lang="zh-CN")
    assert "已验证" in res.output and dp.DEMO_AGENCIES[0].name in res.output and "角色 公安机关" in res.output
    run("trust", "remove", wpki / "trustlist.xml", "--credit-code", dp.DEMO_AGENCIES[0].credit_code, "--role", "police")
    res = run("trust", "show", wpki / "trustlist.xml")
    assert res.exit_code == 0 and "UNSIGNED" in res.output and "sequence 2" in res.output
    res = run("trust", "show", wpki / "missing.xml")
    assert res.exit_code == 2 and "no such trust list" in res.output


def test_keys_issue_passphrase_and_trust(wpki, tmp_path, three_layers):
    """The clerk's day: a new agency gets a credential and a trust-list entry in one command, and its
    first package is accepted under the new edition of the list."""
    from edossier.building.pipeline import build_package
    from edossier.signing.cades import CredentialError, load_credential
    from edossier.validation.pipeline import validate_package

    (tmp_path / "pw.txt").write_text("geheim\n")
    res = run("keys", "issue", wpki, "--role", "police", "--name", NEW_NAME, "--credit-code", NEW_CODE,
              "-o", tmp_path / "futian.p12", "--passphrase-file", tmp_path / "pw.txt",
              "--trust", wpki / "trustlist.xml", *op(wpki))
    assert res.exit_code == 0, res.output
    with pytest.raises(CredentialError, match="passphrase"):
        load_credential(tmp_path / "futian.p12")
    cred = load_credential(tmp_path / "futian.p12", b"geheim")  # the trailing newline is not part of it
    tl = load(wpki)
    assert tl.sequence == 2 and tl.find(NEW_CODE, "police").name == NEW_NAME

    src = tmp_path / "src"
    shutil.copytree(three_layers["sources"][0], src)
    toml = (src / "dossier.toml").read_text(encoding="utf-8")
    police = dp.DEMO_AGENCIES[0]
    (src / "dossier.toml").write_text(toml.replace(police.name, NEW_NAME).replace(police.credit_code, NEW_CODE),
                                      encoding="utf-8")
    build_package(src, tmp_path / "a.edp", cred)
    report = validate_package(tmp_path / "a.edp", trust=tl)
    assert report.verdict == "accept", [f.code for f in report.findings]

    # Already listed: refused before any credential is written.
    before = (wpki / "trustlist.xml").read_bytes()
    refused(run("keys", "issue", wpki, "--role", "police", "--name", NEW_NAME, "--credit-code", NEW_CODE,
                "-o", tmp_path / "second.p12", "--trust", wpki / "trustlist.xml", *op(wpki)), wpki, before,
            "already in the trust list")
    assert not (tmp_path / "second.p12").exists()
    res = run("keys", "issue", wpki, "--role", "police", "--name", "x", "--credit-code", NEW_CODE, "-o",
              tmp_path / "y.p12", "--operator", wpki / "trustlist-operator.p12")
    assert res.exit_code == 2 and "--operator needs --trust" in res.output
    res = run("keys", "issue", wpki, "--role", "police", "--name", "x", "--credit-code", NEW_CODE, "-o",
              tmp_path / "y.p12", "--passphrase-env", "NO_SUCH_VAR_16")
    assert res.exit_code == 2 and "NO_SUCH_VAR_16 is not set" in res.output and not (tmp_path / "y.p12").exists()


def test_library_refuses_what_a_reader_would(module_pki):
    """add_agency applies the reader's checks itself (not only the CLI): a non-CA certificate, a CRL
    of another CA, a duplicate; remove_agency of an absent entry."""
    from edossier.signing.trustlist_edit import add_agency, remove_agency
    from edossier.signing.trustlist_model import TrustedAgency

    tl = load(module_pki)
    operator_der = x509.load_pem_x509_certificate((module_pki / "trust-anchor.pem").read_bytes()).public_bytes(
        Encoding.DER)
    police_ca = tl.agencies[0].ca_certs
    entry = TrustedAgency(name=NEW_NAME, credit_code=NEW_CODE, role="police", ca_certs=(operator_der,))
    with pytest.raises(TrustListError, match="is not a CA certificate") as err:
        add_agency(tl, entry)
    assert "不是 CA 证书" in err.value.zh
    with pytest.raises(TrustListError, match="CRL #1 is not issued"):
        add_agency(tl, replace(entry, ca_certs=police_ca, crls=((module_pki / "crl-court.crl").read_bytes(),)))
    with pytest.raises(TrustListError, match="already in the trust list"):
        add_agency(tl, replace(tl.agencies[0]))
    ok = add_agency(tl, replace(entry, ca_certs=police_ca))
    assert len(ok.agencies) == len(tl.agencies) + 1 and len(tl.agencies) == 5  # the input is not changed
    with pytest.raises(TrustListError, match="is not in the trust list"):
        remove_agency(tl, NEW_CODE, "police")


def test_show_prints_times_in_beijing_time_and_json_keeps_utc(wpki):
    """Issue #16: people read Beijing time; the JSON keeps the UTC instant. The edition's issue time in
    UTC plus eight hours is what the text shows (by arithmetic here, not by the code's own formatter)."""
    args = ("trust", "show", wpki / "trustlist.xml", "--trust-anchor", wpki / "trust-anchor.pem")
    issued = json.loads(run(*args, "--format", "json").output)["issued"]
    assert issued.endswith("Z")
    utc = dt.datetime.strptime(issued, "%Y-%m-%dT%H:%M:%SZ")
    beijing = utc + dt.timedelta(hours=8)
    text = run(*args).output
    assert f"issued {beijing:%Y-%m-%d %H:%M} +08:00" in text, text
    assert issued not in text
    text = run("--tz", "UTC", *args).output
    assert f"issued {utc:%Y-%m-%d %H:%M} +00:00" in text, text
