"""Long-term validation data by default (docs/spec.md §8.4, issue #13 item 9): signing embeds the CRLs of
the signer's path, fetched from its distribution points, so a package validates offline without any
CRL in the trust list."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile

import pytest
from asn1crypto import cms
from click.testing import CliRunner
from cryptography import x509

from edossier.cli.main import main
from edossier.signing.cades import load_credential
from edossier.demo.ca import make_crl
from edossier.demo.pki import load_demo_trustlist, load_operator, make_demo_pki
from edossier.signing.revocation import RevocationError, credential_chain, fetch_crls, serve_crls
from edossier.signing.trustlist_write import write_trustlist
from edossier.validation.pipeline import validate_package
from conftest import make_source


def _cli(*args):
    return CliRunner().invoke(main, ["--lang", "en", *map(str, args)], catch_exceptions=False)


def _layer_crls(package) -> list[list[bytes]]:
    """The DER CRLs in each layer's SignedData, in layer order."""
    out = []
    with zipfile.ZipFile(package) as zf:
        names = sorted(n for n in zf.namelist() if n.startswith("META-INF/") and n.endswith(".p7s"))
        for name in names:
            sd = cms.ContentInfo.load(zf.read(name))["content"]
            out.append([c.chosen.dump() for c in sd["crls"]] if sd["crls"].native else [])
    return out


@pytest.fixture(scope="module", params=["ec", "sm2"])
def ltv(request, tmp_path_factory):
    """A fresh demo PKI (file: distribution points; ECDSA, and SM2 for issue #20) and a two-layer package
    built with the CLI."""
    base = tmp_path_factory.mktemp("ltv")
    pki = make_demo_pki(base / "pki", key_type=request.param)
    agencies = {a.role: a for a in pki.trustlist.agencies}
    police = make_source(base / "src-police", agencies["police"], docs=[("d1", "立案决定书", 1)])
    proc = make_source(base / "src-proc", agencies["procuratorate"], docs=[("p1", "起诉书", 1)],
                       volumes=(("v2", "检察卷"),), with_case=False)
    p1, p2 = base / "1.edp", base / "2.edp"
    res = _cli("build", police, "-o", p1, "--signer", pki.p12_paths["police"])
    assert res.exit_code == 0, res.output
    res = _cli("append", p1, proc, "-o", p2, "--signer", pki.p12_paths["procuratorate"])
    assert res.exit_code == 0, res.output
    return {"pki": pki, "base": base, "packages": (p1, p2), "sources": (police, proc)}


def test_demo_distribution_points_are_file_urls(ltv):
    pki = ltv["pki"]
    for role, cred in pki.credentials.items():
        dp = cred.cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        (url,) = [n.value for d in dp for n in d.full_name]
        assert url == (pki.out_dir / f"crl-{role}.crl").resolve().as_uri()
        assert ".invalid" not in url
    dp = pki.cas["police"].cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [n.value for d in dp for n in d.full_name] == [(pki.out_dir / "crl-root.crl").resolve().as_uri()]


def test_every_layer_carries_the_crls_of_its_path(ltv):
    pki = ltv["pki"]
    layers = _layer_crls(ltv["packages"][1])
    assert len(layers) == 2
    # Layer 1 is police: its issuing CA's CRL (covers the signer) and the root's (covers the CA).
    assert sorted(layers[0]) == sorted([pki.crls["police"], pki.crls["root"]])
    assert sorted(layers[1]) == sorted([pki.crls["procuratorate"], pki.crls["root"]])


def test_validates_without_any_crl_in_the_trust_list(ltv, tmp_path):
    pki = ltv["pki"]
    tl = load_demo_trustlist(pki.out_dir)
    stripped = dataclasses.replace(
        tl,
        agencies=tuple(dataclasses.replace(a, crls=()) for a in tl.agencies),
        tsas=tuple(dataclasses.replace(t, crls=()) for t in tl.tsas),
    )
    path = tmp_path / "no-crls.xml"
    write_trustlist(stripped, path, signer=load_operator(pki.out_dir))
    assert b"<CRL>" not in path.read_bytes()
    res = _cli("validate", ltv["packages"][1], "--trust", path, "--trust-anchor", pki.anchor_path)
    assert res.exit_code == 0, res.output
    # Control: the same package signed with --no-crl cannot be validated with that list.
    bare = tmp_path / "bare.edp"
    res = _cli("build", ltv["sources"][0], "-o", bare, "--signer", pki.p12_paths["police"], "--no-crl")
    assert res.exit_code == 0, res.output
    assert _layer_crls(bare) == [[]]
    report = validate_package(bare, trust=stripped)
    assert report.verdict == "reject"


