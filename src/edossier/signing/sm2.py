"""SM2 signatures with SM3 (GB/T 32918.2, GB/T 32905), the signer ID of GM/T 0009, key files, and the
OIDs of GM/T 0006 / GB/T 33560 / GB/T 35275 — the one place the rest of edossier reaches SM2 through.

The elliptic-curve arithmetic is not ours: it is Tongsuo's (the ``tongsuopy`` wheel bundles it; the
library comparison is in docs/signatures.md). What is ours is what the libraries disagree on, so that it
is decided once and tested: Z = SM3(ENTL‖ID‖a‖b‖xG‖yG‖xA‖yA) and e = SM3(Z‖M) are computed here with
the ID the caller names, and Tongsuo is handed e (its ``EVP_PKEY_sign``/``verify`` on an SM2 key sign and
verify a given e); signatures are written as DER SEQUENCE{r, s} and read as DER or raw 64-byte r‖s;
everything that arrives from outside (signature bytes, public-key points, key files) is checked here
before Tongsuo sees it, so a hostile input gives ``None`` or a ``UserError``, never a crash.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import algos, core, keys

from edossier.errors import UserError

# --- OIDs (GM/T 0006-2012 / GB/T 33560-2017; GB/T 35275-2017, formerly GM/T 0010-2012) ---------------
OID_SM2_CURVE = "1.2.156.10197.1.301"  # sm2p256v1, the namedCurve of an SM2 SubjectPublicKeyInfo
OID_SM2_SIGN = "1.2.156.10197.1.301.1"  # "sm2-1" (SM2 signature), named by some producers as the algorithm
OID_SM2_WITH_SM3 = "1.2.156.10197.1.501"  # SM2 signature with SM3: certificates, CRLs, SignerInfo
OID_SM3 = "1.2.156.10197.1.401"  # SM3 digest
OID_SM3_WITH_KEY = "1.2.156.10197.1.401.2"  # SM3 keyed (HMAC-SM3) in GM/T 0006
OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"  # id-ecPublicKey (RFC 5480), the algorithm of an SM2 SPKI
# GB/T 35275-2017 §5 content types (base 1.2.156.10197.6.1.4.2); RFC 5652 equivalents in comments
OID_GBT35275_DATA = "1.2.156.10197.6.1.4.2.1"  # id-data
OID_GBT35275_SIGNED_DATA = "1.2.156.10197.6.1.4.2.2"  # id-signedData
OID_GBT35275_ENVELOPED_DATA = "1.2.156.10197.6.1.4.2.3"
OID_GBT35275_SIGNED_AND_ENVELOPED_DATA = "1.2.156.10197.6.1.4.2.4"
OID_GBT35275_ENCRYPTED_DATA = "1.2.156.10197.6.1.4.2.5"
OID_GBT35275_KEY_AGREEMENT_INFO = "1.2.156.10197.6.1.4.2.6"
OID_PKCS7_DATA = "1.2.840.113549.1.7.1"
OID_PKCS7_SIGNED_DATA = "1.2.840.113549.1.7.2"

#: signature-algorithm OIDs an SM2 signature arrives under, with the name reported for the form found
SIGNATURE_ALGORITHM_FORMS: dict[str, str] = {
    OID_SM2_WITH_SM3: "sm2-with-sm3",
    OID_SM2_SIGN: "sm2-1",
    OID_EC_PUBLIC_KEY: "id-ecPublicKey",  # producers that wrap SM2 in plain RFC 5652 terms
    OID_SM2_CURVE: "sm2p256v1",
}

DEFAULT_ID = b"1234567812345678"  # GM/T 0009-2012 §10 (and GB/T 35276-2017 §7): the default user ID



def register_oid(cls, oid: str, name: str) -> None:
    """Teach an asn1crypto OID class one more name, idempotently, whether or not asn1crypto has set the
    class up yet: it builds ``_reverse_map`` once per class (``core._SETUP_CLASSES``), so the reverse map
    must be extended in place — clearing it after set-up leaves it None and breaks every later lookup."""
    cls._map.setdefault(oid, name)
    if cls._reverse_map is not None:
        cls._reverse_map.setdefault(name, oid)
    elif cls in core._SETUP_CLASSES:  # set up, yet no reverse map: build it as _setup would
        cls._reverse_map = {v: k for k, v in cls._map.items()}


# asn1crypto knows neither SM2 nor SM3; teach it once so that certificates, CRLs and CMS made or read
# anywhere in edossier carry the names.
keys.NamedCurve.register("sm2p256v1", OID_SM2_CURVE, 32)
register_oid(algos.DigestAlgorithmId, OID_SM3, "sm3")
register_oid(algos.SignedDigestAlgorithmId, OID_SM2_WITH_SM3, "sm2_with_sm3")

# --- the curve (GB/T 32918.5-2017 §3 / GM/T 0003.5-2012): needed for Z and the on-curve check only -----
P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0

MAX_ID_BYTES = 8191  # ENTL is a 16-bit count of bits (GB/T 32918.2 §5.5)
MAX_KEY_FILE_BYTES = 64 * 1024


class SM2Error(UserError):
    """An SM2 key or key file that cannot be used (malformed, wrong curve, wrong passphrase)."""


def sm3(data: bytes) -> bytes:
    """SM3 (GB/T 32905-2016) of ``data``: OpenSSL's, through hashlib."""
    return hashlib.new("sm3", data).digest()


