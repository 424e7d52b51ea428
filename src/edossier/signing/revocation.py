"""Long-term validation data (docs/spec.md §8.4): the CRLs of the signer's path, fetched at signing time.

A layer that carries the CRLs of every certificate on its signer's path (CAdES ``SignedData.crls``)
can be validated offline by a third party with the trust anchors alone: that is what the B-LT level
of ETSI EN 319 122 asks for, and what validators such as EU DSS need to reach a definite result
instead of INDETERMINATE. :func:`fetch_crls` reads each certificate's CRL distribution point and
returns the CRLs, each checked to be signed by the certificate's issuer and current.

Only local sources are read, on purpose: ``file:`` URLs and ``http://`` URLs on the loopback interface
(``127.0.0.1``, ``localhost``, ``[::1]``), such as the demo PKI's files and ``edossier keys serve-crl``.
A real deployment copies its CAs' CRLs to a local folder or mirror first (the CAs publish them; this
tool does not reach out to the network while signing). Reads are bounded; nothing fetched is trusted
before its signature is checked.
"""

from __future__ import annotations

import datetime as dt
import threading
import urllib.parse
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterable, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from edossier.errors import UserError

__all__ = ["RevocationError", "MAX_CRL_BYTES", "fetch_crls", "credential_chain", "serve_crls", "LOCAL_HOSTS"]

MAX_CRL_BYTES = 16 * 1024 * 1024
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class RevocationError(UserError):
    """A CRL of the signer's path cannot be fetched or is not acceptable (English and Chinese message)."""


