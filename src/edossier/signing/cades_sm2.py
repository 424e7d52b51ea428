"""SM2/SM3 in CMS (GB/T 35275-2017, formerly GM/T 0010): making the SignedData of a layer and of a
time-stamp token with an SM2 key, and the signature-verification hook through which pyHanko's CMS,
path, CRL and time-stamp validation judges SM2 signatures exactly as it judges RSA and ECDSA ones.

Making: pyHanko's signers cannot hold an SM2 key, so the SignedData is assembled here with asn1crypto
(the same signed attributes as the RSA/ECDSA profile: content-type, message-digest in SM3, signing-time,
signing-certificate-v2 with an SM3 certificate hash) and signed by :mod:`.sm2` with the signer ID of
GM/T 0009. The form written is GB/T 35275's: ContentInfo of type 1.2.156.10197.6.1.4.2.2, eContentType
1.2.156.10197.6.1.4.2.1, digest SM3 (1.2.156.10197.1.401), signature algorithm sm2-with-sm3
(1.2.156.10197.1.501), signature DER SEQUENCE{r, s}.

Judging: :class:`CMSSignatureValidator` (sm2_x509's path hook, widened to the SignerInfo forms) is
handed to every pyhanko-certvalidator ValidationContext (cades._context); it verifies SM2 keys with
:func:`.sm2.verify` and passes every other key to pyHanko's default validator, so nothing in the
existing path changes for RSA and ECDSA. Other producers' forms are
accepted and named (:func:`signature_form`): the GB/T 35275 content types or the RFC 5652 ones, and as
the signature algorithm sm2-with-sm3, sm2-1 (1.2.156.10197.1.301.1) or id-ecPublicKey with an SM2 key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from asn1crypto import algos, cms, core, tsp, x509 as ax509

from . import sm2
from .sm2_x509 import SM2SignatureValidator

# asn1crypto learns the GB/T 35275 content types, so that a GB/T 35275 ContentInfo parses to a SignedData
# wherever edossier reads one.
GBT_DATA, GBT_SIGNED_DATA = "gbt35275_data", "gbt35275_signed_data"
sm2.register_oid(cms.ContentType, sm2.OID_GBT35275_DATA, GBT_DATA)
sm2.register_oid(cms.ContentType, sm2.OID_GBT35275_SIGNED_DATA, GBT_SIGNED_DATA)
cms.ContentInfo._oid_specs.setdefault(GBT_SIGNED_DATA, cms.SignedData)
cms.ContentInfo._oid_specs.setdefault(GBT_DATA, core.OctetString)
cms.EncapsulatedContentInfo._oid_specs.setdefault(GBT_DATA, core.OctetString)

SIGNED_DATA_TYPES = ("signed_data", GBT_SIGNED_DATA)
DATA_TYPES = ("data", GBT_DATA)

# Signature-algorithm OIDs under which an SM2 SignerInfo (or certificate, CRL) may arrive, with the
# name reported. Anything else with an SM2 key (e.g. ecdsa-with-SHA256 on the SM2 curve) is refused.
_SM2_ALGORITHMS = {
    sm2.OID_SM2_WITH_SM3: "sm2-with-sm3 (1.2.156.10197.1.501)",
    sm2.OID_SM2_SIGN: "sm2-1 (1.2.156.10197.1.301.1)",
    sm2.OID_EC_PUBLIC_KEY: "id-ecPublicKey (1.2.840.10045.2.1) with an SM2 key",
    sm2.OID_SM2_CURVE: "sm2p256v1 (1.2.156.10197.1.301)",
}


def sm2_algorithm_name(signature_algorithm) -> str | None:
    """The name of an SM2 signature-algorithm identifier, or None when it is not one we accept."""
    try:
        return _SM2_ALGORITHMS.get(signature_algorithm["algorithm"].dotted)
    except Exception:  # noqa: BLE001
        return None


class CMSSignatureValidator(SM2SignatureValidator):
    """The path hook of sm2_x509 (SM2 certificates and CRLs; RSA and ECDSA as pyHanko), widened for the
    SignerInfo forms other producers write: in a CMS SignerInfo with an SM3 digest, an SM2 key under
    id-ecPublicKey or the curve OID as the signature algorithm (plain RFC 5652 wrapping) is verified as
    SM2 too. Any other algorithm with an SM2 key is refused by the base class."""

    def validate_signature(self, signature, signed_data, public_key_info, signature_algorithm, context=None):
        # Only a CMS SignerInfo with an SM3 message digest is widened (pyHanko names the digest in the
        # context); certificates and CRLs arrive without one and keep the strict algorithm rule.
        try:
            wrapped = (getattr(context, "contextual_md_algorithm", None) == "sm3"
                       and signature_algorithm["algorithm"].dotted in (sm2.OID_EC_PUBLIC_KEY, sm2.OID_SM2_CURVE)
                       and sm2.is_sm2_spki(public_key_info))
        except Exception:  # noqa: BLE001
            wrapped = False
        if wrapped:
            signature_algorithm = algos.SignedDigestAlgorithm({"algorithm": sm2.OID_SM2_WITH_SM3})
        return super().validate_signature(signature, signed_data, public_key_info, signature_algorithm, context)


SIGNATURE_VALIDATOR = CMSSignatureValidator()


def is_sm2_certificate(cert) -> bool:
    """Whether an asn1crypto certificate carries an SM2 public key."""
    try:
        return sm2.is_sm2_spki(cert.public_key)
    except Exception:  # noqa: BLE001
        return False


def signature_form(content_type: str, si, cert=None) -> str:
    """How an SM2 SignedData is written, for the report: content types, signature algorithm, encoding
    and (given the signer's certificate) the signer ID it verifies with, e.g. "SM2/SM3: GB/T 35275
    (signedData 1.2.156.10197.6.1.4.2.2), sm2-with-sm3 (…), DER SEQUENCE{r, s}". The path hook accepts
    the GM/T 0009 default ID and the empty ID (sm2_x509.CERTIFICATE_IDS); the empty one is named."""
    from .sm2_x509 import CERTIFICATE_IDS

    wrapping = ("GB/T 35275 (signedData 1.2.156.10197.6.1.4.2.2)" if content_type == GBT_SIGNED_DATA
                else "RFC 5652 (signedData 1.2.840.113549.1.7.2)")
    algorithm = sm2_algorithm_name(si["signature_algorithm"]) or si["signature_algorithm"]["algorithm"].dotted
    value = bytes(si["signature"].native)
    readings = [form for form, _r, _s in sm2.decode_signature(value)]
    encoding = {"der": "DER SEQUENCE{r, s}", "raw": "raw r‖s (64 bytes)"}.get(readings[0] if readings else "",
                                                                           "unreadable signature value")
    form = f"SM2/SM3: {wrapping}, {algorithm}, {encoding}"
    try:
        public = sm2.public_key_from_spki(cert.public_key)
        signed = si["signed_attrs"].untag().dump()
        uid = next((u for u in CERTIFICATE_IDS if sm2.verify(public, signed, value, uid=u)), None)
    except Exception:  # noqa: BLE001 - no certificate, no signed attributes: nothing more to say
        uid = None
    if uid == b"":
        form += ", empty signer ID (as OpenSSL before 4.0 signs), not GM/T 0009's 1234567812345678"
    return form


def _attr(kind: str, value) -> cms.CMSAttribute:
    return cms.CMSAttribute({"type": kind, "values": [value]})


def _sorted_attributes(attrs: list[cms.CMSAttribute]) -> cms.CMSAttributes:
    """A SET OF in DER order (ascending encodings): the signature is over this exact encoding."""
    return cms.CMSAttributes(sorted(attrs, key=lambda a: a.dump()))


def _ess_cert_id_v2(cert: ax509.Certificate) -> tsp.SigningCertificateV2:
    """signing-certificate-v2 (RFC 5035) naming `cert` by its SM3 hash and issuer + serial number."""
    return tsp.SigningCertificateV2({"certs": [{
        "hash_algorithm": {"algorithm": "sm3"},
        "cert_hash": sm2.sm3(cert.dump()),
        "issuer_serial": {"issuer": [ax509.GeneralName(name="directory_name", value=cert.issuer)],
                          "serial_number": cert.serial_number},
    }]})


def signed_data(key, cert: ax509.Certificate, chain: list[ax509.Certificate], *, content_type: str,
                content: bytes | None, digest_of: bytes, signing_time: dt.datetime, uid: bytes = sm2.DEFAULT_ID,
                crls=(), wrapper: str = GBT_SIGNED_DATA, sign=None) -> cms.ContentInfo:
    """An SM2 SignedData over content whose SM3 digest is `digest_of` (detached when `content` is
    None), one SignerInfo with the profile's signed attributes, the signer's certificate and chain
    embedded, and `crls` (asn1crypto CertificateLists). `sign(data) -> DER` signs the attributes
    (default: sm2.sign with `key` and `uid`)."""
    attrs = _sorted_attributes([
        _attr("content_type", content_type),
        _attr("signing_time", cms.Time({"utc_time": core.UTCTime(signing_time.astimezone(dt.timezone.utc))})),
        _attr("message_digest", digest_of),
        _attr("signing_certificate_v2", _ess_cert_id_v2(cert)),
    ])
    signature = sign(attrs.dump()) if sign is not None else sm2.sign(key, attrs.dump(), uid=uid)
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier(name="issuer_and_serial_number", value={
            "issuer": cert.issuer, "serial_number": cert.serial_number}),
        "digest_algorithm": {"algorithm": "sm3"},
        "signed_attrs": attrs,
        "signature_algorithm": {"algorithm": sm2.OID_SM2_WITH_SM3},
        "signature": signature,
    })
    encap = {"content_type": content_type}
    if content is not None:
        encap["content"] = cms.ParsableOctetString(content)
    certs, seen = [], set()
    for c in [cert, *chain]:
        if c.sha256 not in seen:
            seen.add(c.sha256)
            certs.append(cms.CertificateChoices(name="certificate", value=c))
    sd = {
        "version": "v3" if content_type == "tst_info" else "v1",
        "digest_algorithms": [{"algorithm": "sm3"}],
        "encap_content_info": encap,
        "certificates": certs,
        "signer_infos": [signer_info],
    }
    if crls:
        sd["crls"] = [cms.RevocationInfoChoice(name="crl", value=c) for c in crls]
    return cms.ContentInfo({"content_type": wrapper, "content": cms.SignedData(sd)})


@dataclass
class SM2Signer:
    """What an SM2 credential signs with: the key, its certificate and the chain above it. The
    attributes `signing_cert` and `cert_registry` are those of pyHanko's SimpleSigner, so the code that
    reads a credential's chain (revocation.credential_chain, preflight) reads both alike."""

    key: object  # sm2.SM2PrivateKey
    signing_cert: ax509.Certificate
    cert_registry: tuple = ()  # asn1crypto certificates above the signer's
    uid: bytes = sm2.DEFAULT_ID

    def parsed(self) -> tuple[ax509.Certificate, list[ax509.Certificate]]:
        return self.signing_cert, list(self.cert_registry)

    def sign_bytes(self, data: bytes) -> bytes:
        """The SM2 signature (DER) of `data` with this signer's key and ID."""
        return sm2.sign(self.key, data, uid=self.uid)

    def signing_time(self) -> dt.datetime:
        """The signing-time attribute's value: now (the conformance corpus fixes it)."""
        return dt.datetime.now(dt.timezone.utc)


def sign_manifest_sm2(signer: SM2Signer, manifest: bytes, *, crls=(), tsa_url: str | None = None,
                      now: dt.datetime | None = None) -> bytes:
    """The layer's detached SM2 SignedData over the manifest bytes (CAdES-B-B; B-T with `tsa_url`:
    the token's message imprint is the SM3 hash of the signature value, RFC 3161 / GB/T 20520)."""
    from asn1crypto import crl as acrl

    cert, chain = signer.parsed()
    ci = signed_data(signer.key, cert, chain, content_type=GBT_DATA, content=None, digest_of=sm2.sm3(manifest),
                     signing_time=now or signer.signing_time(), uid=signer.uid,
                     crls=[acrl.CertificateList.load(c) for c in crls], sign=signer.sign_bytes)
    if tsa_url:
        import asyncio

        from pyhanko.sign.timestamps import HTTPTimeStamper

        si = ci["content"]["signer_infos"][0]
        token = asyncio.run(HTTPTimeStamper(tsa_url, timeout=30).async_timestamp(
            sm2.sm3(si["signature"].native), "sm3"))
        si["unsigned_attrs"] = cms.CMSAttributes([_attr("signature_time_stamp_token", token)])
    return ci.dump(force=False)


def time_stamper(key, cert: ax509.Certificate, chain: list[ax509.Certificate]):
    """pyHanko's test TSA (DummyTimeStamper) signing its tokens with an SM2 key: TSTInfo as pyHanko
    builds it, the token's SignedData as :func:`signed_data` makes it (SM3, sm2-with-sm3, RFC 5652
    wrapping as RFC 3161 requires), whatever hash the request's imprint uses."""
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    class SM2TimeStamper(DummyTimeStamper):
        def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
            when = self.fixed_dt or dt.datetime.now(dt.timezone.utc)
            info = self._build_tst_info(req["message_imprint"], when, req).dump()
            token = signed_data(key, cert, chain, content_type="tst_info", content=info, digest_of=sm2.sm3(info),
                                signing_time=when, wrapper="signed_data")
            return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})

    return SM2TimeStamper(tsa_cert=cert, tsa_key=None, certs_to_embed=chain)
