"""A signing credential as one PEM file: the private key (PKCS#8, optionally PBES2-encrypted) followed by
the signer's certificate and the chain above it — the form SM2 credentials take here.

Why edossier writes SM2 credentials as PEM and not PKCS#12: ``cryptography`` (which reads and writes
every RSA/ECDSA credential, signing/p12.py) refuses an SM2 key inside a PKCS#12 ("Curve
1.2.156.10197.1.301 is not supported"), though OpenSSL 3.0 writes one. PEM key + certificates is what
OpenSSL, GmSSL and Tongsuo all read and write. An SM2 .pfx from a CA is read as it is
(:func:`read_sm2_credential`, signing/sm2_p12.py) — docs/signatures.md §6.3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from asn1crypto import pem, x509 as ax509

from edossier.signing import sm2

MAX_PEM_CREDENTIAL_BYTES = 1024 * 1024

__all__ = ["pem_credential_bytes", "read_pem_credential", "read_sm2_credential", "is_pem_credential"]


def pem_credential_bytes(key: sm2.SM2PrivateKey, cert_der: bytes, chain: list[bytes] | tuple[bytes, ...] = (),
                         passphrase: bytes | None = None) -> bytes:
    """Key (encrypted when ``passphrase`` is given), signer certificate, then the chain, as PEM."""
    out = sm2.private_key_pem(key, passphrase)
    for der in (cert_der, *chain):
        out += pem.armor("CERTIFICATE", der)
    return out


def is_pem_credential(data: bytes) -> bool:
    return data.lstrip().startswith(b"-----BEGIN")


def read_pem_credential(path: Path, passphrase: bytes | None, error: Callable[[str, str], Exception],
                        what: tuple[str, str] = ("credential", "凭据")):
    """(file bytes, SM2 private key, signer certificate DER, [chain DER…]) of a PEM credential; the
    signer certificate is the one whose public key is the private key's, wherever it stands in the file.
    Raises ``error(en, zh)`` for every failure."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_PEM_CREDENTIAL_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise error(f"{path}: cannot read the {what[0]} ({reason})", f"{path}：无法读取{what[1]}（{reason}）") from None
    if len(data) > MAX_PEM_CREDENTIAL_BYTES:
        raise error(f"{path}: too large for a PEM {what[0]}", f"{path}：文件过大，不是 PEM {what[1]}")
    key_block, certs = None, []
    try:
        for label, _headers, der in pem.unarmor(data, multiple=True):
            if label in ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY", "SM2 PRIVATE KEY"):
                if key_block is not None:
                    raise ValueError("more than one private key")
                key_block = pem.armor(label, der)
            elif label == "CERTIFICATE":
                ax509.Certificate.load(der).native  # full parse: a broken certificate fails here
                certs.append(der)
    except Exception as exc:  # noqa: BLE001 - malformed PEM / certificate
        raise error(f"{path}: not a PEM {what[0]} ({exc})", f"{path}：不是 PEM {what[1]}（{exc}）") from None
    if key_block is None or not certs:
        raise error(f"{path}: the PEM file holds no private key and certificate",
                    f"{path}：PEM 文件中没有私钥和证书")
    try:
        key = sm2.load_private_key(key_block, passphrase)
    except sm2.SM2Error as exc:
        raise error(f"{path}: {exc.en}", f"{path}：{exc.zh}") from None
    own = [d for d in certs if sm2.is_sm2_spki(ax509.Certificate.load(d).public_key.dump())
           and sm2.public_key_from_spki(ax509.Certificate.load(d).public_key) == key.public]
    if len(own) != 1:
        raise error(f"{path}: no certificate (or more than one) in the file belongs to its private key",
                    f"{path}：文件中没有（或有多个）与其私钥对应的证书")
    return data, key, own[0], [d for d in certs if d != own[0]]


def read_sm2_credential(path: Path, passphrase: bytes | None, error: Callable[[str, str], Exception],
                        what: tuple[str, str] = ("credential", "凭据")):
    """An SM2 credential in either form a user holds it: a PEM file (above) or a PKCS#12 .pfx/.p12 from
    a CA (signing/sm2_p12.py). Returns (file bytes, SM2 key, signer certificate DER, [chain DER]);
    raises ``error(en, zh)``."""
    from edossier.signing.sm2_p12 import read_sm2_p12

    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise error(f"{path}: cannot read the {what[0]} ({reason})", f"{path}：无法读取{what[1]}（{reason}）") from None
    if is_pem_credential(head):
        return read_pem_credential(path, passphrase, error, what)
    data = path.read_bytes()[: MAX_PEM_CREDENTIAL_BYTES + 1]
    if len(data) > MAX_PEM_CREDENTIAL_BYTES:
        raise error(f"{path}: too large for a PKCS#12 {what[0]}", f"{path}：文件过大，不是 PKCS#12 {what[1]}")
    try:
        key, cert, chain = read_sm2_p12(data, passphrase)
    except sm2.SM2Error as exc:
        raise error(f"{path}: {exc.en}", f"{path}：{exc.zh}") from None
    return data, key, cert, chain