def _name(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def credential_chain(credential) -> list[x509.Certificate]:
    """The signer's certificate and the chain above it from a loaded credential (signing/cades.py
    Credential: the PKCS#12's certificates are in the pyHanko signer's registry), signer first."""
    signer = credential.signer
    leaf = x509.load_der_x509_certificate(signer.signing_cert.dump())
    others = [x509.load_der_x509_certificate(c.dump()) for c in signer.cert_registry]
    chain, current = [leaf], leaf
    while current.issuer != current.subject:
        issuer = next((c for c in others if c.subject == current.issuer and c not in chain), None)
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


def _distribution_points(cert: x509.Certificate) -> list[str]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    urls = []
    for dp in ext:
        for name in dp.full_name or ():
            if isinstance(name, x509.UniformResourceIdentifier):
                urls.append(name.value)
    return urls


def _read_url(url: str, timeout: float) -> bytes:
    """The bytes at a file: or loopback http: URL, at most MAX_CRL_BYTES; ValueError/OSError otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError("a file: URL on another host")
        path = Path(urllib.request.url2pathname(urllib.parse.unquote(parts.path)))
        with open(path, "rb") as f:
            data = f.read(MAX_CRL_BYTES + 1)
    elif parts.scheme == "http":
        if (parts.hostname or "") not in LOCAL_HOSTS:
            raise ValueError("only loopback http: URLs are fetched (no network while signing)")
        # No proxies: a loopback address must stay on this machine.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=timeout) as resp:
            data = resp.read(MAX_CRL_BYTES + 1)
    else:
        raise ValueError(f"the URL scheme {parts.scheme or '(none)'} is not fetched")
    if len(data) > MAX_CRL_BYTES:
        raise ValueError(f"larger than {MAX_CRL_BYTES // (1024 * 1024)} MiB")
    return data


def _acceptable(data: bytes, issuer: x509.Certificate, now: dt.datetime) -> tuple[bytes | None, str]:
    """(DER of the CRL, "") if `data` is a current CRL signed by `issuer`, else (None, why)."""
    try:
        from .sm2_x509 import signed_by

        crl = (x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----")
               else x509.load_der_x509_crl(data))
        signed = crl.issuer == issuer.subject and signed_by(crl.public_bytes(serialization.Encoding.DER),
                                                             issuer.public_bytes(serialization.Encoding.DER))
        this_update, next_update = crl.last_update_utc, crl.next_update_utc
    except Exception:  # noqa: BLE001 - whatever was fetched is untrusted input
        return None, "not a readable CRL"
    if not signed:
        return None, "not signed by the certificate's issuer"
    if this_update > now or (next_update is not None and next_update <= now):
        return None, "not current (thisUpdate/nextUpdate)"
    return crl.public_bytes(serialization.Encoding.DER), ""


def fetch_crls(chain: Sequence[x509.Certificate], *, timeout: float = 10.0, given: Iterable[bytes] = (),
               now: dt.datetime | None = None) -> list[bytes]:
    """The CRLs that cover every certificate of `chain` (signer first, then its issuers) except a
    self-signed root, fetched from each certificate's CRL distribution points, as DER.

    A certificate already covered by one of the `given` CRLs (e.g. from ``--crl FILE``: current and
    signed by its issuer) is not fetched for. Raises RevocationError when a certificate's issuer is not
    in the chain, it names no distribution point that can be read, or no CRL read from there is signed
    by its issuer and current.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    given = list(given)
    out: list[bytes] = []
    for cert in chain:
        if cert.issuer == cert.subject:
            continue  # a root: it is trusted as an anchor, not checked for revocation
        issuer = next((c for c in chain if c.subject == cert.issuer), None)
        if issuer is None:
            raise RevocationError(
                f"the issuer of {_name(cert)} is not in the credential's chain, so its CRL cannot be checked",
                f"凭据的证书链中没有 {_name(cert)} 的签发者，无法核验其证书吊销列表")
        if any(_acceptable(c, issuer, now)[0] for c in given):
            continue
        urls = _distribution_points(cert)
        if not urls:
            raise RevocationError(
                f"{_name(cert)} names no CRL distribution point; give its CRL with --crl FILE, or --no-crl",
                f"{_name(cert)} 未载明证书吊销列表分发点；请用 --crl FILE 提供其 CRL，或指定 --no-crl")
        reasons = []
        for url in urls:
            try:
                data = _read_url(url, timeout)
            except (OSError, ValueError) as exc:
                reasons.append(f"{url}: {getattr(exc, 'strerror', None) or exc}")
                continue
            der, why = _acceptable(data, issuer, now)
            if der is None:
                reasons.append(f"{url}: {why}")
                continue
            if der not in out:
                out.append(der)
            break
        else:
            detail = "; ".join(reasons)[:500]
            raise RevocationError(
                f"the CRL for {_name(cert)} cannot be fetched ({detail}); give it with --crl FILE, or sign "
                "without long-term validation data with --no-crl",
                f"无法获取 {_name(cert)} 的证书吊销列表（{detail}）；请用 --crl FILE 提供，"
                "或用 --no-crl 在不嵌入长期验证数据的情况下签名")
    return out


class _CrlHandler(SimpleHTTPRequestHandler):
    """Serves the *.crl files of one folder, nothing else, quietly."""

    def do_GET(self):  # noqa: N802 - http.server's naming
        name = urllib.parse.urlsplit(self.path).path.lstrip("/")
        if "/" in name or not name.endswith(".crl"):
            self.send_error(404)
            return
        super().do_GET()

    def do_HEAD(self):  # noqa: N802
        self.do_GET()

    def list_directory(self, path):
        self.send_error(404)
        return None

    def log_message(self, *args):  # the demo server stays quiet
        pass


def serve_crls(folder: Path, host: str = "127.0.0.1", port: int = 0, *,
               in_thread: bool = True) -> tuple[ThreadingHTTPServer, str]:
    """Serve the CRL files of `folder` over http (``edossier keys serve-crl``); return the server and
    its base URL. With `in_thread`, it runs in a daemon thread (tests, the demo)."""
    handler = partial(_CrlHandler, directory=str(Path(folder).resolve()))
    server = ThreadingHTTPServer((host, port), handler)
    if in_thread:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    shown = f"[{host}]" if ":" in host else host
    return server, f"http://{shown}:{server.server_address[1]}/"