def _b32(v: int) -> bytes:
    return v.to_bytes(32, "big")


def on_curve(x: int, y: int) -> bool:
    """Whether (x, y) is an affine point of the SM2 curve (y² = x³ + ax + b mod p)."""
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


@dataclass(frozen=True)
class SM2PublicKey:
    """An SM2 public key: the affine point (x, y), checked to be on the curve when made."""

    x: int
    y: int
    _tongsuo: list = field(default_factory=list, repr=False, compare=False, hash=False)
    _z: dict = field(default_factory=dict, repr=False, compare=False, hash=False)  # uid -> Z (one SM3 saved per use)

    def __post_init__(self):
        if not on_curve(self.x, self.y):
            raise SM2Error("the SM2 public key is not a point of the SM2 curve", "SM2 公钥不是 SM2 曲线上的点")

    def point(self) -> bytes:
        """The uncompressed point 04‖x‖y (65 bytes)."""
        return b"\x04" + _b32(self.x) + _b32(self.y)

    def public_key(self) -> "SM2PublicKey":
        return self


@dataclass(frozen=True)
class SM2PrivateKey:
    """An SM2 private key d (1 ≤ d ≤ n−2, GB/T 32918.1 §6.1) with its public key."""

    d: int = field(repr=False)
    public: SM2PublicKey
    _tongsuo: list = field(default_factory=list, repr=False, compare=False, hash=False)

    def public_key(self) -> SM2PublicKey:
        return self.public


# --- Tongsuo through tongsuopy ---------------------------------------------------------------------------

_lock = threading.Lock()  # one Tongsuo call at a time, so the errors consumed after a failure are its own


def _backend():
    try:
        from tongsuopy.backends.tongsuo.backend import backend
        from tongsuopy.crypto.asymciphers import ec
    except ImportError as exc:  # pragma: no cover - a platform tongsuopy has no wheel for (pyproject)
        raise SM2Error(f"SM2 needs the tongsuopy package ({exc})", f"SM2 需要 tongsuopy 软件包（{exc}）") from None
    return backend, ec


def _evp_private(key: SM2PrivateKey):
    if not key._tongsuo:
        backend, ec = _backend()
        key._tongsuo.append(ec.derive_private_key(key.d, ec.SM2(), backend))
    return key._tongsuo[0]._evp_pkey


def _evp_public(key: SM2PublicKey):
    if not key._tongsuo:
        backend, ec = _backend()
        key._tongsuo.append(ec.EllipticCurvePublicNumbers(key.x, key.y, ec.SM2()).public_key(backend))
    return key._tongsuo[0]._evp_pkey


def generate_private_key() -> SM2PrivateKey:
    """A fresh SM2 key pair from Tongsuo's generator (OpenSSL's RAND)."""
    backend, ec = _backend()
    tkey = ec.generate_private_key(ec.SM2(), backend)
    nums = tkey.private_numbers()
    pub = SM2PublicKey(nums.public_numbers.x, nums.public_numbers.y)
    key = SM2PrivateKey(nums.private_value, pub)
    key._tongsuo.append(tkey)
    return key


