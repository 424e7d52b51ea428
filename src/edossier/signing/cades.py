"""CAdES-B-B detached signatures over ASiC manifests: making them and judging them.

Signing and verification are kept apart (as in pyHanko). Verification is a security decision: the
only trust anchors are the CA certificates that the trust list names for the agency *and* role the
layer claims, revocation information is required and never fetched from the network, and the
signer's certificate must name that agency.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding, finding
from .trustlist import TrustList

DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"  # id-kp-documentSigning, RFC 9336
ORGANIZATION_IDENTIFIER = "2.5.4.97"
SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"  # ESS, RFC 5035
WEAK_DIGESTS = {"md5", "sha1", "md2"}


class CredentialError(ValueError):
    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.en = en
        self.zh = zh


@dataclass
class Credential:
    signer: object  # pyhanko SimpleSigner
    subject: str
    organization: str | None
    organization_id: str | None


def load_credential(path: Path, passphrase: bytes | None = None) -> Credential:
    """Load a PKCS#12 signing credential (demo credentials have no passphrase)."""
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign import signers

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CredentialError(f"{path}: cannot read the credential ({exc.strerror})",
                              f"{path}：无法读取签名凭据（{exc.strerror}）") from None
    if len(data) > 1024 * 1024:
        raise CredentialError(f"{path}: too large for a PKCS#12 credential", f"{path}：文件过大，不是 PKCS#12 签名凭据")
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError as exc:
        wrong_pass = "password" in str(exc).lower() or "mac" in str(exc).lower()
        if wrong_pass:
            raise CredentialError(f"{path}: wrong or missing passphrase for the PKCS#12 credential",
                                  f"{path}：PKCS#12 签名凭据的口令错误或缺失") from None
        raise CredentialError(f"{path}: not a PKCS#12 credential ({exc})", f"{path}：不是 PKCS#12 签名凭据（{exc}）") from None
    if key is None or cert is None:
        raise CredentialError(f"{path}: the PKCS#12 file holds no private key and certificate",
                              f"{path}：PKCS#12 文件中没有私钥和证书")
    signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase)
    if signer is None:
        raise CredentialError(f"{path}: pyHanko could not load the credential", f"{path}：无法加载签名凭据")
    from cryptography.x509.oid import NameOID

    def attr(oid):
        values = cert.subject.get_attributes_for_oid(oid)
        return values[0].value if values else None

    from cryptography.x509 import ObjectIdentifier

    return Credential(signer, cert.subject.rfc4514_string(), attr(NameOID.ORGANIZATION_NAME),
                      attr(ObjectIdentifier(ORGANIZATION_IDENTIFIER)))


def sign_manifest(credential: Credential, manifest: bytes) -> bytes:
    """CAdES-B-B detached signature (SHA-256, signing-certificate-v2) over the manifest bytes."""

    async def run():
        ci = await credential.signer.async_sign_general_data(manifest, "sha256", detached=True, use_cades=True)
        return ci.dump()

    return asyncio.run(run())


@dataclass
class SignatureResult:
    layer: int
    indication: str = "TOTAL_FAILED"  # ETSI EN 319 102-1: TOTAL_PASSED | INDETERMINATE | TOTAL_FAILED
    sub_indication: str | None = None
    signer: str | None = None
    signing_time: dt.datetime | None = None
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "layer": self.layer,
            "indication": self.indication,
            "sub_indication": self.sub_indication,
            "signer": self.signer,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
        }


def display_name(cert) -> str:
    """The signer as a person reads it: the certificate's common name, else its organisation."""
    for oid in ("2.5.4.3", "2.5.4.10"):
        value = _subject_attr(cert, oid)
        if value:
            return value
    return cert.subject.human_friendly


def _out_of_period(certs, when: dt.datetime) -> tuple[str, str] | None:
    """(sub-indication, explanation) for the first certificate not valid at `when`, else None."""
    for cert in certs:
        validity = cert["tbs_certificate"]["validity"]
        start, end = validity["not_before"].native, validity["not_after"].native
        name = cert.subject.human_friendly
        if when < start:
            return "NOT_YET_VALID", f"{name} is valid only from {start.isoformat()}"
        if when > end:
            return "OUT_OF_BOUNDS_NO_POE", f"{name} expired on {end.isoformat()}"
    return None


def _signer_cert(si, certs):
    sid = si["sid"]
    for cert in certs:
        if sid.name == "issuer_and_serial_number":
            if cert.issuer == sid.chosen["issuer"] and cert.serial_number == sid.chosen["serial_number"].native:
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    return None