def test_unfetchable_crl_is_an_error_unless_no_crl(ltv, tmp_path):
    pki = ltv["pki"]
    hidden = pki.crl_paths["police"].with_suffix(".hidden")
    pki.crl_paths["police"].rename(hidden)
    try:
        for lang, needle in (("en", "cannot be fetched"), ("zh-CN", "无法获取")):
            res = CliRunner().invoke(main, ["--lang", lang, "build", str(ltv["sources"][0]), "-o",
                                            str(tmp_path / "x.edp"), "--signer", str(pki.p12_paths["police"])])
            assert res.exit_code == 2, res.output
            assert needle in res.output
        assert not (tmp_path / "x.edp").exists()
        # --crl FILE covers the certificate instead: nothing is fetched for it.
        res = _cli("build", ltv["sources"][0], "-o", tmp_path / "y.edp", "--signer", pki.p12_paths["police"],
                   "--crl", hidden)
        assert res.exit_code == 0, res.output
        assert sorted(_layer_crls(tmp_path / "y.edp")[0]) == sorted([pki.crls["police"], pki.crls["root"]])
        res = _cli("build", ltv["sources"][0], "-o", tmp_path / "z.edp", "--signer", pki.p12_paths["police"],
                   "--no-crl")
        assert res.exit_code == 0, res.output
    finally:
        hidden.rename(pki.crl_paths["police"])


def test_fetched_crl_must_be_signed_by_the_issuer_and_current(ltv, tmp_path):
    pki = ltv["pki"]
    chain = credential_chain(load_credential(pki.p12_paths["police"]))
    assert [c.subject for c in chain] == [pki.credentials["police"].cert.subject, pki.cas["police"].cert.subject,
                                         pki.root.cert.subject]
    assert sorted(fetch_crls(chain)) == sorted([pki.crls["police"], pki.crls["root"]])
    original = pki.crl_paths["police"].read_bytes()
    try:
        # A CRL signed by another CA (the court's) at the police CA's address.
        pki.crl_paths["police"].write_bytes(pki.crls["court"])
        with pytest.raises(RevocationError) as ei:
            fetch_crls(chain)
        assert "not signed by the certificate's issuer" in ei.value.en and ei.value.zh
        # The right issuer, but past its nextUpdate.
        now = dt.datetime.now(dt.timezone.utc)
        stale = make_crl(pki.cas["police"], now=now - dt.timedelta(days=30), next_update=now - dt.timedelta(days=1))
        pki.crl_paths["police"].write_bytes(stale)
        with pytest.raises(RevocationError) as ei:
            fetch_crls(chain)
        assert "not current" in ei.value.en
        pki.crl_paths["police"].write_bytes(b"\x30\x03garbage")
        with pytest.raises(RevocationError) as ei:
            fetch_crls(chain)
        assert "not a readable CRL" in ei.value.en
    finally:
        pki.crl_paths["police"].write_bytes(original)


def test_only_local_urls_are_fetched(ltv):
    from edossier.signing.revocation import _read_url

    for url in ("http://example.org/x.crl", "https://127.0.0.1/x.crl", "ftp://127.0.0.1/x.crl",
                "file://otherhost/etc/x.crl", "ldap://127.0.0.1/cn=x"):
        with pytest.raises(ValueError):
            _read_url(url, 1.0)


@pytest.mark.parametrize("key_type", ["ec", "sm2"])
def test_http_distribution_points_and_serve_crl(tmp_path, key_type):
    folder = tmp_path / "pki"
    folder.mkdir()
    server, url = serve_crls(folder)
    try:
        pki = make_demo_pki(folder, crl_base_url=url, key_type=key_type)
        dp = pki.credentials["court"].cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        assert [n.value for d in dp for n in d.full_name] == [f"{url}crl-court.crl"]
        chain = credential_chain(load_credential(pki.p12_paths["court"]))
        assert sorted(fetch_crls(chain)) == sorted([pki.crls["court"], pki.crls["root"]])
        # The server serves CRL files only, not the keys next to them.
        import urllib.error
        import urllib.request

        with pytest.raises(urllib.error.HTTPError):
            urllib.request.build_opener(urllib.request.ProxyHandler({})).open(f"{url}court.p12", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    res = _cli("keys", "demo", tmp_path / "bad", "--crl-url", "http://example.org/")
    assert res.exit_code == 2
