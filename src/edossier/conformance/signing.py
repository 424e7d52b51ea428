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

    from cryptography.hazmat.primitives.asymmetric import rsa

    return Credential(signer, cert.subject.rfc4514_string(), attr(NameOID.ORGANIZATION_NAME),
                      attr(ObjectIdentifier(ORGANIZATION_IDENTIFIER)), key_bits=getattr(key, "key_size", None),
                      algorithm="rsa" if isinstance(key, rsa.RSAPrivateKey) else "ecdsa")


def deterministic_sm2_sign(key, data: bytes, uid: bytes | None = None) -> bytes:
    """SM2 signature (GB/T 32918.2 §6.1, DER) whose nonce k is derived from the key and e, so that the
    corpus has the same bytes on every run (sm2.sign takes a random k, as it must elsewhere). The point
    kG is Tongsuo's (sm2.private_key_from_scalar); only the scalar equations of steps A5–A6 are here:
    r = (e + x1) mod n, s = (1 + d)⁻¹ (k − r·d) mod n. Every signature is checked with sm2.verify."""
    import hmac

    from ..signing import sm2

    uid = sm2.DEFAULT_ID if uid is None else uid
    e_bytes = sm2.message_digest(key.public, data, uid)
    e, d, n = int.from_bytes(e_bytes, "big"), key.d, sm2.N
    for counter in range(1000):
        k = int.from_bytes(hmac.new(d.to_bytes(32, "big"), e_bytes + counter.to_bytes(4, "big"), "sm3").digest(),
                           "big") % (n - 2) + 1
        x1 = sm2.private_key_from_scalar(k).public.x
        r = (e + x1) % n
        if r == 0 or r + k == n:
            continue
        s = pow(1 + d, -1, n) * (k - r * d) % n
        if s == 0:
            continue
        sig = sm2.encode_der(r, s)
        if sm2.verify(key.public, data, sig, uid=uid) != "der":
            raise RuntimeError("deterministic SM2 signature does not verify")
        return sig
    raise RuntimeError("no SM2 nonce found")


def corpus_sm2_credential(pem: Path, *, signing_time: dt.datetime) -> Credential:
    """An SM2 Credential (PEM file) that signs deterministically at a fixed signing time."""
    from ..signing.cades import load_credential
    from ..signing.cades_sm2 import SM2Signer

    class CorpusSM2Signer(SM2Signer):
        def sign_bytes(self, data: bytes) -> bytes:
            return deterministic_sm2_sign(self.key, data, self.uid)

        def signing_time(self) -> dt.datetime:
            return signing_time

    cred = load_credential(Path(pem))
    s = cred.signer
    cred.signer = CorpusSM2Signer(s.key, s.signing_cert, s.cert_registry, s.uid)
    return cred


def sign_bytes(credential: Credential, manifest: bytes) -> bytes:
    """The layer signature over `manifest` (what build_package writes), deterministic for a CorpusSigner."""
    from ..signing.cades import sign_manifest

    return sign_manifest(credential, manifest)


def plain_cms(p12: Path, content: bytes, *, signing_time: dt.datetime) -> bytes:
    """A detached CMS signature with only content-type, signing-time and message-digest signed
    attributes: valid CMS, but not CAdES-B-B (no signing-certificate-v2)."""
    return hand_cms(p12, content, signing_time=signing_time, signing_certificate=False)


def hand_cms(p12: Path, content: bytes, *, signing_time: dt.datetime | None, signing_certificate=True,
             unsorted: bool = False) -> bytes:
    """A detached CMS signature whose signed attributes are chosen by hand (pyHanko always writes a
    correct set), signed with the PKCS#12 file's RSA key (PKCS#1 v1.5, so deterministic).

    `signing_time` None leaves signing-time out. `signing_certificate`: True names the signer's own
    certificate in signing-certificate-v2, False leaves the attribute out, the path of another PKCS#12
    file names that file's certificate instead. `unsorted`: the SET OF signed attributes in descending instead of DER
    (ascending) order, and the signature computed over exactly those bytes, so that it is still
    cryptographically valid and only the encoding rule is broken.
    """
    from asn1crypto import algos, cms, core, x509 as ax509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from pyhanko.sign.general import as_signing_certificate_v2

    key, cert, chain = _load(Path(p12))
    der = lambda c: ax509.Certificate.load(c.public_bytes(serialization.Encoding.DER))  # noqa: E731
    signer_cert = der(cert)
    attrs = [cms.CMSAttribute({"type": "content_type", "values": ["data"]})]
    if signing_time is not None:
        attrs.append(cms.CMSAttribute({"type": "signing_time",
                                       "values": [cms.Time({"utc_time": core.UTCTime(signing_time)})]}))
    attrs.append(cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(content).digest()]}))
    if signing_certificate is not False:
        named = signer_cert if signing_certificate is True else der(_load(Path(signing_certificate))[1])
        attrs.append(cms.CMSAttribute({"type": "signing_certificate_v2", "values": [as_signing_certificate_v2(named)]}))
    attrs = cms.CMSAttributes(attrs)
    encoded = sorted_encoding = attrs.dump()  # asn1crypto writes a SET OF in DER (ascending) order
    if unsorted:  # the same members, descending: BER allows it, DER (X.690 §11.6) does not
        members = sorted((a.dump() for a in attrs), reverse=True)
        body = b"".join(members)
        encoded = _tlv(0x31, body)
    signature = key.sign(encoded, padding.PKCS1v15(), hashes.SHA256())
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
    out = cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump()
    # asn1crypto re-sorts the set when it encodes the SignerInfo: put the signed order back (the
    # [0] IMPLICIT form differs from the SET only in its tag octet, and the length is the same).
    assert out.count(sorted_encoding[1:]) == 1
    return out.replace(sorted_encoding[1:], encoded[1:])


