"""CAdES-B-T: signature time stamps from a local RFC 3161 service, and proof of existence; for an ECDSA
demo PKI (RSA time-stamping authority) and an SM2 one (SM2 signer, SM2 authority: issue #20)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from edossier.signing.cades import load_credential, load_crls, sign_manifest
from edossier.signing.cades_verify import verify_layer
from edossier.demo.ca import make_crl
from edossier.demo.pki import make_demo_pki
from edossier.demo.pki import load_demo_trustlist
from edossier.signing.tsa import LocalTSA, serve_in_thread

MANIFEST = b"<asic:ASiCManifest/>"
POLICE = dict(agency_name="深圳市公安局南山分局", credit_code="11440300MB2C123452", role="police")


@pytest.fixture(scope="module", params=["ec", "sm2"])
def setup(request, tmp_path_factory):
    d = tmp_path_factory.mktemp("bt")
    pki = make_demo_pki(d, key_type=request.param)
    server, url = serve_in_thread(LocalTSA(pki.p12_paths["tsa"]))
    yield pki, url
    server.shutdown()


def signed(pki, url=None, crls=True):
    cred = load_credential(pki.p12_paths["police"])
    cred.tsa_url = url
    if crls:
        cred.crls = load_crls([pki.crl_paths["police"], pki.crl_paths["root"]])
    return sign_manifest(cred, MANIFEST)


def test_b_b_and_b_t_accept(setup):
    pki, url = setup
    for p7s in (signed(pki), signed(pki, url)):
        r = verify_layer(1, p7s, MANIFEST, trust=pki.trustlist, **POLICE)
        assert r.indication == "TOTAL_PASSED", [f.code for f in r.findings]
    r = verify_layer(1, signed(pki, url), MANIFEST, trust=pki.trustlist, **POLICE)
    assert r.timestamp is not None and abs((r.timestamp - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 120


def test_expired_signer_needs_a_time_stamp(setup):
    pki, url = setup
    after_expiry = pki.credentials["police"].cert.not_valid_after_utc + dt.timedelta(days=30)
    # CRLs current at that time, as an archive would keep them
    fresh = [make_crl(pki.cas["police"], now=after_expiry), make_crl(pki.root, now=after_expiry)]
    agencies = tuple(dataclasses.replace(a, crls=tuple(fresh)) if a.role == "police" else a
                     for a in pki.trustlist.agencies)
    tsa = dataclasses.replace(pki.trustlist.tsas[0], crls=(make_crl(pki.tsa_ca, now=after_expiry), fresh[1]))
    trust = dataclasses.replace(pki.trustlist, agencies=agencies, tsas=(tsa,))
    plain = verify_layer(1, signed(pki), MANIFEST, trust=trust, at=after_expiry, **POLICE)
    assert plain.indication == "INDETERMINATE" and {f.code for f in plain.findings} == {"G008"}
    stamped = verify_layer(1, signed(pki, url), MANIFEST, trust=trust, at=after_expiry, **POLICE)
    assert stamped.indication == "TOTAL_PASSED", [(f.code, f.message_en) for f in stamped.findings]
    assert {f.code for f in stamped.findings} == {"G013"}


def test_revoked_after_signing_needs_a_time_stamp(setup):
    pki, url = setup
    b_b, b_t = signed(pki, crls=False), signed(pki, url, crls=False)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)
    serial = pki.credentials["police"].cert.serial_number
    revoked_crl = make_crl(pki.cas["police"], [(serial, later - dt.timedelta(days=1))], now=later)
    agencies = tuple(dataclasses.replace(a, crls=(revoked_crl, pki.crls["root"])) if a.role == "police" else a
                     for a in pki.trustlist.agencies)
    trust = dataclasses.replace(pki.trustlist, agencies=agencies)
    plain = verify_layer(1, b_b, MANIFEST, trust=trust, at=later, **POLICE)
    assert "G005" in {f.code for f in plain.findings} and plain.indication != "TOTAL_PASSED"
    stamped = verify_layer(1, b_t, MANIFEST, trust=trust, at=later, **POLICE)
    assert stamped.indication == "TOTAL_PASSED", [(f.code, f.message_en) for f in stamped.findings]
    assert "G013" in {f.code for f in stamped.findings}


def test_time_stamp_from_untrusted_tsa(setup, tmp_path):
    pki, _ = setup
    other = make_demo_pki(tmp_path / "other", key_type=key_type(pki))  # a TSA whose root is not in our trust list
    server, url = serve_in_thread(LocalTSA(other.p12_paths["tsa"]))
    try:
        r = verify_layer(1, signed(pki, url), MANIFEST, trust=pki.trustlist, **POLICE)
    finally:
        server.shutdown()
    # the other PKI's TSA is not named by our trust list (#13: G022, was G012)
    assert r.indication == "INDETERMINATE" and [f.code for f in r.findings] == ["G022"]
    no_tsas = dataclasses.replace(pki.trustlist, tsas=())
    r = verify_layer(1, signed(pki, setup[1]), MANIFEST, trust=no_tsas, **POLICE)
    assert [f.code for f in r.findings] == ["G022"] and r.indication == "INDETERMINATE"


def key_type(pki) -> str:
    from edossier.signing import sm2

    return "sm2" if isinstance(pki.root.key, sm2.SM2PrivateKey) else "ec"


def test_token_is_signed_with_the_authority_key(setup):
    """An SM2 authority's token is SM2/SM3 SignedData over the TSTInfo (GB/T 20520 / RFC 3161), and its
    imprint is the hash of the layer's signature value in the layer's own digest (SM3 beside SM2)."""
    import hashlib

    from asn1crypto import cms, tsp  # noqa: F401 - tsp: TSTInfo parses

    pki, url = setup
    si = cms.ContentInfo.load(signed(pki, url))["content"]["signer_infos"][0]
    token = [a for a in si["unsigned_attrs"] if a["type"].native == "signature_time_stamp_token"][0]["values"][0]
    tsi = token["content"]["signer_infos"][0]
    imprint = token["content"]["encap_content_info"]["content"].parsed["message_imprint"]
    if key_type(pki) == "sm2":
        assert tsi["signature_algorithm"]["algorithm"].dotted == "1.2.156.10197.1.501"
        assert tsi["digest_algorithm"]["algorithm"].dotted == "1.2.156.10197.1.401"
        assert imprint["hash_algorithm"]["algorithm"].dotted == "1.2.156.10197.1.401"
        assert imprint["hashed_message"].native == hashlib.new("sm3", si["signature"].native).digest()
    else:
        assert tsi["signature_algorithm"]["algorithm"].native in ("rsassa_pkcs1v15", "sha256_rsa")
        assert imprint["hashed_message"].native == hashlib.sha256(si["signature"].native).digest()


def test_trust_list_round_trips_tsa(setup):
    pki, _ = setup
    assert load_demo_trustlist(pki.out_dir).tsas == pki.trustlist.tsas


def test_b_t_validates_in_a_fresh_process(setup, tmp_path):
    """Regression: parsing a time-stamp token before asn1crypto.tsp is imported broke B-T (G001)."""
    import subprocess
    import sys

    pki, url = setup
    (tmp_path / "sig.p7s").write_bytes(signed(pki, url))
    code = (
        "import sys, logging; logging.disable(logging.CRITICAL)\n"
        "from pathlib import Path\n"
        "from edossier.signing.cades_verify import verify_layer\n"
        "from edossier.demo.pki import load_demo_trustlist\n"
        f"r = verify_layer(1, Path(r'{tmp_path / 'sig.p7s'}').read_bytes(), {MANIFEST!r}, "
        f"trust=load_demo_trustlist(Path(r'{pki.out_dir}')), **{POLICE!r})\n"
        "print(r.indication, [f.code for f in r.findings])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "TOTAL_PASSED []", out.stdout + out.stderr
