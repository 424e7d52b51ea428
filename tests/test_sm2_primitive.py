"""SM2/SM3 primitive (edossier.signing.sm2) against the published examples and hostile input.

Vectors: GB/T 32905-2016 Appendix A (SM3 examples 1 and 2) and GB/T 32918.5-2017 / GM/T 0003.5-2012
Appendix A (SM2 signature on the recommended curve: ID "1234567812345678", M "message digest", the
published d_A, public key, Z_A, e, k and r, s)."""

from __future__ import annotations

import pytest
from asn1crypto import algos, keys

from edossier.signing import sm2

# GB/T 32918.5-2017 Appendix A (values as printed in the standard)
D_A = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
X_A = 0x09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020
Y_A = 0xCCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13
Z_A = "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3"
E = "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640"
R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA
M = b"message digest"


def test_sm3_gbt32905_examples():
    assert sm2.sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm2.sm3(b"abcd" * 16).hex() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_published_key_z_and_e():
    key = sm2.private_key_from_scalar(D_A)
    assert (key.public.x, key.public.y) == (X_A, Y_A)
    assert sm2.z_value(key.public).hex().upper() == Z_A
    assert sm2.message_digest(key.public, M).hex().upper() == E


def test_published_signature_verifies_in_both_encodings():
    pub = sm2.SM2PublicKey(X_A, Y_A)
    der = bytes.fromhex("3046022100" + f"{R:064X}" + "022100" + f"{S:064X}")  # both high bits set
    assert sm2.encode_der(R, S) == der
    assert sm2.verify(pub, M, der) == "der"
    assert sm2.verify(pub, M, R.to_bytes(32, "big") + S.to_bytes(32, "big")) == "raw"
    assert sm2.verify_digest(pub, bytes.fromhex(E), der) == "der"
    # the same r, s under another ID, message or key is not a signature
    assert sm2.verify(pub, M, der, uid=b"") is None
    assert sm2.verify(pub, M + b".", der) is None
    assert sm2.verify(sm2.generate_private_key().public, M, der) is None


@pytest.mark.parametrize("uid", [sm2.DEFAULT_ID, b"", b"ALICE123@YAHOO.COM", "公安局".encode()])
def test_sign_verify_round_trip_per_id(uid):
    key = sm2.generate_private_key()
    sig = sm2.sign(key, b"payload", uid=uid)
    assert sig[0] == 0x30 and 8 <= len(sig) <= 72
    assert sm2.verify(key.public, b"payload", sig, uid=uid) == "der"
    parsed = algos.DSASignature.load(sig)
    raw = sm2.encode_raw(parsed["r"].native, parsed["s"].native)
    assert sm2.verify(key.public, b"payload", raw, uid=uid) == "raw"
    other = b"x" if uid != b"x" else b"y"
    assert sm2.verify(key.public, b"payload", sig, uid=other) is None
    # e signed directly gives a signature over M with that ID
    e = sm2.message_digest(key.public, b"payload", uid)
    assert sm2.verify(key.public, b"payload", sm2.sign_digest(key, e), uid=uid) == "der"


def test_signature_is_randomised():
    key = sm2.generate_private_key()
    assert sm2.sign(key, b"m") != sm2.sign(key, b"m")


def _hostile_signatures():
    ok_r, ok_s = R, S
    yield b""
    yield b"\x30"
    yield b"\x30\x00"
    yield b"\x00" * 64  # r = s = 0
    yield sm2.encode_raw(sm2.N, ok_s)  # r = n
    yield sm2.encode_der(ok_r, sm2.N)  # s = n
    yield sm2.encode_der(ok_r, sm2.N + ok_s)  # s + n: same residue, out of range
    yield sm2.encode_der(-ok_r, ok_s)  # negative
    yield sm2.encode_der(ok_r, ok_s) + b"\x00"  # trailing byte
    der = sm2.encode_der(ok_r, ok_s)
    yield b"\x30\x81" + bytes([len(der) - 2]) + der[2:]  # BER long-form length
    yield b"\x30\x48\x02\x22\x00\x00" + der[5:]  # non-minimal INTEGER
    yield sm2.encode_raw(ok_r, ok_s)[:63]
    yield b"\xff" * 200
    yield b"\x30\x84\xff\xff\xff\xff"


@pytest.mark.parametrize("sig", list(_hostile_signatures()))
def test_hostile_signatures_are_refused_without_raising(sig):
    assert sm2.verify(sm2.SM2PublicKey(X_A, Y_A), M, sig) is None


def test_hostile_keys_and_ids():
    with pytest.raises(sm2.SM2Error):
        sm2.SM2PublicKey(X_A, Y_A + 1)  # off the curve
    with pytest.raises(sm2.SM2Error):
        sm2.SM2PublicKey(sm2.P + X_A, Y_A)  # coordinates not reduced
    with pytest.raises(sm2.SM2Error):
        sm2.public_key_from_point(b"\x04" + b"\x00" * 64)
    with pytest.raises(sm2.SM2Error):
        sm2.public_key_from_point(b"\x00")  # the point at infinity
    with pytest.raises(sm2.SM2Error):
        sm2.private_key_from_scalar(0)
    with pytest.raises(sm2.SM2Error):
        sm2.private_key_from_scalar(sm2.N - 1)  # d = n-1 is excluded (GB/T 32918.1 §6.1)
    der = sm2.encode_der(R, S)
    assert sm2.verify(sm2.SM2PublicKey(X_A, Y_A), M, der, uid=b"x" * 8192) is None
    assert sm2.verify("not a key", M, der) is None  # type: ignore[arg-type]