def _tlv(tag: int, body: bytes) -> bytes:
    """A DER tag-length-value with a one-octet tag."""
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


# --- editing a finished SignedData (fields outside the signed attributes) -----------------------------

def time_stamp_tokens(p7s: bytes) -> list:
    """The signature-time-stamp tokens (asn1crypto ContentInfo) in the signature's unsigned attributes."""
    from asn1crypto import cms, tsp  # noqa: F401 - tsp registers TSTInfo, so the tokens parse fully

    si = cms.ContentInfo.load(p7s)["content"]["signer_infos"][0]
    return [v for a in si["unsigned_attrs"] if a["type"].native == "signature_time_stamp_token" for v in a["values"]]


def with_time_stamps(p7s: bytes, tokens: list) -> bytes:
    """`p7s` with its unsigned attributes replaced by one signature-time-stamp attribute holding
    `tokens` (unsigned attributes are outside the signature, so it stays intact)."""
    from asn1crypto import cms, tsp  # noqa: F401

    ci = cms.ContentInfo.load(p7s)
    si = ci["content"]["signer_infos"][0]
    si["unsigned_attrs"] = cms.CMSAttributes([cms.CMSAttribute({"type": "signature_time_stamp_token",
                                                                "values": list(tokens)})])
    return ci.dump(force=True)


def with_certificates(p7s: bytes, certs: list) -> bytes:
    """`p7s` with its `certificates` field replaced by `certs` (asn1crypto certificates). asn1crypto
    writes the set in DER order (ascending encodings, X.690 §11.6), whatever the order given."""
    from asn1crypto import cms

    ci = cms.ContentInfo.load(p7s)
    ci["content"]["certificates"] = cms.CertificateSet(
        [cms.CertificateChoices(name="certificate", value=c) for c in certs])
    return ci.dump(force=True)


def embedded_certificates(p7s: bytes) -> list:
    from asn1crypto import cms

    return [c.chosen for c in cms.ContentInfo.load(p7s)["content"]["certificates"]]


def with_crls(p7s: bytes, crls: list[bytes]) -> bytes:
    """`p7s` with these DER CRLs in its `crls` field (outside the signature, as sign_manifest adds them)."""
    from asn1crypto import cms, crl as acrl

    ci = cms.ContentInfo.load(p7s)
    ci["content"]["crls"] = cms.RevocationInfoChoices(
        [cms.RevocationInfoChoice(name="crl", value=acrl.CertificateList.load(c)) for c in crls])
    return ci.dump(force=True)


def forged_twin(real_p12: Path, victim_p12: Path):
    """A self-made certificate with the issuer, serial number, key and key identifier of `real_p12`'s
    certificate but the subject (agency name and organizationIdentifier) of `victim_p12`'s: what an
    agency adds to its own signature to pass as another agency of its CA (#13, path 1). It is signed
    with the real signer's own RSA key (it is self-made, nobody's CA signed it), so deterministically."""
    from asn1crypto import x509 as ax509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    key, real, _ = _load(Path(real_p12))
    _, victim, _ = _load(Path(victim_p12))
    builder = (x509.CertificateBuilder().subject_name(victim.subject).issuer_name(real.issuer)
               .public_key(real.public_key()).serial_number(real.serial_number)
               .not_valid_before(real.not_valid_before_utc).not_valid_after(real.not_valid_after_utc))
    for ext in real.extensions:  # the same extensions (key usage, EKU, key identifiers) as the real one
        builder = builder.add_extension(ext.value, critical=ext.critical)
    cert = builder.sign(key, hashes.SHA256())
    return ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def ca_crl(pki: Path, role: str, revoked: list[tuple[Path, dt.datetime]], *, issued: dt.datetime,
           crl_number: int) -> bytes:
    """A CRL of the corpus CA of `role` (its key is in the PKI folder) revoking the certificates of the
    given PKCS#12 files at the given times (RSA, so deterministic)."""
    from ..demo import ca as dca
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    folder = Path(pki)
    ca = dca.IssuedCA(cert=x509.load_pem_x509_certificate((folder / f"ca-{role}.pem").read_bytes()),
                     key=serialization.load_pem_private_key((folder / f"ca-{role}.key.pem").read_bytes(), None))
    entries = [(_load(Path(p))[1].serial_number, when) for p, when in revoked]
    return dca.make_crl(ca, entries, now=issued, crl_number=crl_number)
