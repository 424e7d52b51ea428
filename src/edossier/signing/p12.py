"""Reading a PKCS#12 credential file: the one place that bounds the read and turns every failure
(unreadable, too large, wrong passphrase, not PKCS#12, no key) into an English and Chinese message.
Signing credentials (cades.load_credential) and trust-list operators (trustlist.load_operator_credential)
both read theirs here, each raising its own error class."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

MAX_P12_BYTES = 1024 * 1024


def read_p12(path: Path, passphrase: bytes | None, error: Callable[[str, str], Exception],
             what: tuple[str, str] = ("credential", "凭据")):
    """(file bytes, private key, certificate) of the PKCS#12 file at `path`; raises `error(en, zh)`."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_P12_BYTES + 1)  # bounded: a credential is a few KiB
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise error(f"{path}: cannot read the {what[0]} ({reason})", f"{path}：无法读取{what[1]}（{reason}）") from None
    if len(data) > MAX_P12_BYTES:
        raise error(f"{path}: too large for a PKCS#12 {what[0]}", f"{path}：文件过大，不是 PKCS#12 {what[1]}")
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(data, passphrase)
    except Exception as exc:  # noqa: BLE001 - wrong passphrase, not PKCS#12, unsupported algorithm
        if any(w in str(exc).lower() for w in ("password", "mac")):
            raise error(f"{path}: wrong or missing passphrase for the PKCS#12 {what[0]}",
                        f"{path}：PKCS#12 {what[1]}的口令错误或缺失") from None
        raise error(f"{path}: not a PKCS#12 {what[0]} ({exc})", f"{path}：不是 PKCS#12 {what[1]}（{exc}）") from None
    if key is None or cert is None:
        raise error(f"{path}: the PKCS#12 file holds no private key and certificate",
                    f"{path}：PKCS#12 文件中没有私钥和证书")
    return data, key, cert