def _subject_attr(cert, oid: str) -> str | None:
    for rdn in cert.subject.chosen:
        for ava in rdn:
            if ava["type"].dotted == oid:
                return str(ava["value"].native)
    return None


def verify_layer(layer: int, p7s: bytes, manifest: bytes, *, agency_name: str, credit_code: str, role: str,
                 trust: TrustList, at: dt.datetime | None = None) -> SignatureResult:
    """Judge one layer's signature. Never raises for bad input: problems become findings."""
    from asn1crypto import cms, crl as acrl, x509 as ax509

    loc = f"META-INF/signature{layer:03d}.p7s"
    result = SignatureResult(layer)
    params = {"layer": f"{layer:03d}", "agency": agency_name, "role": role}

    try:
        ci = cms.ContentInfo.load(p7s, strict=True)
        if ci["content_type"].native != "signed_data":
            raise ValueError(f"content type is {ci['content_type'].native}, not signed_data")
        sd = ci["content"]
        signer_infos = sd["signer_infos"]
        if len(signer_infos) != 1:
            raise ValueError(f"{len(signer_infos)} SignerInfos; exactly one is required")
        si = signer_infos[0]
        digest_alg = si["digest_algorithm"]["algorithm"].native
        signed_attrs = si["signed_attrs"]
        attr_types = {a["type"].dotted for a in signed_attrs} if signed_attrs.native is not None else set()
        embedded = [c.chosen for c in sd["certificates"]] if sd["certificates"].native else []
        for c in embedded:
            c.native  # force a full parse, so that malformed certificates fail here
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises many types for malformed DER
        result.findings.append(finding("G001", loc, detail=str(exc)[:200] or type(exc).__name__, **params))
        result.sub_indication = "FORMAT_FAILURE"
        return result

    if digest_alg in WEAK_DIGESTS:
        result.findings.append(finding("G010", loc, detail=f"digest {digest_alg}", **params))
        result.indication, result.sub_indication = "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE"
        return result
    if SIGNING_CERTIFICATE_V2 not in attr_types:
        result.findings.append(finding("G011", loc, detail="no signing-certificate-v2 signed attribute", **params))

    trusted = trust.find(credit_code, role)
    when = at or dt.datetime.now(dt.timezone.utc)
    if trusted is None or not trust.is_in_force(trusted, when) or trusted.name != agency_name:
        f = finding("G004", loc, **params)
        if trusted is not None and trusted.name != agency_name:
            f = finding("G004", loc, **{**params, "agency": f"{agency_name} (trust list: {trusted.name})"})
        result.findings.append(f)
        result.indication, result.sub_indication = "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND"
        return result

    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    embedded_crls = []
    try:
        if sd["crls"].native:
            embedded_crls = [c.chosen for c in sd["crls"] if c.name == "crl"]
    except Exception:  # noqa: BLE001 - a malformed embedded CRL is simply not used
        embedded_crls = []
    # The agency's entry lists its CA certificates: the self-signed ones are the trust anchors, the
    # others are the agency's issuing CAs, one of which must be on the signer's path (checked below).
    # pyhanko-certvalidator cannot check a CRL whose issuer is a non-self-signed anchor, so an issuing
    # CA is never used as an anchor itself when its root is listed.
    try:
        listed = [ax509.Certificate.load(c) for c in trusted.ca_certs]
        anchors = [c for c in listed if c.self_signed != "no"] or listed
        issuing = {c.sha256 for c in listed if c.self_signed == "no"} or {c.sha256 for c in listed}
        signer_cert = _signer_cert(si, embedded)
        if signer_cert is not None and not any(
                signer_cert.issuer == ca.subject
                and (signer_cert.authority_key_identifier in (None, ca.key_identifier))
                for ca in listed if ca.sha256 in issuing):
            result.signer = display_name(signer_cert)
            result.findings.append(finding(
                "G003", loc, detail=f"issued by {signer_cert.issuer.human_friendly}", **params))
            result.indication, result.sub_indication = "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND"
            return result
        expired = _out_of_period([signer_cert] if signer_cert is not None else [], when) or \
            _out_of_period([c for c in listed if c.sha256 in issuing or c in anchors], when)
        if expired:
            result.findings.append(finding("G008", loc, detail=expired[1], **params))
            result.indication, result.sub_indication = "INDETERMINATE", expired[0]
            return result
        vc = ValidationContext(
            trust_roots=anchors,
            other_certs=[c for c in listed if c.self_signed == "no"] + embedded,
            crls=[acrl.CertificateList.load(c) for c in trusted.crls] + embedded_crls,
            allow_fetching=False,
            revocation_mode="require",
            moment=when,
        )
        ku = KeyUsageConstraints(key_usage={"non_repudiation"},
                                 extd_key_usage={DOCUMENT_SIGNING, "email_protection"},
                                 explicit_extd_key_usage_required=True)
        status = asyncio.run(async_validate_detached_cms(manifest, sd, signer_validation_context=vc,
                                                         key_usage_settings=ku))
    except Exception as exc:  # noqa: BLE001 - pyHanko raises many types for malformed input
        result.findings.append(finding("G001", loc, detail=f"{type(exc).__name__}: {str(exc)[:200]}", **params))
        result.sub_indication = "FORMAT_FAILURE"
        return result

    cert = status.signing_cert
    result.signer = display_name(cert) if cert is not None else None
    result.signing_time = status.signer_reported_dt

    if not status.intact or not status.valid:
        result.findings.append(finding("G002", loc, **params))
        result.sub_indication = "HASH_FAILURE" if not status.intact else "SIG_CRYPTO_FAILURE"
        return result

    indic = status.trust_problem_indic.name if status.trust_problem_indic is not None else None
    if status.revoked or indic in ("REVOKED_NO_POE", "REVOKED_CA_NO_POE"):
        details = status.revocation_details
        when_revoked = details.revocation_date.isoformat() if details else "?"
        result.findings.append(finding("G005", loc, detail=f"revoked on {when_revoked}", **params))
        result.sub_indication = "REVOKED" if status.revoked else indic
        if indic in ("REVOKED_NO_POE", "REVOKED_CA_NO_POE"):
            result.indication = "INDETERMINATE"
        return result
    if indic is not None or not status.trusted:
        code = {
            "NO_CERTIFICATE_CHAIN_FOUND": "G003",
            "CHAIN_CONSTRAINTS_FAILURE": "G007",
            "OUT_OF_BOUNDS_NO_POE": "G008",
            "OUT_OF_BOUNDS_NOT_REVOKED": "G008",
            "EXPIRED": "G008",
            "NOT_YET_VALID": "G008",
            "CRYPTO_CONSTRAINTS_FAILURE": "G010",
            "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "G010",
            "TRY_LATER": "G006",
            "REVOCATION_OUT_OF_BOUNDS_NO_POE": "G006",
        }.get(indic or "", "G003")
        if indic == "CERTIFICATE_CHAIN_GENERAL_FAILURE":
            code = "G006"
        result.findings.append(finding(code, loc, detail=indic or "no validation path", **params))
        result.indication, result.sub_indication = "INDETERMINATE", indic or "NO_CERTIFICATE_CHAIN_FOUND"
        return result

    path_certs = {c.sha256 for c in status.validation_path.iter_certs(include_root=True)}
    if not (path_certs & issuing):
        result.findings.append(finding("G003", loc, detail="the path does not pass through the agency's CA", **params))
        result.indication, result.sub_indication = "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND"
        return result

    org_id = _subject_attr(cert, ORGANIZATION_IDENTIFIER)
    org = _subject_attr(cert, "2.5.4.10")
    if not (org_id == credit_code or (org_id is None and org == agency_name)):
        result.findings.append(finding(
            "G009", loc, detail=f"certificate names O={org!r}, organizationIdentifier={org_id!r}", **params))
        result.indication, result.sub_indication = "INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE"
        return result

    if result.findings:  # e.g. G011: intact and trusted, but not the profile
        result.indication, result.sub_indication = "TOTAL_FAILED", "FORMAT_FAILURE"
    else:
        result.indication, result.sub_indication = "TOTAL_PASSED", None
    return result


def signature_summary(p7s: bytes) -> tuple[str | None, dt.datetime | None]:
    """Signer name and claimed signing time, read without judging trust (for `inspect`)."""
    from asn1crypto import cms

    try:
        sd = cms.ContentInfo.load(p7s)["content"]
        si = sd["signer_infos"][0]
        sid = si["sid"]
        signer = None
        for c in sd["certificates"]:
            cert = c.chosen
            if sid.name == "issuer_and_serial_number" and cert.serial_number == sid.chosen["serial_number"].native:
                signer = display_name(cert)
            elif sid.name == "subject_key_identifier" and cert.key_identifier == sid.chosen.native:
                signer = display_name(cert)
        when = None
        for attr in si["signed_attrs"]:
            if attr["type"].native == "signing_time":
                when = attr["values"][0].native
        return signer, when
    except Exception:  # noqa: BLE001 - inspect shows "?" for an unreadable signature
        return None, None
