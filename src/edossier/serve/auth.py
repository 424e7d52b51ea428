"""Signed requests: how an agency proves who submits a package (docs/serve.md#auth).

Mutual TLS was the first choice, but uvicorn does not hand the client certificate to the application
(the ASGI "tls" extension is not implemented in the uvicorn this node uses), and agency signing
certificates carry documentSigning/emailProtection, not clientAuth. So a submission is signed with
the agency's own signing credential — the one that signed the package's latest layer:

    edossier-request-v1\\n{METHOD}\\n{path}\\n{body SHA-256 hex}\\n{time}\\n{nonce}\\n

signed with ECDSA-SHA256 (EC keys) or RSA PKCS#1 v1.5-SHA256 (RSA keys), sent in the headers below
with the signer's certificate. The node checks the time (±WINDOW s), the body digest it computed
itself, the signature, that the nonce was not seen within the window (a table in the database), that
the certificate validates against its trust list, and that it is the certificate of the latest layer.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import secrets

H_CERT = "x-edossier-certificate"
H_TIME = "x-edossier-time"
H_NONCE = "x-edossier-nonce"
H_DIGEST = "x-edossier-content-sha256"
H_SIG = "x-edossier-signature"
SCHEME = "edossier-request-v1"
WINDOW = 300  # seconds either side of the node's clock
_NONCE = re.compile(r"[0-9a-f]{32,64}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class AuthError(Exception):
    """A refused request: `code` is the N finding, `params` fill its message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def message(method: str, path: str, body_sha256: str, time: str, nonce: str) -> bytes:
    return f"{SCHEME}\n{method.upper()}\n{path}\n{body_sha256}\n{time}\n{nonce}\n".encode()


def sign_headers(key, cert_der: bytes, method: str, path: str, body_sha256: str,
                 now: dt.datetime | None = None) -> dict[str, str]:
    """The headers that sign a request (client side)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    time = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()
    nonce = secrets.token_hex(16)
    msg = message(method, path, body_sha256, time, nonce)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        sig = key.sign(msg, ec.ECDSA(hashes.SHA256()))
    elif isinstance(key, rsa.RSAPrivateKey):
        sig = key.sign(msg, padding.PKCS1v15(), hashes.SHA256())
    else:
        from .edo import sm2_sign

        sig = sm2_sign(key, msg)  # national credentials: SM2 with SM3 (issue 20)
        if sig is None:
            raise ValueError(f"unsupported key type {type(key).__name__}")
    return {H_CERT: base64.b64encode(cert_der).decode(), H_TIME: time, H_NONCE: nonce, H_DIGEST: body_sha256,
            H_SIG: base64.b64encode(sig).decode()}



def parse_headers(headers, now: dt.datetime | None = None) -> tuple[bytes, str, str, str, bytes]:
    """(certificate DER, time, nonce, declared body SHA-256, signature) from the request headers,
    checked for form and time before the body is read; AuthError otherwise."""
    missing = [h for h in (H_CERT, H_TIME, H_NONCE, H_DIGEST, H_SIG) if not headers.get(h)]
    if missing:
        raise AuthError("N010", detail=f"missing header(s) {', '.join(missing)}")
    try:
        cert = base64.b64decode(headers[H_CERT], validate=True)
        sig = base64.b64decode(headers[H_SIG], validate=True)
    except (binascii.Error, ValueError):
        raise AuthError("N010", detail=f"{H_CERT} and {H_SIG} must be base64") from None
    nonce, digest, time = headers[H_NONCE], headers[H_DIGEST], headers[H_TIME]
    if not _NONCE.fullmatch(nonce):
        raise AuthError("N010", detail=f"{H_NONCE} must be 32 to 64 lower-case hex digits")
    if not _HEX64.fullmatch(digest):
        raise AuthError("N010", detail=f"{H_DIGEST} must be a SHA-256 in lower-case hex")
    try:
        when = dt.datetime.fromisoformat(time.replace("Z", "+00:00"))
        if when.tzinfo is None:
            raise ValueError
    except ValueError:
        raise AuthError("N010", detail=f"{H_TIME} must be an ISO 8601 time with its offset") from None
    now = now or dt.datetime.now(dt.timezone.utc)
    if abs((now - when).total_seconds()) > WINDOW:
        raise AuthError("N011", time=time, window=WINDOW, now=now.replace(microsecond=0).isoformat())
    return cert, time, nonce, digest, sig


def verify(cert_der: bytes, sig: bytes, msg: bytes) -> None:
    """Check `sig` over `msg` with the certificate's public key; AuthError N013 otherwise."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    from .edo import sm2_verify

    sm2_ok = sm2_verify(cert_der, sig, msg)  # None: not an SM2 key, judged below
    if sm2_ok is not None:
        if not sm2_ok:
            raise AuthError("N013", detail="wrong signature")
        return
    try:
        pub = x509.load_der_x509_certificate(cert_der).public_key()
    except Exception as exc:  # noqa: BLE001 - hostile bytes
        raise AuthError("N013", detail=f"the certificate cannot be read ({type(exc).__name__})") from None
    try:
        if isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(sig, msg, ec.ECDSA(hashes.SHA256()))
        elif isinstance(pub, rsa.RSAPublicKey):
            pub.verify(sig, msg, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise AuthError("N013", detail=f"unsupported key type {type(pub).__name__}")
    except InvalidSignature:
        raise AuthError("N013", detail="wrong signature") from None
