"""Deterministic signing for the corpus: fixed signing time, optional fixed-time time stamp.

`sign_manifest` (edossier.signing.cades) stamps the current time; the corpus needs the same bytes
on every run, so the credential's pyHanko signer is a `CorpusSigner`, which passes a fixed
signing-time (and, for the negative cases, a digest algorithm, a non-CAdES profile or a time stamp)
to pyHanko. With RSA keys (PKCS#1 v1.5) the signature value is then deterministic too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ..signing.cades import ORGANIZATION_IDENTIFIER, Credential


class CorpusSigner(signers.SimpleSigner):
    """A SimpleSigner whose CMS signatures carry a fixed signing time (and, optionally, other quirks)."""

    signing_time: dt.datetime | None = None
    digest_override: str | None = None  # e.g. "sha1" for the weak-algorithm case
    use_cades: bool = True  # False: no signing-certificate-v2 (not CAdES-B-B)
    timestamper = None

    pyca_key = None  # the private key as a `cryptography` object, loaded once

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        # pyHanko re-imports the key (with a slow RSA consistency check) for every signature; the
        # corpus signs hundreds of times, so an RSA key loaded once signs directly (PKCS#1 v1.5).
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        mech = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if isinstance(self.pyca_key, rsa.RSAPrivateKey) and mech == "rsassa_pkcs1v15":
            return self.pyca_key.sign(data, padding.PKCS1v15(), getattr(hashes, digest_algorithm.upper())())
        return await super().async_sign_raw(data, digest_algorithm, dry_run)

    async def async_sign_general_data(self, input_data, digest_algorithm, detached=True, use_cades=False,
                                      timestamper=None, chunk_size=4096, signed_attr_settings=None, max_read=None):
        if signed_attr_settings is None and self.signing_time is not None:
            signed_attr_settings = PdfCMSSignedAttributes(signing_time=self.signing_time)
        return await super().async_sign_general_data(
            input_data, self.digest_override or digest_algorithm, detached=detached,
            use_cades=use_cades and self.use_cades, timestamper=timestamper or self.timestamper,
            chunk_size=chunk_size, signed_attr_settings=signed_attr_settings, max_read=max_read)


class FixedTimeStamper(DummyTimeStamper):
    """An in-process RFC 3161 TSA with a fixed time, no nonce and a serial number derived from the
    request, so that its tokens are the same on every run."""

    def __init__(self, p12: Path, when: dt.datetime):
        from asn1crypto import keys as akeys, x509 as ax509
        from cryptography.hazmat.primitives import serialization
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        key, cert, chain = _load(Path(p12))
        der = lambda c: c.public_bytes(serialization.Encoding.DER)  # noqa: E731
        super().__init__(
            tsa_cert=ax509.Certificate.load(der(cert)),
            tsa_key=akeys.PrivateKeyInfo.load(key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            certs_to_embed=SimpleCertificateStore.from_certs([ax509.Certificate.load(der(c)) for c in chain]),
            fixed_dt=when, include_nonce=False)

    def _build_tst_info(self, message_imprint, dt_, req):
        from asn1crypto import tsp

        info = super()._build_tst_info(message_imprint, dt_, req)
        serial = int.from_bytes(hashlib.sha256(message_imprint.dump()).digest()[:8], "big")
        return tsp.TSTInfo({**{k: info[k] for k in info if info[k].native is not None}, "serial_number": serial})


_LOADED: dict[Path, tuple] = {}


def _load(p12: Path):
    """(key, certificate, chain) of a PKCS#12 file without passphrase, read once per run."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    p12 = p12.resolve()
    if p12 not in _LOADED:
        key, cert, chain = pkcs12.load_key_and_certificates(p12.read_bytes(), None)
        _LOADED[p12] = (key, cert, list(chain))
    return _LOADED[p12]


def _asn1_cert(cert):
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives import serialization

    return ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key):
    from asn1crypto import keys as akeys
    from cryptography.hazmat.primitives import serialization

    return akeys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))


def corpus_credential(p12: Path, *, signing_time: dt.datetime, digest: str | None = None, cades: bool = True,
                      timestamper=None) -> Credential:
    """An edossier Credential (for build_package / append_layer) that signs deterministically."""
    from cryptography.x509 import ObjectIdentifier
    from cryptography.x509.oid import NameOID

    key, cert, chain = _load(Path(p12))
    signer = CorpusSigner(signing_cert=_asn1_cert(cert), signing_key=_asn1_key(key),
                          cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]))
    signer.pyca_key = key
    signer.signing_time = signing_time
    signer.digest_override = digest
    signer.use_cades = cades
    signer.timestamper = timestamper

    def attr(oid):
        values = cert.subject.get_attributes_for_oid(oid)
        return values[0].value if values else None

    return Credential(signer, cert.subject.rfc4514_string(), attr(NameOID.ORGANIZATION_NAME),
                      attr(ObjectIdentifier(ORGANIZATION_IDENTIFIER)), key_bits=getattr(key, "key_size", None))


def sign_bytes(credential: Credential, manifest: bytes) -> bytes:
    """The layer signature over `manifest` (what build_package writes), deterministic for a CorpusSigner."""
    from ..signing.cades import sign_manifest

    return sign_manifest(credential, manifest)


def plain_cms(p12: Path, content: bytes, *, signing_time: dt.datetime) -> bytes:
    """A detached CMS signature with only content-type, signing-time and message-digest signed
    attributes: valid CMS, but not CAdES-B-B (no signing-certificate-v2)."""
    from asn1crypto import algos, cms, core, x509 as ax509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key, cert, chain = _load(Path(p12))
    der = lambda c: ax509.Certificate.load(c.public_bytes(serialization.Encoding.DER))  # noqa: E731
    signer_cert = der(cert)
    attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": core.UTCTime(signing_time)})]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(content).digest()]}),
    ])
    signature = key.sign(attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
    si = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
            {"issuer": signer_cert.issuer, "serial_number": signer_cert.serial_number})}),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
        "signed_attrs": attrs,
        "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
        "signature": signature,
    })
    sd = cms.SignedData({
        "version": "v1",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
        "encap_content_info": {"content_type": "data"},
        "certificates": [signer_cert] + [der(c) for c in chain],
        "signer_infos": [si],
    })
    return cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump()