def private_key_from_scalar(d: int) -> SM2PrivateKey:
    """The key pair of scalar ``d`` (for published test vectors and key files)."""
    if not 1 <= d <= N - 2:
        raise SM2Error("the SM2 private key is out of range (1 ≤ d ≤ n−2)", "SM2 私钥超出范围（1 ≤ d ≤ n−2）")
    backend, ec = _backend()
    tkey = ec.derive_private_key(d, ec.SM2(), backend)
    nums = tkey.public_key().public_numbers()
    key = SM2PrivateKey(d, SM2PublicKey(nums.x, nums.y))
    key._tongsuo.append(tkey)
    return key


def public_key_from_point(point: bytes) -> SM2PublicKey:
    """The public key of an encoded point: uncompressed 04‖x‖y, or compressed 02/03‖x (decompressed by
    Tongsuo). Raises SM2Error for anything else or a point off the curve."""
    if len(point) == 65 and point[0] == 4:
        return SM2PublicKey(int.from_bytes(point[1:33], "big"), int.from_bytes(point[33:], "big"))
    if len(point) == 33 and point[0] in (2, 3):
        backend, ec = _backend()
        try:
            with _lock:
                tkey = ec.EllipticCurvePublicKey.from_encoded_point(ec.SM2(), point)
            nums = tkey.public_numbers()
        except Exception:  # noqa: BLE001 - Tongsuo refuses an x with no point
            raise SM2Error("the compressed SM2 point is not on the curve", "压缩的 SM2 点不在曲线上") from None
        return SM2PublicKey(nums.x, nums.y)
    raise SM2Error("not an SM2 point (expected 65 bytes 04‖x‖y or 33 bytes 02/03‖x)",
                   "不是 SM2 点（应为 65 字节 04‖x‖y 或 33 字节 02/03‖x）")


# --- Z, e, sign, verify ------------------------------------------------------------------------------------


def z_value(public_key: SM2PublicKey, uid: bytes = DEFAULT_ID) -> bytes:
    """Z_A = SM3(ENTL_A‖ID_A‖a‖b‖x_G‖y_G‖x_A‖y_A) (GB/T 32918.2-2016 §5.5)."""
    uid = bytes(uid)
    cached = public_key._z.get(uid)
    if cached is not None:
        return cached
    if len(uid) > MAX_ID_BYTES:
        raise ValueError(f"SM2 signer ID longer than {MAX_ID_BYTES} bytes")
    entl = (len(uid) * 8).to_bytes(2, "big")
    z = sm3(entl + uid + _b32(A) + _b32(B) + _b32(GX) + _b32(GY) + _b32(public_key.x) + _b32(public_key.y))
    if len(public_key._z) < 8:  # a key is used with one or two IDs; bounded for hostile callers
        public_key._z[uid] = z
    return z


def message_digest(public_key: SM2PublicKey, message: bytes, uid: bytes = DEFAULT_ID) -> bytes:
    """e = SM3(Z_A‖M) (GB/T 32918.2-2016 §6.1 steps A1–A2), the value SM2 actually signs."""
    return sm3(z_value(public_key, uid) + bytes(message))


def encode_der(r: int, s: int) -> bytes:
    """DER SEQUENCE{r INTEGER, s INTEGER} (GB/T 35276-2017 §7.3 SM2Signature)."""
    if 0 < r < 1 << 256 and 0 < s < 1 << 256:
        body = _der_uint(r) + _der_uint(s)  # the common case without asn1crypto: it is on every verify
        return b"\x30" + bytes([len(body)]) + body
    return algos.DSASignature({"r": r, "s": s}).dump(force=True)


