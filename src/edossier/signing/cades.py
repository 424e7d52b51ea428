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
from ..errors import UserError

DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"  # id-kp-documentSigning, RFC 9336
ORGANIZATION_IDENTIFIER = "2.5.4.97"
SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"  # ESS, RFC 5035
WEAK_DIGESTS = {"md5", "sha1", "md2"}


def der_lengths(data: bytes) -> bool:
    """True when every element of `data` has DER's definite, minimal length and strings are primitive.

    Re-encoding with asn1crypto (`dump(force=True)`) would tell the same but costs ~95 ms per
    signature once asn1crypto.tsp is imported; this walk over the TLV headers takes about a millisecond.
    """
    stack = [(0, len(data))]
    while stack:
        pos, end = stack.pop()
        while pos < end:
            tag = data[pos]
            pos += 1
            if tag & 0x1F == 0x1F:  # high tag number: base-128 digits
                while pos < end and data[pos] & 0x80:
                    pos += 1
                pos += 1
            if pos >= end:
                return False
            first = data[pos]
            pos += 1
            if first == 0x80:  # indefinite length
                return False
            if first > 0x80:
                n = first & 0x7F
                if n > 8 or pos + n > end or data[pos] == 0:
                    return False
                length = int.from_bytes(data[pos:pos + n], "big")
                pos += n
                if length < 0x80:  # should have used the short form
                    return False
            else:
                length = first
            if pos + length > end:
                return False
            if tag & 0x20:
                if tag in (0x23, 0x24):  # constructed BIT STRING / OCTET STRING: BER only
                    return False
                stack.append((pos, pos + length))
            pos += length
    return True


class CredentialError(UserError):
    """Credential: English and Chinese message (errors.UserError)."""


@dataclass
class Credential:
    signer: object  # pyhanko SimpleSigner
    subject: str
    organization: str | None
    organization_id: str | None
    tsa_url: str | None = None  # RFC 3161 service: signatures become CAdES-B-T
    crls: tuple[bytes, ...] = ()  # DER CRLs embedded in every SignedData (long-term validation)
    key_bits: int | None = None


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
                      attr(ObjectIdentifier(ORGANIZATION_IDENTIFIER)), key_bits=getattr(key, "key_size", None))


def load_crls(paths) -> tuple[bytes, ...]:
    """Read CRL files (DER or PEM) to embed in signatures; raise CredentialError naming a bad one."""
    from cryptography import x509

    out = []
    for path in paths:
        path = Path(path)
        try:
            data = path.read_bytes()[: 16 * 1024 * 1024]
            crl = x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----") else x509.load_der_x509_crl(data)
        except (OSError, ValueError) as exc:
            raise CredentialError(f"{path}: not a readable CRL ({exc})", f"{path}：无法读取的证书吊销列表（{exc}）") from None
        from cryptography.hazmat.primitives import serialization

        out.append(crl.public_bytes(serialization.Encoding.DER))
    return tuple(out)


def sign_manifest(credential: Credential, manifest: bytes) -> bytes:
    """CAdES detached signature (SHA-256, signing-certificate-v2) over the manifest bytes: B-B, or B-T
    when the credential names a time-stamping service. The signer's chain is always embedded, and
    the credential's CRLs are added to the SignedData so the layer can be validated years later."""
    from asn1crypto import cms, crl as acrl

    timestamper = None
    if credential.tsa_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(credential.tsa_url, timeout=30)

    async def run():
        return await credential.signer.async_sign_general_data(
            manifest, "sha256", detached=True, use_cades=True, timestamper=timestamper)

    try:
        ci = asyncio.run(run())
    except Exception as exc:  # noqa: BLE001 - the TSA may be down or answer rubbish
        if timestamper is None:
            raise
        raise CredentialError(f"time stamp from {credential.tsa_url} failed: {exc}",
                              f"从 {credential.tsa_url} 获取时间戳失败：{exc}") from None
    if credential.crls:
        # `crls` is outside the signed attributes, so adding it leaves the signature intact.
        sd = ci["content"]
        sd["crls"] = cms.RevocationInfoChoices(
            [cms.RevocationInfoChoice(name="crl", value=acrl.CertificateList.load(c)) for c in credential.crls])
    return ci.dump(force=False)


