"""SM2 credentials in PKCS#12 (signing/sm2_p12.py), as OpenSSL writes them — the form a national CA's
.pfx takes — with every encryption OpenSSL 3.0 offers for them; cryptography refuses them all."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from edossier.demo import ca as dca
from edossier.signing import sm2
from edossier.signing.sm2_p12 import read_sm2_p12

pytestmark = pytest.mark.skipif(not shutil.which("openssl"), reason="openssl writes the PKCS#12 files")


@pytest.fixture(scope="module")
def cred(tmp_path_factory):
    root = dca.make_root_ca(key_type="sm2")
    ca = dca.issue_ca(root, "police", key_type="sm2")
    c = dca.issue_signer(ca, "深圳市公安局南山分局", "11440300MB2C123452", key_type="sm2")
    d = tmp_path_factory.mktemp("p12")
    dca.write_credential(c, d / "cred.pem")
    return c, d


def export(cred, name, password, *extra):
    c, d = cred
    out = d / f"{name}.p12"
    subprocess.run(["openssl", "pkcs12", "-export", "-in", d / "cred.pem", "-out", out, "-passout", f"pass:{password}",
                    *extra], check=True, capture_output=True)
    return out.read_bytes()


@pytest.mark.parametrize("name,extra", [
    ("default", []),  # OpenSSL 3: PBES2 AES-256-CBC, HMAC-SHA256 MAC
    ("3des-sha1", ["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"]),  # older .pfx
    ("sm4", ["-keypbe", "SM4-CBC", "-certpbe", "SM4-CBC"]),
    ("sm3-mac", ["-macalg", "sm3"]),
    ("plain-certs", ["-certpbe", "NONE"]),
])
def test_read_what_openssl_writes(cred, name, extra):
    data = export(cred, name, "pfx-口令", *extra)
    with pytest.raises(Exception):
        pkcs12.load_key_and_certificates(data, "pfx-口令".encode())  # why this module exists
    key, cert, chain = read_sm2_p12(data, "pfx-口令".encode())
    c, _d = cred
    assert key == c.key and cert == c.der
    assert set(chain) == {x.public_bytes(serialization.Encoding.DER) for x in c.chain}
    with pytest.raises(sm2.SM2Error) as exc:
        read_sm2_p12(data, b"wrong")
    assert "passphrase" in exc.value.en and exc.value.zh


def test_no_password(cred):
    data = export(cred, "nopass", "")
    key, _cert, _chain = read_sm2_p12(data, None)
    assert key == cred[0].key


def test_rc2_40_is_refused_clearly(cred):
    data = export(cred, "legacy", "pw", "-legacy")  # RC2-40 certificates: no RC2-40 in cryptography
    with pytest.raises(sm2.SM2Error) as exc:
        read_sm2_p12(data, b"pw")
    assert "cannot read" in exc.value.en


def test_not_sm2_and_garbage(cred, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec

    root = dca.make_root_ca(key_type="ec")
    ec_cred = dca.issue_signer(dca.issue_ca(root, "police"), "x", "11440300MB2C123452")
    with pytest.raises(sm2.SM2Error) as exc:
        read_sm2_p12(dca.p12_bytes(ec_cred, b"pw"), b"pw")
    assert "SM2" in exc.value.en
    assert isinstance(ec_cred.key, ec.EllipticCurvePrivateKey)
    data = export(cred, "trunc", "pw")
    for bad in (b"", b"\x30\x03\x02\x01\x03", data[:-10], data[:200], b"\x00" * 500):
        with pytest.raises(sm2.SM2Error):
            read_sm2_p12(bad, b"pw")


def test_read_sm2_credential_takes_either_form(cred, tmp_path):
    from edossier.errors import UserError
    from edossier.signing.pem_credential import read_sm2_credential

    c, d = cred
    (tmp_path / "x.pfx").write_bytes(export(cred, "either", "pw"))
    for path, pw in ((tmp_path / "x.pfx", b"pw"), (d / "cred.pem", None)):
        _data, key, cert, _chain = read_sm2_credential(path, pw, UserError)
        assert key == c.key and cert == c.der
    with pytest.raises(UserError) as exc:
        read_sm2_credential(tmp_path / "x.pfx", b"no", UserError)
    assert str(tmp_path / "x.pfx") in exc.value.en and exc.value.zh
    with pytest.raises(UserError):
        read_sm2_credential(tmp_path / "missing.pfx", None, UserError)


from hypothesis import given, settings, strategies as st  # noqa: E402


@pytest.fixture(scope="module")
def good_p12(cred):
    return export(cred, "fuzz", "pw", "-iter", "1", "-maciter")  # cheap KDF: many mutations


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_mutated_pkcs12_raises_only_sm2_error(good_p12, data):
    """Any byte of a PKCS#12 changed, or the file cut short: an SM2Error with both languages, or (when
    the change hit an unchecked byte) the same credential — never another exception."""
    raw = bytearray(good_p12)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    try:
        read_sm2_p12(bytes(raw), b"pw")
    except sm2.SM2Error as exc:
        assert exc.en and exc.zh
