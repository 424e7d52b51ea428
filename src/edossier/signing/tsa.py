"""A small RFC 3161 time-stamping authority for demonstrations and tests.

`edossier keys serve-tsa PKI_DIR` serves the demo PKI's TSA credential over HTTP on the loopback
interface, so that `build --tsa http://127.0.0.1:3180/` makes CAdES-B-T signatures without any
outside service. Tokens are real (pyHanko builds and signs them); the service is for demos only: it
keeps no log, has no rate limit and uses the machine clock.
"""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MAX_REQUEST_BYTES = 64 * 1024
CONTENT_TYPE_QUERY = "application/timestamp-query"
CONTENT_TYPE_REPLY = "application/timestamp-reply"


class LocalTSA:
    """Tokens signed with the TSA credential's key: RSA from a PKCS#12 file, or SM2 from a PEM
    credential (key + certificates, cades.load_credential), whose tokens are SM2/SM3 SignedData."""

    def __init__(self, p12_path: Path, passphrase: bytes | None = None):
        from asn1crypto import keys as akeys, x509 as ax509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        data = Path(p12_path).read_bytes()
        if data.lstrip().startswith(b"-----BEGIN"):
            from .cades import load_credential
            from .cades_sm2 import time_stamper

            cred = load_credential(Path(p12_path), passphrase)
            if cred.algorithm == "sm2":
                signing_cert, chain = cred.signer.parsed()
                self.stamper = time_stamper(cred.signer.key, signing_cert, chain)
                return
            # an RSA or ECDSA PEM credential: as from PKCS#12 below
            key = serialization.load_der_private_key(cred.signer.signing_key.dump(), None)
            cert_der, chain_der = cred.signer.signing_cert.dump(), [c.dump() for c in cred.signer.cert_registry]
            self.stamper = DummyTimeStamper(
                tsa_cert=ax509.Certificate.load(cert_der),
                tsa_key=akeys.PrivateKeyInfo.load(key.private_bytes(
                    serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
                certs_to_embed=SimpleCertificateStore.from_certs([ax509.Certificate.load(c) for c in chain_der]))
            return
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase)
        der = lambda c: c.public_bytes(serialization.Encoding.DER)  # noqa: E731
        self.stamper = DummyTimeStamper(
            tsa_cert=ax509.Certificate.load(der(cert)),
            tsa_key=akeys.PrivateKeyInfo.load(key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            certs_to_embed=SimpleCertificateStore.from_certs([ax509.Certificate.load(der(c)) for c in chain]),
        )

    def respond(self, request: bytes) -> bytes:
        from asn1crypto import tsp

        req = tsp.TimeStampReq.load(request, strict=True)
        req.native  # parse fully: a malformed request fails here, not half-way through signing
        return asyncio.run(self.stamper.async_request_tsa_response(req)).dump()


def make_server(tsa: LocalTSA, host: str = "127.0.0.1", port: int = 3180) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            if self.headers.get("Content-Type") != CONTENT_TYPE_QUERY or not 0 < length <= MAX_REQUEST_BYTES:
                self.send_error(400, "expected an RFC 3161 time-stamp query")
                return
            try:
                body = tsa.respond(self.rfile.read(length))
            except Exception:  # noqa: BLE001 - a bad request must not stop the service
                self.send_error(400, "malformed time-stamp query")
                return
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE_REPLY)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet: the CLI prints its own line per request
            pass

    return ThreadingHTTPServer((host, port), Handler)


def serve_in_thread(tsa: LocalTSA, host: str = "127.0.0.1", port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Start a server on a free port in a daemon thread; return it and its URL (for tests, the demo)."""
    server = make_server(tsa, host, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}/"