def test_compressed_point_is_decompressed():
    pub = sm2.SM2PublicKey(X_A, Y_A)
    assert sm2.public_key_from_point(bytes([2 + (Y_A & 1)]) + X_A.to_bytes(32, "big")) == pub


def test_spki_round_trip_and_detection():
    key = sm2.generate_private_key()
    der = sm2.spki_der(key.public)
    info = keys.PublicKeyInfo.load(der)
    assert info["algorithm"]["algorithm"].dotted == "1.2.840.10045.2.1"
    assert info["algorithm"]["parameters"].chosen.dotted == "1.2.156.10197.1.301"
    assert sm2.is_sm2_spki(der) and sm2.public_key_from_spki(der) == key.public
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    p256 = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert not sm2.is_sm2_spki(p256)
    assert not sm2.is_sm2_spki(b"\x30\x03\x02\x01\x00")
    with pytest.raises(sm2.SM2Error):
        sm2.public_key_from_spki(p256)


def test_private_key_files_round_trip(tmp_path):
    key = sm2.generate_private_key()
    assert sm2.load_private_key(sm2.private_key_pem(key)) == key
    assert sm2.load_private_key(sm2.private_key_der(key)) == key
    enc = sm2.private_key_pem(key, password=b"s3cret")
    assert b"ENCRYPTED PRIVATE KEY" in enc
    assert sm2.load_private_key(enc, password=b"s3cret") == key
    with pytest.raises(sm2.SM2Error):
        sm2.load_private_key(enc, password=b"wrong")
    with pytest.raises(sm2.SM2Error):
        sm2.load_private_key(enc)
    for junk in (b"", b"-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----\n", b"\x30\x80" * 10):
        with pytest.raises(sm2.SM2Error):
            sm2.load_private_key(junk)


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(sig=st.binary(max_size=90), msg=st.binary(max_size=40), uid=st.binary(max_size=20))
def test_verify_never_raises_and_random_bytes_never_verify(sig, msg, uid):
    assert sm2.verify(sm2.SM2PublicKey(X_A, Y_A), msg, sig, uid=uid) is None


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300))
def test_key_loaders_raise_only_user_errors(data):
    for fn in (sm2.load_private_key, sm2.load_public_key):
        try:
            fn(data)
        except sm2.SM2Error as exc:
            assert exc.en and exc.zh
    assert sm2.is_sm2_spki(data) in (True, False)


@settings(max_examples=100, deadline=None)
@given(flip=st.integers(min_value=0, max_value=8 * 72 - 1))
def test_any_bit_flip_of_a_der_signature_is_refused(flip):
    sig = bytearray(sm2.encode_der(R, S))
    if flip // 8 >= len(sig):
        return
    sig[flip // 8] ^= 1 << (flip % 8)
    assert sm2.verify(sm2.SM2PublicKey(X_A, Y_A), M, bytes(sig)) is None


@settings(max_examples=300, deadline=None)
@given(r=st.integers(1, 2**256 - 1), s=st.integers(1, 2**256 - 1))
def test_der_encoding_is_asn1cryptos_and_reads_back(r, s):
    der = sm2.encode_der(r, s)
    assert der == algos.DSASignature({"r": r, "s": s}).dump(force=True)
    assert sm2.decode_signature(der)[0] == ("der", r, s)
    # any shorter or longer framing is not DER
    assert sm2._parse_der(der[:-1]) is None and sm2._parse_der(der + b"\x00") is None


def test_registering_the_oids_keeps_asn1crypto_working_when_it_was_used_first():
    """Importing sm2 after asn1crypto has already mapped digest names (as pyHanko does at import) must
    leave every name usable: the registration extends asn1crypto's maps, it does not reset them."""
    import subprocess
    import sys

    code = (
        "from asn1crypto import algos\n"
        "algos.DigestAlgorithm({'algorithm': 'sha256'}).dump()\n"  # sets the class up
        "algos.SignedDigestAlgorithm({'algorithm': 'sha256_ecdsa'}).dump()\n"
        "from edossier.signing import sm2\n"
        "import importlib; importlib.reload(sm2)\n"  # and registering twice is harmless
        "der = algos.DigestAlgorithm({'algorithm': 'sha256'}).dump(force=True)\n"
        "assert algos.DigestAlgorithm.load(der)['algorithm'].dotted == '2.16.840.1.101.3.4.2.1'\n"
        "assert algos.DigestAlgorithm({'algorithm': 'sm3'})['algorithm'].dotted == '1.2.156.10197.1.401'\n"
        "assert algos.SignedDigestAlgorithm({'algorithm': 'sm2_with_sm3'})['algorithm'].dotted == "
        "'1.2.156.10197.1.501'\n"
        "assert algos.DigestAlgorithm.load(bytes.fromhex('300a06082a811ccf55018311'))['algorithm'].native == 'sm3'\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