@dataclass
class SignatureResult:
    layer: int
    indication: str = "TOTAL_FAILED"  # ETSI EN 319 102-1: TOTAL_PASSED | INDETERMINATE | TOTAL_FAILED
    sub_indication: str | None = None
    signer: str | None = None
    signing_time: dt.datetime | None = None
    timestamp: dt.datetime | None = None  # time proven by a trusted signature time stamp (B-T)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "layer": self.layer,
            "indication": self.indication,
            "sub_indication": self.sub_indication,
            "signer": self.signer,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
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


def _contexts(trusted, trust: TrustList, embedded, embedded_crls, moment, retroactive: bool):
    """Validation contexts for the signer (anchors of its agency entry only) and for time stamps
    (anchors of the trust list's time-stamping authorities). Never fetch anything."""
    from asn1crypto import crl as acrl, x509 as ax509
    from pyhanko_certvalidator import ValidationContext

    def context(ca_certs, crls):
        listed = [ax509.Certificate.load(c) for c in ca_certs]
        anchors = [c for c in listed if c.self_signed != "no"] or listed
        return ValidationContext(
            trust_roots=anchors,
            other_certs=[c for c in listed if c.self_signed == "no"] + embedded,
            crls=[acrl.CertificateList.load(c) for c in crls] + embedded_crls,
            allow_fetching=False, revocation_mode="require", moment=moment, retroactive_revinfo=retroactive)

    signer_vc = context(trusted.ca_certs, trusted.crls)
    tsas = [t for t in trust.tsas if t.is_in_force(moment)]
    ts_vc = context([c for t in tsas for c in t.ca_certs], [c for t in tsas for c in t.crls]) if tsas else None
    return signer_vc, ts_vc