def _der_uint(v: int) -> bytes:
    octets = v.to_bytes(v.bit_length() // 8 + 1, "big")  # one spare byte exactly when the top bit is set
    return b"\x02" + bytes([len(octets)]) + octets


def encode_raw(r: int, s: int) -> bytes:
    """Raw r‖s, 32 bytes each."""
    return _b32(r) + _b32(s)


def _parse_der(sig: bytes) -> tuple[int, int] | None:
    """(r, s) of a strictly DER-encoded SEQUENCE{r, s} of positive INTEGERs of at most 33 octets; None
    for anything else (BER lengths, trailing bytes, negative, zero-length or non-minimal INTEGERs), so
    that a malleated encoding of a valid signature is refused. Hand-written on purpose: it is on every
    verification and the grammar is two fixed fields."""
    n = len(sig)
    if n < 8 or n > 72 or sig[0] != 0x30 or sig[1] != n - 2:  # ≤ 70 content octets: short-form length
        return None
    pos, out = 2, []
    for _ in range(2):
        if pos + 2 > n or sig[pos] != 0x02:
            return None
        size = sig[pos + 1]
        value = sig[pos + 2:pos + 2 + size]
        if size == 0 or size > 33 or len(value) != size or value[0] & 0x80:
            return None
        if size > 1 and value[0] == 0 and not value[1] & 0x80:
            return None  # a leading zero octet that is not needed
        out.append(int.from_bytes(value, "big"))
        pos += 2 + size
    return (out[0], out[1]) if pos == n else None


def decode_signature(sig: bytes) -> list[tuple[str, int, int]]:
    """The readings of ``sig`` as an SM2 signature: ("der", r, s) and/or ("raw", r, s). Both when a
    64-byte value also parses as DER (vanishingly rare, but then each reading is tried)."""
    out = []
    der = _parse_der(bytes(sig))
    if der is not None:
        out.append(("der", *der))
    if len(sig) == 64:
        out.append(("raw", int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")))
    return out


def sign_digest(private_key: SM2PrivateKey, e: bytes) -> bytes:
    """The DER signature of a given e (32 bytes): for producers that hand over e rather than M."""
    if len(e) != 32:
        raise ValueError("SM2 signs a 32-byte SM3 value e")
    backend, _ec = _backend()
    lib, ffi = backend._lib, backend._ffi
    pkey = _evp_private(private_key)
    with _lock:
        ctx = ffi.gc(lib.EVP_PKEY_CTX_new(pkey, ffi.NULL), lib.EVP_PKEY_CTX_free)
        buf = ffi.new("unsigned char[]", 80)
        buflen = ffi.new("size_t *", 80)
        ok = lib.EVP_PKEY_sign_init(ctx) == 1 and lib.EVP_PKEY_sign(ctx, buf, buflen, e, len(e)) == 1
        if not ok:
            errors = backend._consume_errors()
            raise RuntimeError(f"Tongsuo SM2 signing failed: {errors}")
        der = bytes(ffi.buffer(buf)[: buflen[0]])
    r, s = _parse_der(der) or (0, 0)
    if not (1 <= r < N and 1 <= s < N):  # Tongsuo wrote something we would not read back
        raise RuntimeError("Tongsuo returned a malformed SM2 signature")
    return der


def sign(private_key: SM2PrivateKey, message: bytes, *, uid: bytes = DEFAULT_ID) -> bytes:
    """SM2 signature of ``message`` by ``private_key`` with signer ID ``uid``: DER SEQUENCE{r, s}."""
    return sign_digest(private_key, message_digest(private_key.public, message, uid))


def verify_digest(public_key: SM2PublicKey, e: bytes, signature: bytes) -> str | None:
    """Check ``signature`` (DER or raw r‖s) over a given e; the form found ("der"/"raw") or None."""
    try:
        if len(e) != 32 or not isinstance(public_key, SM2PublicKey):
            return None
        readings = decode_signature(bytes(signature))
    except Exception:  # noqa: BLE001 - never raise on hostile input
        return None
    backend, _ec = _backend()
    lib, ffi = backend._lib, backend._ffi
    for form, r, s in readings:
        if not (1 <= r < N and 1 <= s < N):  # GB/T 32918.2 §7.1 B1–B2
            continue
        der = encode_der(r, s)
        try:
            pkey = _evp_public(public_key)
        except Exception:  # noqa: BLE001 - Tongsuo refused the point (infinity, off curve)
            return None
        with _lock:
            ctx = ffi.gc(lib.EVP_PKEY_CTX_new(pkey, ffi.NULL), lib.EVP_PKEY_CTX_free)
            ok = lib.EVP_PKEY_verify_init(ctx) == 1 and lib.EVP_PKEY_verify(ctx, der, len(der), e, len(e)) == 1
            if not ok:
                backend._consume_errors()
        if ok:
            return form
    return None


def verify(public_key: SM2PublicKey, message: bytes, signature: bytes, *, uid: bytes = DEFAULT_ID) -> str | None:
    """Check an SM2 signature over ``message`` with signer ID ``uid``. Returns "der" or "raw" (the
    encoding that verified) or None — also for malformed signatures, r/s out of range, an over-long ID
    or a key that is not an SM2 key: it never raises on what an attacker controls."""
    try:
        if isinstance(public_key, SM2PrivateKey):
            public_key = public_key.public
        e = message_digest(public_key, bytes(message), bytes(uid))
    except Exception:  # noqa: BLE001
        return None
    return verify_digest(public_key, e, signature)


# --- SubjectPublicKeyInfo -------------------------------------------------------------------------------


def _spki_curve(info: keys.PublicKeyInfo) -> str | None:
    alg = info["algorithm"]
    oid = alg["algorithm"].dotted
    if oid == OID_SM2_CURVE:  # some producers put the curve OID as the algorithm itself
        return OID_SM2_CURVE
    if oid != OID_EC_PUBLIC_KEY:
        return None
    params = alg["parameters"]
    if params.name != "named":
        return None
    return params.chosen.dotted


def is_sm2_spki(spki_der: bytes) -> bool:
    """Whether a DER SubjectPublicKeyInfo is an SM2 key (id-ecPublicKey + namedCurve sm2p256v1, or the
    curve OID as the algorithm); False for anything else, malformed input included."""
    try:
        info = spki_der if isinstance(spki_der, keys.PublicKeyInfo) else keys.PublicKeyInfo.load(bytes(spki_der))
        return _spki_curve(info) == OID_SM2_CURVE
    except Exception:  # noqa: BLE001
        return False


def public_key_from_spki(spki_der: bytes | keys.PublicKeyInfo) -> SM2PublicKey:
    """The SM2 public key of a SubjectPublicKeyInfo (DER bytes or asn1crypto object); SM2Error if it is
    not one."""
    try:
        info = spki_der if isinstance(spki_der, keys.PublicKeyInfo) else keys.PublicKeyInfo.load(bytes(spki_der))
        curve = _spki_curve(info)
        point = bytes(info["public_key"]) if curve == OID_SM2_CURVE else None
        if point is None:
            raise ValueError("not SM2")
    except Exception:  # noqa: BLE001
        raise SM2Error("not an SM2 SubjectPublicKeyInfo", "不是 SM2 公钥信息（SubjectPublicKeyInfo）") from None
    return public_key_from_point(point)


def spki(public_key: SM2PublicKey) -> keys.PublicKeyInfo:
    """The asn1crypto SubjectPublicKeyInfo (id-ecPublicKey, namedCurve sm2p256v1, uncompressed point —
    GB/T 35276-2017 §7.1 and what OpenSSL, GmSSL and Tongsuo write)."""
    return keys.PublicKeyInfo({
        "algorithm": {"algorithm": "ec", "parameters": ("named", OID_SM2_CURVE)},
        "public_key": public_key.point(),
    })


def spki_der(public_key: SM2PublicKey) -> bytes:
    return spki(public_key).dump()


def key_identifier(public_key: SM2PublicKey) -> bytes:
    """RFC 5280 §4.2.1.2 method 1 key identifier: SHA-1 of the subjectPublicKey bits (not a security
    use; it is what cryptography's SubjectKeyIdentifier.from_public_key computes for other keys)."""
    return hashlib.sha1(public_key.point()).digest()


# --- private key files --------------------------------------------------------------------------------


def _ec_private_key(key: SM2PrivateKey, with_params: bool) -> keys.ECPrivateKey:
    value: dict[str, Any] = {"version": "ecPrivkeyVer1", "private_key": key.d,
                             "public_key": key.public.point()}
    if with_params:
        value["parameters"] = ("named", OID_SM2_CURVE)
    return keys.ECPrivateKey(value)


def private_key_der(key: SM2PrivateKey) -> bytes:
    """Unencrypted PKCS#8 PrivateKeyInfo (RFC 5208; id-ecPublicKey + namedCurve sm2p256v1)."""
    return keys.PrivateKeyInfo({
        "version": 0,
        "private_key_algorithm": {"algorithm": "ec", "parameters": ("named", OID_SM2_CURVE)},
        "private_key": _ec_private_key(key, with_params=False),
    }).dump()


def _pem(label: str, der: bytes) -> bytes:
    from asn1crypto import pem

    return pem.armor(label, der)


def private_key_pem(key: SM2PrivateKey, password: bytes | None = None) -> bytes:
    """The key as PEM PKCS#8 ("PRIVATE KEY"), or with ``password`` as "ENCRYPTED PRIVATE KEY" (PBES2:
    PBKDF2-HMAC-SHA256, 600 000 iterations, AES-256-CBC) — the form ``openssl pkey`` reads."""
    der = private_key_der(key)
    if password is None:
        return _pem("PRIVATE KEY", der)
    return _pem("ENCRYPTED PRIVATE KEY", _pbes2_encrypt(der, password))


_PBKDF2_ITERATIONS = 600_000


def _pbes2_encrypt(plain: bytes, password: bytes) -> bytes:
    import os

    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    salt, iv = os.urandom(16), os.urandom(16)
    k = PBKDF2HMAC(hashes.SHA256(), 32, salt, _PBKDF2_ITERATIONS).derive(password)
    padder = padding.PKCS7(128).padder()
    enc = Cipher(algorithms.AES(k), modes.CBC(iv)).encryptor()
    ct = enc.update(padder.update(plain) + padder.finalize()) + enc.finalize()
    return keys.EncryptedPrivateKeyInfo({
        "encryption_algorithm": {"algorithm": "pbes2", "parameters": {
            "key_derivation_func": {"algorithm": "pbkdf2", "parameters": {
                "salt": ("specified", salt), "iteration_count": _PBKDF2_ITERATIONS,
                "prf": {"algorithm": "sha256", "parameters": core.Null()}}},
            "encryption_scheme": {"algorithm": "aes256_cbc", "parameters": iv}}},
        "encrypted_data": ct,
    }).dump()


_PRF_HASHES = {"sha1": "SHA1", "sha224": "SHA224", "sha256": "SHA256", "sha384": "SHA384", "sha512": "SHA512"}
_CIPHERS = {"aes128_cbc": ("AES", 16), "aes192_cbc": ("AES", 24), "aes256_cbc": ("AES", 32),
            "1.2.156.10197.1.104.2": ("SM4", 16)}  # SM4-CBC, as GmSSL and Tongsuo write SM2 keys


def _pbes2_decrypt(der: bytes, password: bytes) -> bytes:
    info = keys.EncryptedPrivateKeyInfo.load(der)
    return pbes2_decrypt(info["encryption_algorithm"], info["encrypted_data"].native, password)


def pbes2_decrypt(enc_alg, ciphertext: bytes, password: bytes) -> bytes:
    """Decrypt PBES2 (RFC 8018) data: PBKDF2 with HMAC-SHA1/SHA-2/SM3, AES-CBC or SM4-CBC (for the
    encrypted parts of key files and PKCS#12). ValueError for anything else or a wrong password."""
    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    if enc_alg["algorithm"].native != "pbes2":
        raise ValueError(f"unsupported key encryption {enc_alg['algorithm'].native} (only PBES2)")
    params = enc_alg["parameters"]
    kdf = params["key_derivation_func"]
    if kdf["algorithm"].native != "pbkdf2":
        raise ValueError("unsupported key derivation (only PBKDF2)")
    kp = kdf["parameters"]
    prf = kp["prf"]["algorithm"].native
    hash_cls = getattr(hashes, _PRF_HASHES[prf]) if prf in _PRF_HASHES else (
        hashes.SM3 if kp["prf"]["algorithm"].dotted == OID_SM3_WITH_KEY else None)
    if hash_cls is None:
        raise ValueError(f"unsupported PBKDF2 PRF {prf}")
    iterations = kp["iteration_count"].native
    if not 1 <= iterations <= 10_000_000:
        raise ValueError("PBKDF2 iteration count out of bounds")
    scheme = params["encryption_scheme"]
    name = scheme["algorithm"].native
    cipher = _CIPHERS.get(name) or _CIPHERS.get(scheme["algorithm"].dotted)
    if cipher is None:
        raise ValueError(f"unsupported key cipher {name}")
    iv = scheme["parameters"].native if not isinstance(scheme["parameters"], core.Any) else \
        core.OctetString.load(scheme["parameters"].dump()).native
    if not isinstance(iv, bytes) or len(iv) != 16:
        raise ValueError("bad IV")
    k = PBKDF2HMAC(hash_cls(), cipher[1], kp["salt"].native, iterations).derive(password)
    dec = Cipher(getattr(algorithms, cipher[0])(k), modes.CBC(iv)).decryptor()
    padded = dec.update(ciphertext) + dec.finalize()
    unpad = padding.PKCS7(128).unpadder()
    return unpad.update(padded) + unpad.finalize()


def _from_ec_private_key(ec_key: keys.ECPrivateKey, curve: str | None) -> SM2PrivateKey:
    params = ec_key["parameters"]
    if params.native is not None:
        if params.name != "named" or params.chosen.dotted != OID_SM2_CURVE:
            raise ValueError("not on the SM2 curve")
    elif curve != OID_SM2_CURVE:
        raise ValueError("not on the SM2 curve")
    key = private_key_from_scalar(ec_key["private_key"].native)
    stated = ec_key["public_key"]
    if stated.native is not None and public_key_from_point(bytes(stated)) != key.public:
        raise ValueError("the stated public key does not belong to the private key")
    return key


def load_private_key(pem_or_der: bytes, password: bytes | None = None) -> SM2PrivateKey:
    """An SM2 private key from PEM or DER: PKCS#8 (plain or PBES2-encrypted with AES or SM4), or SEC1
    ("EC PRIVATE KEY", or "SM2 PRIVATE KEY" as OpenSSL 3 writes it) naming the SM2 curve. SM2Error
    (English and Chinese) for anything else."""
    data = bytes(pem_or_der)
    if len(data) > MAX_KEY_FILE_BYTES:
        raise SM2Error("the key file is too large", "密钥文件过大")
    label = None
    try:
        from asn1crypto import pem

        if pem.detect(data):
            label, _headers, data = pem.unarmor(data)
    except Exception:  # noqa: BLE001
        raise SM2Error("the key file is not valid PEM", "密钥文件不是有效的 PEM") from None
    try:
        if label == "ENCRYPTED PRIVATE KEY" or (label is None and _looks_encrypted(data)):
            if password is None:
                raise SM2Error("the SM2 key is encrypted: a passphrase is needed", "SM2 私钥已加密，需要口令")
            try:
                data = _pbes2_decrypt(data, password)
            except ValueError as exc:
                if "pad" in str(exc).lower() or "invalid" in str(exc).lower():
                    raise SM2Error("wrong passphrase for the SM2 key", "SM2 私钥的口令错误") from None
                raise
            label = "PRIVATE KEY"
        if label in ("EC PRIVATE KEY", "SM2 PRIVATE KEY"):  # SEC1; OpenSSL 3 labels an SM2 one "SM2 …"
            return _from_ec_private_key(keys.ECPrivateKey.load(data, strict=True), None)
        if label not in (None, "PRIVATE KEY"):
            raise ValueError(f"PEM block {label!r} is not a private key")
        try:
            info = keys.PrivateKeyInfo.load(data, strict=True)
            alg = info["private_key_algorithm"]
            oid = alg["algorithm"].dotted
        except Exception:  # noqa: BLE001
            if label is None:  # bare DER SEC1
                return _from_ec_private_key(keys.ECPrivateKey.load(data, strict=True), None)
            raise
        if oid == OID_SM2_CURVE:
            curve = OID_SM2_CURVE
        elif oid == OID_EC_PUBLIC_KEY and alg["parameters"].name == "named":
            curve = alg["parameters"].chosen.dotted
        else:
            raise ValueError(f"algorithm {oid} is not SM2")
        inner = info["private_key"].parsed if hasattr(info["private_key"], "parsed") else info["private_key"]
        if not isinstance(inner, keys.ECPrivateKey):
            inner = keys.ECPrivateKey.load(info["private_key"].contents)
        return _from_ec_private_key(inner, curve)
    except SM2Error:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed or foreign key
        raise SM2Error(f"not an SM2 private key ({exc})", f"不是 SM2 私钥（{exc}）") from None


def _looks_encrypted(der: bytes) -> bool:
    try:
        keys.EncryptedPrivateKeyInfo.load(der, strict=True)["encryption_algorithm"]["algorithm"].native
        return True
    except Exception:  # noqa: BLE001
        return False


def load_public_key(pem_or_der: bytes) -> SM2PublicKey:
    """An SM2 public key from a PEM "PUBLIC KEY" block or DER SubjectPublicKeyInfo."""
    data = bytes(pem_or_der)
    try:
        from asn1crypto import pem

        if pem.detect(data):
            _label, _h, data = pem.unarmor(data)
    except Exception:  # noqa: BLE001
        raise SM2Error("not valid PEM", "不是有效的 PEM") from None
    return public_key_from_spki(data)
