"""Reading a PKCS#12 (.pfx / .p12) file that holds an SM2 key — the form national CAs hand out software
SM2 credentials in, which ``cryptography`` refuses (``Curve 1.2.156.10197.1.301 is not supported``).

RFC 7292 with asn1crypto's models: the password-integrity MAC is checked first (HMAC with the PKCS#12
key derivation of Appendix B, SHA-1/SHA-2/SM3), then the safe contents are opened: plain, PBES2
(AES/SM4, through edossier.signing.sm2) or the legacy PKCS#12 PBEs with 3DES or RC2 that older .pfx files
use. Key bags go to :func:`edossier.signing.sm2.load_private_key`, which refuses a non-SM2 key. Every
failure is a :class:`edossier.signing.sm2.SM2Error` (English and Chinese). Only reading: edossier writes
SM2 credentials as PEM (signing/pem_credential.py); ``openssl pkcs12 -export`` writes SM2 PKCS#12.
"""

from __future__ import annotations

import hashlib
import hmac

from asn1crypto import pkcs12, x509 as ax509

from edossier.signing import sm2

__all__ = ["read_sm2_p12", "is_sm2_p12"]

MAX_ITERATIONS = 10_000_000

# legacy PKCS#12 PBEs (RFC 7292 Appendix C): OID -> (cipher, key bytes)
_PKCS12_PBE = {
    "1.2.840.113549.1.12.1.3": ("3des", 24),  # pbeWithSHAAnd3-KeyTripleDES-CBC
    "1.2.840.113549.1.12.1.4": ("3des", 16),  # pbeWithSHAAnd2-KeyTripleDES-CBC
    "1.2.840.113549.1.12.1.5": ("rc2", 16),  # pbeWithSHAAnd128BitRC2-CBC
    "1.2.840.113549.1.12.1.6": ("rc2", 5),  # pbewithSHAAnd40BitRC2-CBC
}
_MAC_HASHES = {"sha1": "sha1", "sha224": "sha224", "sha256": "sha256", "sha384": "sha384", "sha512": "sha512",
               sm2.OID_SM3: "sm3"}


def _bmp(password: bytes | None) -> bytes:
    """The password as PKCS#12 wants it for its own KDF: BMPString (UTF-16BE) with a terminating zero;
    no password is the empty string."""
    if password is None:
        return b""
    return password.decode("utf-8").encode("utf-16-be") + b"\x00\x00"