def verify_layer(layer: int, p7s: bytes, manifest: bytes, *, agency_name: str, credit_code: str, role: str,
                 trust: TrustList, at: dt.datetime | None = None) -> SignatureResult:
    """Judge one layer's signature. Never raises for bad input: problems become findings.

    The signature is judged at `at` (default: now). When that fails only because the signer's
    certificate has since expired or been revoked, a trusted signature time stamp (CAdES-B-T) that
    predates the event proves the signature existed while the certificate was good, and the
    signature is judged again at the time stamp's time (EN 319 102-1 past signature validation).
    """
    # asn1crypto learns the TSTInfo content type only when its tsp module is imported; parsing a
    # time-stamp token before that caches it as opaque bytes and pyHanko then rejects it.
    from asn1crypto import cms, tsp, x509 as ax509  # noqa: F401

    loc = f"META-INF/signature{layer:03d}.p7s"
    result = SignatureResult(layer)
    params = {"layer": f"{layer:03d}", "agency": agency_name, "role": role}

    def fail(code, indication, sub, **extra):
        result.findings.append(finding(code, loc, **{**params, **extra}))
        result.indication, result.sub_indication = indication, sub
        return result

    try:
        if not der_lengths(p7s):
            # BER (indefinite lengths, non-minimal encodings) lets two parsers see different signatures
            raise ValueError("the signature is not DER-encoded (CMS signatures must be DER)")
        ci = cms.ContentInfo.load(p7s, strict=True)
        if ci["content_type"].native != "signed_data":
            raise ValueError(f"content type is {ci['content_type'].native}, not signed_data")
        sd = ci["content"]
        signer_infos = sd["signer_infos"]
        if len(signer_infos) != 1:
            raise ValueError(f"{len(signer_infos)} SignerInfos; exactly one is required")
        si = signer_infos[0]
        for part in ("version", "digest_algorithms", "encap_content_info", "signer_infos"):
            sd[part].native  # force a full parse: a malformed field must be G001, not go unnoticed
        digest_alg = si["digest_algorithm"]["algorithm"].native
        sig_alg = si["signature_algorithm"]
        sig_hash = sig_alg.hash_algo if sig_alg["algorithm"].native not in ("rsassa_pss", "ed25519", "ed448") else None
        signed_attrs = si["signed_attrs"]
        attr_types = {a["type"].dotted for a in signed_attrs} if signed_attrs.native is not None else set()
        unsigned = {a["type"].native for a in si["unsigned_attrs"]} if si["unsigned_attrs"].native else set()
        embedded = [c.chosen for c in sd["certificates"]] if sd["certificates"].native else []
        for c in embedded:
            c.native  # force a full parse, so that malformed certificates fail here
        embedded_crls = [c.chosen for c in sd["crls"] if c.name == "crl"] if sd["crls"].native else []
        for c in embedded_crls:
            c.native
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises many types for malformed DER
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail=str(exc)[:200] or type(exc).__name__)

    for alg in (digest_alg, sig_hash):
        if alg in WEAK_DIGESTS:
            return fail("G010", "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE", detail=f"digest {alg}")
    signer_cert = _signer_cert(si, embedded)
    if signer_cert is not None:
        weak_key = _weak_key(signer_cert)
        if weak_key:
            return fail("G010", "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE", detail=weak_key)
    if SIGNING_CERTIFICATE_V2 not in attr_types:
        result.findings.append(finding("G011", loc, detail="no signing-certificate-v2 signed attribute", **params))

    when = at or dt.datetime.now(dt.timezone.utc)
    trusted = trust.find(credit_code, role)
    if trusted is None or not trust.is_in_force(trusted, when) or trusted.name != agency_name:
        shown = agency_name if trusted is None or trusted.name == agency_name \
            else f"{agency_name} (trust list: {trusted.name})"
        return fail("G004", "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND", agency=shown)

    # The agency's entry lists its CA certificates: the self-signed ones are the trust anchors, the
    # others are the agency's issuing CAs, one of which must have issued the signer's certificate.
    # (pyhanko-certvalidator cannot check a CRL whose issuer is a non-self-signed anchor, so an
    # issuing CA is never used as an anchor itself when its root is listed.)
    try:
        listed = [ax509.Certificate.load(c) for c in trusted.ca_certs]
        issuing = {c.sha256 for c in listed if c.self_signed == "no"} or {c.sha256 for c in listed}
    except Exception as exc:  # noqa: BLE001
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail=f"trust list entry: {exc}")
    if signer_cert is None:
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail="the signer's certificate is not embedded")
    result.signer = display_name(signer_cert)
    if not any(signer_cert.issuer == ca.subject
               and signer_cert.authority_key_identifier in (None, ca.key_identifier)
               for ca in listed if ca.sha256 in issuing):
        return fail("G003", "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND",
                    detail=f"issued by {signer_cert.issuer.human_friendly}")
    anchors = [c for c in listed if c.self_signed != "no"] or listed
    path_certs = [signer_cert] + [c for c in listed if c.sha256 in issuing or c in anchors]

    status = _run_validation(manifest, sd, trusted, trust, embedded, embedded_crls, when, retroactive=False)
    if isinstance(status, Exception):
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail=f"{type(status).__name__}: {str(status)[:200]}")
    result.signing_time = status.signer_reported_dt
    if not status.intact or not status.valid:
        return fail("G002", "TOTAL_FAILED", "HASH_FAILURE" if not status.intact else "SIG_CRYPTO_FAILURE")

    # Time stamp (CAdES-B-T): it must be valid and trusted whenever it is there.
    ts_time = None
    if "signature_time_stamp_token" in unsigned:
        ts = status.timestamp_validity
        if not any(t.is_in_force(when) for t in trust.tsas):
            ts = None  # nothing to trust it with; pyHanko was given the signer's context only
        if ts is None or not (ts.intact and ts.valid and ts.trusted):
            why = "no time-stamping authority in the trust list" if not trust.tsas else (
                ts.trust_problem_indic.name if ts is not None and ts.trust_problem_indic else "not intact or not valid")
            return fail("G012", "INDETERMINATE", "TIMESTAMP_ORDER_FAILURE" if ts is None else "SIG_CONSTRAINTS_FAILURE",
                        detail=why)
        ts_time = ts.timestamp
        result.timestamp = ts_time
        if status.signer_reported_dt and ts_time < status.signer_reported_dt - dt.timedelta(minutes=5):
            return fail("G012", "INDETERMINATE", "TIMESTAMP_ORDER_FAILURE",
                        detail="the time stamp is earlier than the claimed signing time")

    expired = _out_of_period(path_certs, when)
    indic = status.trust_problem_indic.name if status.trust_problem_indic is not None else None
    time_problem = expired or status.revoked or indic in (
        "REVOKED_NO_POE", "REVOKED_CA_NO_POE", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED", "EXPIRED")
    if time_problem and ts_time is not None and ts_time < when and not _out_of_period(path_certs, ts_time):
        past = _run_validation(manifest, sd, trusted, trust, embedded, embedded_crls, ts_time, retroactive=True)
        if not isinstance(past, Exception) and past.intact and past.valid and past.trusted and not past.revoked:
            status, expired, indic = past, None, None
            result.findings.append(finding("G013", loc, detail=ts_time.isoformat(), **params))

    if expired:
        return fail("G008", "INDETERMINATE", expired[0], detail=expired[1])
    if status.revoked or indic in ("REVOKED_NO_POE", "REVOKED_CA_NO_POE"):
        details = status.revocation_details
        when_revoked = details.revocation_date.isoformat() if details else "?"
        # B-B has no proof of existence before the revocation: INDETERMINATE/REVOKED[_CA]_NO_POE;
        # REVOKED is a TOTAL_FAILED sub-indication (revoked before a proven signing time).
        sub = indic if indic in ("REVOKED_NO_POE", "REVOKED_CA_NO_POE") else "REVOKED"
        return fail("G005", "INDETERMINATE" if indic in ("REVOKED_NO_POE", "REVOKED_CA_NO_POE") else "TOTAL_FAILED",
                    sub, detail=f"revoked on {when_revoked}")
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
            "CERTIFICATE_CHAIN_GENERAL_FAILURE": "G006",
            "TRY_LATER": "G006",
            "REVOCATION_OUT_OF_BOUNDS_NO_POE": "G006",
        }.get(indic or "", "G003")
        return fail(code, "INDETERMINATE", indic or "NO_CERTIFICATE_CHAIN_FOUND", detail=indic or "no validation path")

    path_hashes = {c.sha256 for c in status.validation_path.iter_certs(include_root=True)}
    if not (path_hashes & issuing):
        return fail("G003", "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND",
                    detail="the path does not pass through the agency's CA")

    org_id = _subject_attr(signer_cert, ORGANIZATION_IDENTIFIER)
    org = _subject_attr(signer_cert, "2.5.4.10")
    if not (org_id == credit_code or (org_id is None and org == trusted.name)):
        return fail("G009", "INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE",
                    detail=f"certificate names O={org!r}, organizationIdentifier={org_id!r}")

    if any(f.severity == "error" for f in result.findings):  # e.g. G011: trusted, but not the profile
        result.indication, result.sub_indication = "TOTAL_FAILED", "FORMAT_FAILURE"
    else:
        result.indication, result.sub_indication = "TOTAL_PASSED", None
    return result


def _run_validation(manifest, sd, trusted, trust, embedded, embedded_crls, moment, *, retroactive):
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    try:
        signer_vc, ts_vc = _contexts(trusted, trust, embedded, embedded_crls, moment, retroactive)
        ku = KeyUsageConstraints(key_usage={"non_repudiation"},
                                 extd_key_usage={DOCUMENT_SIGNING, "email_protection"},
                                 explicit_extd_key_usage_required=True)
        return asyncio.run(async_validate_detached_cms(
            manifest, sd, signer_validation_context=signer_vc, ts_validation_context=ts_vc or signer_vc,
            key_usage_settings=ku))
    except Exception as exc:  # noqa: BLE001 - pyHanko raises many types for malformed input
        return exc


def _weak_key(cert) -> str | None:
    """Why the signer's key is too weak for our profile (RSA < 2048, EC other than P-256/384/521)."""
    info = cert.public_key
    if info.algorithm == "rsa" and info.bit_size < 2048:
        return f"RSA key of {info.bit_size} bits (at least 2048 required)"
    if info.algorithm == "ec" and info.curve[1] not in ("secp256r1", "secp384r1", "secp521r1"):
        return f"elliptic curve {info.curve[1]}"
    return None


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