def pkcs12_kdf(hash_name: str, password_bmp: bytes, salt: bytes, id_byte: int, iterations: int, n: int) -> bytes:
    """RFC 7292 Appendix B.2 key derivation (ID 1: key, 2: IV, 3: MAC key)."""
    h = hashlib.new(hash_name)
    u, v = h.digest_size, h.block_size
    d = bytes([id_byte]) * v

    def fill(data: bytes) -> bytes:  # data repeated to the next multiple of v bytes
        if not data:
            return b""
        length = v * ((len(data) + v - 1) // v)
        return (data * (length // len(data) + 1))[:length]

    i = bytearray(fill(salt) + fill(password_bmp))
    out = b""
    while len(out) < n:
        a = hashlib.new(hash_name, d + bytes(i)).digest()
        for _ in range(iterations - 1):
            a = hashlib.new(hash_name, a).digest()
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big")
        for j in range(0, len(i), v):
            block = (int.from_bytes(i[j:j + v], "big") + b + 1) % (1 << (8 * v))
            i[j:j + v] = block.to_bytes(v, "big")
    return out[:n]


def _decrypt(alg, data: bytes, password: bytes | None) -> bytes:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

    oid = alg["algorithm"].dotted
    if alg["algorithm"].native == "pbes2":
        return sm2.pbes2_decrypt(alg, data, password or b"")
    if oid not in _PKCS12_PBE:
        raise ValueError(f"unsupported PKCS#12 encryption {alg['algorithm'].native}")
    from cryptography.hazmat.decrepit.ciphers import algorithms as old

    params = alg["parameters"]
    salt, iterations = params["salt"].native, params["iterations"].native
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise ValueError("PKCS#12 iteration count out of bounds")
    cipher, klen = _PKCS12_PBE[oid]
    pw = _bmp(password)
    key = pkcs12_kdf("sha1", pw, salt, 1, iterations, klen)
    iv = pkcs12_kdf("sha1", pw, salt, 2, iterations, 8)
    algo = old.TripleDES(key if klen == 24 else key + key[:8]) if cipher == "3des" else old.RC2(key)
    dec = Cipher(algo, modes.CBC(iv)).decryptor()
    padded = dec.update(data) + dec.finalize()
    unpad = padding.PKCS7(64).unpadder()
    return unpad.update(padded) + unpad.finalize()


def _check_mac(pfx: pkcs12.Pfx, password: bytes | None) -> None:
    mac_data = pfx["mac_data"]
    if mac_data.native is None:
        raise sm2.SM2Error("the PKCS#12 file has no integrity MAC", "PKCS#12 文件没有完整性校验码（MAC）")
    digest_alg = mac_data["mac"]["digest_algorithm"]["algorithm"]
    name = _MAC_HASHES.get(digest_alg.native) or _MAC_HASHES.get(digest_alg.dotted)
    if name is None:
        raise sm2.SM2Error(f"unsupported PKCS#12 MAC digest {digest_alg.native}",
                           f"不支持的 PKCS#12 MAC 摘要算法 {digest_alg.native}")
    iterations = mac_data["iterations"].native
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise sm2.SM2Error("PKCS#12 MAC iteration count out of bounds", "PKCS#12 MAC 迭代次数超出范围")
    content = pfx["auth_safe"]["content"].native
    expected = mac_data["mac"]["digest"].native
    size = hashlib.new(name).digest_size
    # OpenSSL tries the password as given and, for an empty one, also "no password": so do we
    candidates = [password] if password else [password, b""]
    for pw in candidates:
        key = pkcs12_kdf(name, _bmp(pw), mac_data["mac_salt"].native, 3, iterations, size)
        if hmac.compare_digest(hmac.new(key, content, name).digest(), expected):
            return
    raise sm2.SM2Error("wrong or missing passphrase for the PKCS#12 file (its MAC does not verify)",
                       "PKCS#12 文件的口令错误或缺失（MAC 校验失败）")


def is_sm2_p12(data: bytes) -> bool:
    """Whether ``data`` parses as PKCS#12 at all (the caller tries cryptography first)."""
    try:
        pkcs12.Pfx.load(bytes(data), strict=True)["auth_safe"]["content_type"].native
        return True
    except Exception:  # noqa: BLE001
        return False


def read_sm2_p12(data: bytes, password: bytes | None = None):
    """(SM2 private key, signer certificate DER, [other certificates DER]) of a PKCS#12 file; the signer
    certificate is the one whose public key is the private key's. SM2Error for everything else."""
    try:
        pfx = pkcs12.Pfx.load(bytes(data), strict=True)
        if pfx["auth_safe"]["content_type"].native != "data":
            raise ValueError("only password-integrity PKCS#12 files are read")
        pfx.native  # full parse of the outer structure
    except Exception as exc:  # noqa: BLE001
        raise sm2.SM2Error(f"not a PKCS#12 file ({str(exc)[:200]})", f"不是 PKCS#12 文件（{str(exc)[:200]}）") from None
    _check_mac(pfx, password)
    key_infos, certs = [], []
    try:
        for info in pfx.authenticated_safe:
            kind = info["content_type"].native
            if kind == "data":
                bags = pkcs12.SafeContents.load(info["content"].native)
            elif kind == "encrypted_data":
                eci = info["content"]["encrypted_content_info"]
                plain = _decrypt(eci["content_encryption_algorithm"], eci["encrypted_content"].native, password)
                bags = pkcs12.SafeContents.load(plain)
            else:
                raise ValueError(f"unsupported PKCS#12 content {kind}")
            _collect(bags, password, key_infos, certs)
        if len(key_infos) != 1:
            raise ValueError(f"{len(key_infos)} private keys; exactly one is needed")
    except sm2.SM2Error:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed or unsupported content
        raise sm2.SM2Error(f"cannot read the PKCS#12 file ({str(exc)[:200]})",
                           f"无法读取 PKCS#12 文件（{str(exc)[:200]}）") from None
    key = sm2.load_private_key(key_infos[0])
    own = [c for c in certs if sm2.is_sm2_spki(ax509.Certificate.load(c).public_key.dump())
           and sm2.public_key_from_spki(ax509.Certificate.load(c).public_key) == key.public]
    if len(own) != 1:
        raise sm2.SM2Error("no certificate (or more than one) in the PKCS#12 file belongs to its private key",
                           "PKCS#12 文件中没有（或有多个）与其私钥对应的证书")
    return key, own[0], [c for c in certs if c != own[0]]


def _collect(bags, password, key_infos: list, certs: list, depth: int = 0) -> None:
    if depth > 2:
        raise ValueError("nested safe contents too deep")
    for bag in bags:
        kind = bag["bag_id"].native
        value = bag["bag_value"]
        if kind == "key_bag":
            key_infos.append(value.dump())
        elif kind == "pkcs8_shrouded_key_bag":
            key_infos.append(_decrypt(value["encryption_algorithm"], value["encrypted_data"].native, password))
        elif kind == "cert_bag":
            if value["cert_id"].native == "x509":
                der = bytes(value["cert_value"].contents)  # the OCTET STRING holds the certificate's DER
                ax509.Certificate.load(der).native  # full parse
                certs.append(der)
        elif kind == "safe_contents":
            _collect(value, password, key_infos, certs, depth + 1)
