"""CAdES-B-B detached signatures over ASiC manifests: making them and judging them.

Signing and verification are kept apart (as in pyHanko). Verification is a security decision: the
only trust anchors are the CA certificates that the trust list names for the agency *and* role the
layer claims, revocation information is required and never fetched from the network, and the
signer's certificate must name that agency.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding, finding
from ..i18n import quoted_original
from ..roles import role_name
from .trustlist_model import TrustList
from ..errors import UserError

DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"  # id-kp-documentSigning, RFC 9336
ORGANIZATION_IDENTIFIER = "2.5.4.97"
SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"  # ESS, RFC 5035
WEAK_DIGESTS = {"md5", "sha1", "md2"}


def der_problem(data: bytes) -> str | None:
    """Why `data` is not DER, or None when it is: definite minimal lengths, primitive strings, minimal
    INTEGERs and ENUMERATEDs, BOOLEANs of 00/FF, and every universal SET OF in ascending order.

    A complete check (X.690 §10-11 as far as CMS and X.509 use them) that does not decode values:
    re-encoding with asn1crypto (`dump(force=True)`) would tell the same but costs ~95 ms per
    signature once asn1crypto.tsp is imported; this walk over the TLV headers takes a few ms.
    Context-tagged IMPLICIT SET OFs (the signed attributes) are checked by `unsorted_set`.
    """
    stack = [(0, len(data), False)]
    while stack:
        pos, end, is_set = stack.pop()
        previous = None
        while pos < end:
            element_start = pos
            tag = data[pos]
            pos += 1
            if tag & 0x1F == 0x1F:  # high tag number: base-128 digits
                while pos < end and data[pos] & 0x80:
                    pos += 1
                pos += 1
            if pos >= end:
                return "truncated element"
            first = data[pos]
            pos += 1
            if first == 0x80:
                return "indefinite length"
            if first > 0x80:
                n = first & 0x7F
                if n > 8 or pos + n > end or data[pos] == 0:
                    return "malformed or non-minimal length"
                length = int.from_bytes(data[pos:pos + n], "big")
                pos += n
                if length < 0x80:
                    return "long-form length where the short form is required"
            else:
                length = first
            if pos + length > end:
                return "element longer than its container"
            if tag & 0x20:
                if tag in (0x23, 0x24):  # constructed BIT STRING / OCTET STRING: BER only
                    return "constructed string"
                stack.append((pos, pos + length, tag == 0x31))
            elif tag in (0x02, 0x0A):  # INTEGER, ENUMERATED: two's complement in the fewest octets
                if length == 0:
                    return "empty INTEGER"
                if length > 1 and ((data[pos] == 0 and data[pos + 1] < 0x80)
                                   or (data[pos] == 0xFF and data[pos + 1] >= 0x80)):
                    return "non-minimal INTEGER"
            elif tag == 0x01 and (length != 1 or data[pos] not in (0x00, 0xFF)):
                return "BOOLEAN other than 00 or FF"
            pos += length
            if is_set:
                encoding = data[element_start:pos]
                if previous is not None and encoding < previous:
                    return "SET OF not in ascending order"
                previous = encoding
    return None


def der_lengths(data: bytes) -> bool:
    """True when `data` is DER (kept for callers of the first version; see `der_problem`)."""
    return der_problem(data) is None


def unsorted_set(contents: bytes) -> bool:
    """True when the TLVs in `contents` (the contents of a SET OF) are not in ascending order."""
    pos, previous = 0, None
    while pos < len(contents):
        start = pos
        pos += 1
        first = contents[pos]
        pos += 1
        if first & 0x80:
            n = first & 0x7F
            length = int.from_bytes(contents[pos:pos + n], "big")
            pos += n
        else:
            length = first
        pos += length
        encoding = contents[start:pos]
        if previous is not None and encoding < previous:
            return True
        previous = encoding
    return False


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
    from pyhanko.sign import signers

    from .p12 import read_p12

    path = Path(path)
    data, key, cert = read_p12(path, passphrase, CredentialError, ("signing credential", "签名凭据"))
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
    timestamp: dt.datetime | None = None  # time proven by this layer's own trusted signature time stamp
    findings: list[Finding] = field(default_factory=list)
    # DER of the certificate whose signature and path pyHanko validated: the one source of the signer's
    # identity for reports and receipts (None when the signature could not be validated that far).
    signer_certificate: bytes | None = None

    def to_dict(self) -> dict:
        return {
            "layer": self.layer,
            "indication": self.indication,
            "sub_indication": self.sub_indication,
            "signer": self.signer,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
        }


SIGNING_TIME = "1.2.840.113549.1.9.5"
SIGNATURE_TIME_STAMP = "1.2.840.113549.1.9.16.2.14"
# Time-stamp attributes this profile does not define (content time stamp, CAdES-C/X/A stamps): a
# token the validator does not judge must not sit in a layer looking like evidence.
OTHER_TIME_STAMPS = {
    "1.2.840.113549.1.9.16.2.20": "content-time-stamp",
    "1.2.840.113549.1.9.16.2.25": "CAdES-C-time-stamp",
    "1.2.840.113549.1.9.16.2.26": "time-stamped-certs-crls-references",
    "1.2.840.113549.1.9.16.2.27": "archive-time-stamp",
    "1.2.840.113549.1.9.16.2.48": "archive-time-stamp-v2",
    "0.4.0.1733.2.4": "archive-time-stamp-v3",
}
# How much later than the validation time (or a proof of existence) a signed signing-time may be:
# signers' clocks drift; a court would not call a minute's difference a forgery.
CLOCK_SKEW = dt.timedelta(minutes=5)


def display_name(cert) -> str:
    """The signer as a person reads it: the certificate's common name, else its organisation."""
    for oid in ("2.5.4.3", "2.5.4.10"):
        value = _subject_attr(cert, oid)
        if value:
            return value
    return cert.subject.human_friendly


# X.520 attribute names as asn1crypto reads them, in Chinese (asn1crypto's `human_friendly` is English)
_NAME_ZH = {"common_name": "通用名称", "organization_name": "组织", "organizational_unit_name": "部门",
            "country_name": "国家", "state_or_province_name": "省份", "locality_name": "城市",
            "organization_identifier": "组织标识符", "serial_number": "序列号", "email_address": "电子邮件"}


def name_zh(name) -> str:
    """An X.509 name as a Chinese reader reads it: "组织标识符：…，通用名称：…，组织：…，国家：CN"."""
    try:
        items = list(name.native.items())
    except Exception:  # noqa: BLE001 - an odd name is shown as asn1crypto shows it
        return name.human_friendly
    return "，".join(f"{_NAME_ZH.get(k, k)}：{', '.join(map(str, v)) if isinstance(v, list) else v}"
                    for k, v in reversed(items))


def _out_of_period(certs, when: dt.datetime) -> tuple[str, str, str] | None:
    """(sub-indication, explanation in English and in Chinese) for the first certificate not valid at
    `when`, else None."""
    for cert in certs:
        validity = cert["tbs_certificate"]["validity"]
        start, end = validity["not_before"].native, validity["not_after"].native
        name, zh = cert.subject.human_friendly, name_zh(cert.subject)
        if when < start:
            return "NOT_YET_VALID", f"{name} is valid only from {start.isoformat()}", f"{zh} 自 {start.isoformat()} 起才有效"
        if when > end:
            return "OUT_OF_BOUNDS_NO_POE", f"{name} expired on {end.isoformat()}", f"{zh} 已于 {end.isoformat()} 过期"
    return None


def _matching_certs(sid, certs) -> list:
    """Every certificate that the SignerInfo's `sid` matches (issuer + serial, or key identifier).
    More than one means the signer is ambiguous: different tools would pick different ones."""
    out = []
    for cert in certs:
        if sid.name == "issuer_and_serial_number":
            if cert.issuer == sid.chosen["issuer"] and cert.serial_number == sid.chosen["serial_number"].native:
                out.append(cert)
        elif cert.key_identifier is not None and cert.key_identifier == sid.chosen.native:
            out.append(cert)
    return out


def _subject_attr(cert, oid: str) -> str | None:
    for rdn in cert.subject.chosen:
        for ava in rdn:
            if ava["type"].dotted == oid:
                return str(ava["value"].native)
    return None


def _context(ca_certs, crls, extra_certs, extra_crls, moment, retroactive: bool):
    """A validation context whose anchors are the self-signed `ca_certs` (all of them if none is);
    never fetches anything, and requires revocation information."""
    from asn1crypto import crl as acrl, x509 as ax509
    from pyhanko_certvalidator import ValidationContext

    listed = [ax509.Certificate.load(c) for c in ca_certs]
    anchors = [c for c in listed if c.self_signed != "no"] or listed
    return ValidationContext(
        trust_roots=anchors,
        other_certs=[c for c in listed if c.self_signed == "no"] + list(extra_certs),
        crls=[acrl.CertificateList.load(c) for c in crls] + list(extra_crls),
        allow_fetching=False, revocation_mode="require", moment=moment, retroactive_revinfo=retroactive)


def _signing_certificate_v2_problem(signed_attrs, cert) -> str | None:
    """Why the signing-certificate-v2 attribute does not identify `cert` (RFC 5035), else None."""
    import hashlib

    values = [a["values"] for a in signed_attrs if a["type"].dotted == SIGNING_CERTIFICATE_V2]
    if len(values) != 1 or len(values[0]) != 1:
        return "the attribute must occur once with one value"
    ids = values[0][0]["certs"]
    if len(ids) == 0:
        return "the attribute names no certificate"
    first = ids[0]
    algo = first["hash_algorithm"]["algorithm"].native
    if algo in WEAK_DIGESTS or algo not in ("sha256", "sha384", "sha512"):
        return f"certificate hash algorithm {algo}"
    if first["cert_hash"].native != hashlib.new(algo, cert.dump()).digest():
        return "its certificate hash is not the hash of the signer's certificate"
    serial = first["issuer_serial"]
    if serial.native is not None:
        if serial["serial_number"].native != cert.serial_number or not any(
                n.name == "directory_name" and n.chosen == cert.issuer for n in serial["issuer"]):
            return "its issuer and serial number are not the signer certificate's"
    return None


def _revocation_date(cert, ca_certs, crls) -> dt.datetime | None:
    """The revocation date of `cert` in a CRL signed by one of `ca_certs` (DER), else None. Used only
    to *warn* (rule G020); pyHanko decides revocation for acceptance."""
    from cryptography import x509 as cx509

    try:
        leaf = cx509.load_der_x509_certificate(cert.dump())
        issuers = [c for c in (cx509.load_der_x509_certificate(d) for d in ca_certs) if c.subject == leaf.issuer]
    except Exception:  # noqa: BLE001
        return None
    dates = []
    for der in crls:
        try:
            crl = cx509.load_der_x509_crl(der)
            if crl.issuer != leaf.issuer or not any(crl.is_signature_valid(i.public_key()) for i in issuers):
                continue
            entry = crl.get_revoked_certificate_by_serial_number(leaf.serial_number)
        except Exception:  # noqa: BLE001 - an unreadable CRL tells nothing here
            continue
        if entry is not None:
            dates.append(entry.revocation_date_utc)
    return min(dates) if dates else None


@dataclass
class _TokenVerdict:
    time: dt.datetime | None = None  # set when the token is valid and from a TSA the trust list names
    code: str | None = None
    sub: str | None = None
    detail: str = ""
    detail_zh: str | None = None  # None: as `detail` (a technical value the same in both languages)


def _judge_token(token, si, trust: TrustList, when: dt.datetime, retroactive: bool) -> _TokenVerdict:
    """Judge one RFC 3161 token over `si`'s signature value: the TSA's certificate must be named by the
    trust list (`TrustList.tsa_for`), be the one the token's signature and path validate with, and the
    path must validate to that TSA entry's CAs with revocation established."""
    from asn1crypto import core
    from pyhanko.sign.validation.generic_cms import message_imprint_checker, validate_tst_signed_data
    from pyhanko.sign.validation.status import TimestampSignatureStatus

    try:
        if token["content_type"].native != "signed_data":
            return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail="the token is not SignedData", detail_zh="时间戳令牌不是 SignedData")
        tsd = token["content"]
        tst_info = tsd["encap_content_info"]["content"].parsed
        gen_time = tst_info["gen_time"].native
        tsis = tsd["signer_infos"]
        if len(tsis) != 1:
            return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail=f"{len(tsis)} SignerInfos in the token",
                                 detail_zh=f"令牌中有 {len(tsis)} 个 SignerInfo")
        if not isinstance(tsis[0]["signed_attrs"], core.Void) and unsorted_set(tsis[0]["signed_attrs"].contents):
            return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail="the token's signed attributes are not DER",
                                 detail_zh="令牌的签名属性不是 DER 编码")
        certs = [c.chosen for c in tsd["certificates"]] if tsd["certificates"].native else []
        matching = _matching_certs(tsis[0]["sid"], certs)
    except Exception as exc:  # noqa: BLE001 - malformed token
        return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail=f"unreadable token: {str(exc)[:120]}",
                             detail_zh="无法读取的时间戳令牌")
    if len(matching) != 1:
        return _TokenVerdict(code="G012", sub="FORMAT_FAILURE",
                             detail=f"{len(matching)} certificates match the token's signer identifier",
                             detail_zh=f"有 {len(matching)} 个证书与令牌的签名者标识相符")
    tsa_cert = matching[0]
    tsa = trust.tsa_for(tsa_cert.dump(), gen_time) if trust.tsas else None
    if tsa is None:
        return _TokenVerdict(code="G022", sub="NO_CERTIFICATE_CHAIN_FOUND",
                             detail=f"{tsa_cert.subject.human_friendly} (issued by {tsa_cert.issuer.human_friendly})",
                             detail_zh=f"{name_zh(tsa_cert.subject)}（签发者：{name_zh(tsa_cert.issuer)}）")
    try:
        vc = _context(tsa.ca_certs, tsa.crls, certs, [], when, retroactive)
        kwargs = asyncio.run(validate_tst_signed_data(tsd, vc, message_imprint_checker(si)))
        status = TimestampSignatureStatus(**kwargs)
    except Exception as exc:  # noqa: BLE001
        return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail=f"{type(exc).__name__}: {str(exc)[:120]}")
    if status.signing_cert is None or status.signing_cert.dump() != tsa_cert.dump():
        return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail="the token was validated with another certificate",
                             detail_zh="令牌是用另一个证书验证的")
    if not (status.intact and status.valid):
        return _TokenVerdict(code="G012", sub="SIG_CONSTRAINTS_FAILURE", detail="not intact or not valid", detail_zh="不完整或无效")
    if not status.trusted or status.validation_path is None:
        indic = status.trust_problem_indic.name if status.trust_problem_indic else "no trusted path"
        return _TokenVerdict(code="G012", sub="SIG_CONSTRAINTS_FAILURE", detail=indic)
    path = list(status.validation_path.iter_certs(include_root=True))
    if path[-1].dump() != tsa_cert.dump() or (len(path) > 1 and path[-2].dump() not in tsa.ca_certs):
        return _TokenVerdict(code="G022", sub="NO_CERTIFICATE_CHAIN_FOUND",
                             detail="the token's path does not pass through the TSA entry's CA",
                             detail_zh="令牌的证书路径未经过信任列表中该时间戳服务条目的 CA")
    return _TokenVerdict(time=status.timestamp)


_LOOK_UP = object()  # verify_layer(trusted=…) not given: look the agency up in the trust list


def verify_layer(layer: int, p7s: bytes, manifest: bytes, *, agency_name: str, credit_code: str, role: str,
                 trust: TrustList, at: dt.datetime | None = None,
                 poe: dt.datetime | None = None, trusted=_LOOK_UP) -> SignatureResult:
    """Judge one layer's signature. Never raises for bad input: problems become findings.

    The signature is judged at `at` (default: now). `poe` is an externally proven time at which the
    signature already existed (a receipt, or a later layer's trusted time stamp; the caller proves
    it). The signature's proven time is the earliest of its own trusted time stamp and `poe`. When
    the signature fails at `at` only because the signer's certificate has since expired or been
    revoked, and the proven time predates that, the signature is judged again at the proven time
    (EN 319 102-1 past signature validation). The case table is in docs/signatures.md §3.

    `trusted` is `trust.find(credit_code, role)` when the caller has already looked it up (the
    validation pipeline does, once per layer); by default it is looked up here.
    """
    # asn1crypto learns the TSTInfo content type only when its tsp module is imported; parsing a
    # time-stamp token before that caches it as opaque bytes and pyHanko then rejects it.
    from asn1crypto import cms, core, tsp, x509 as ax509  # noqa: F401

    loc = f"META-INF/signature{layer:03d}.p7s"
    result = SignatureResult(layer)
    params = {"layer": f"{layer:03d}", "agency": agency_name, "role": role, "role_zh": role_name(role, "zh-CN")}

    def fail(code, indication, sub, **extra):
        result.findings.append(finding(code, loc, **{**params, **extra}))
        result.indication, result.sub_indication = indication, sub
        return result

    try:
        ci = cms.ContentInfo.load(p7s, strict=True)
        if ci["content_type"].native != "signed_data":
            raise ValueError(f"content type is {ci['content_type'].native}, not signed_data")
        sd = ci["content"]
        signer_infos = sd["signer_infos"]
        if len(signer_infos) != 1:
            raise ValueError(f"{len(signer_infos)} SignerInfos; exactly one is required")
        si = signer_infos[0]
        # The signed attributes as signed: asn1crypto re-sorts a SET OF once it has been parsed.
        raw_signed_attrs = None if isinstance(si["signed_attrs"], core.Void) else si["signed_attrs"].contents
        for part in ("version", "digest_algorithms", "encap_content_info"):
            sd[part].native  # force a full parse: a malformed field must be G001, not go unnoticed
        for part in ("version", "sid", "digest_algorithm", "signed_attrs", "signature_algorithm", "signature"):
            si[part].native  # (unsigned attributes are parsed where they are judged, below)
        digest_alg = si["digest_algorithm"]["algorithm"].native
        sig_alg = si["signature_algorithm"]
        sig_hash = sig_alg.hash_algo if sig_alg["algorithm"].native not in ("rsassa_pss", "ed25519", "ed448") else None
        signed_attrs = si["signed_attrs"]
        attr_types = [a["type"].dotted for a in signed_attrs] if signed_attrs.native is not None else []
        # Only the attribute types here: values are parsed where they are judged (an unknown attribute's
        # value need not parse as anything, and must become a finding about that attribute).
        unsigned_attrs = [] if isinstance(si["unsigned_attrs"], core.Void) else list(si["unsigned_attrs"])
        embedded = [c.chosen for c in sd["certificates"]] if sd["certificates"].native else []
        for c in embedded:
            c.native  # force a full parse, so that malformed certificates fail here
        embedded_crls = [c.chosen for c in sd["crls"] if c.name == "crl"] if sd["crls"].native else []
        for c in embedded_crls:
            c.native
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises many types for malformed DER
        why = str(exc)[:200] or type(exc).__name__
        zh = _reason_zh(why)  # our own reasons are translated; asn1crypto's words are quoted
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail=why,
                    detail_zh=zh if zh != why else quoted_original(why))
    # Parsable, but is it DER? BER (indefinite lengths, non-minimal encodings, unsorted sets) lets two
    # parsers see two different signatures, and the signed attributes are hashed in their DER form.
    not_der = der_problem(p7s)
    if not_der:
        return fail("G023", "TOTAL_FAILED", "FORMAT_FAILURE", detail=not_der, detail_zh=_reason_zh(not_der))
    if raw_signed_attrs is not None and unsorted_set(raw_signed_attrs):
        return fail("G023", "TOTAL_FAILED", "FORMAT_FAILURE", detail="signed attributes not in DER (sorted) order",
                    detail_zh="签名属性未按 DER 要求排序")

    for alg in (digest_alg, sig_hash):
        if alg in WEAK_DIGESTS:
            return fail("G010", "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE", detail=f"digest {alg}", detail_zh=f"摘要算法 {alg}")
    # One signer certificate, or none: with two candidates pyHanko and any other tool may each pick
    # a different one, and every later decision would rest on a certificate nobody verified.
    candidates = _matching_certs(si["sid"], embedded)
    if len(candidates) > 1:
        return fail("G016", "TOTAL_FAILED", "FORMAT_FAILURE",
                    detail=f"{len(candidates)} embedded certificates match the signer identifier ({si['sid'].name})",
                    detail_zh=f"有 {len(candidates)} 个内嵌证书与签名者标识（{si['sid'].name}）相符")
    signer_cert = candidates[0] if candidates else None
    if signer_cert is not None:
        weak_key = _weak_key(signer_cert)
        if weak_key:
            return fail("G010", "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE", detail=weak_key,
                        detail_zh=_reason_zh(weak_key))
    if SIGNING_TIME not in attr_types:
        result.findings.append(finding("G017", loc, **params))
    if SIGNING_CERTIFICATE_V2 not in attr_types:
        result.findings.append(finding("G011", loc, detail="no signing-certificate-v2 signed attribute",
                                       detail_zh="没有 signing-certificate-v2 签名属性", **params))
    elif signer_cert is not None:
        why = _signing_certificate_v2_problem(signed_attrs, signer_cert)
        if why:
            return fail("G019", "TOTAL_FAILED", "FORMAT_FAILURE", detail=why, detail_zh=_reason_zh(why))
    for name in sorted({OTHER_TIME_STAMPS[t] for t in attr_types if t in OTHER_TIME_STAMPS}):
        result.findings.append(finding("G021", loc, detail=f"signed attribute {name}",
                                       detail_zh=f"签名属性 {name}", **params))

    when = at or dt.datetime.now(dt.timezone.utc)
    # A past validation time is judged with the revocation information we have, issued later.
    retroactive = at is not None
    if trusted is _LOOK_UP:
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
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail=f"trust list entry: {exc}", detail_zh=f"信任列表条目：{exc}")
    if signer_cert is None:
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail="the signer's certificate is not embedded",
                    detail_zh="签名人证书未内嵌")
    if not any(signer_cert.issuer == ca.subject
               and signer_cert.authority_key_identifier in (None, ca.key_identifier)
               for ca in listed if ca.sha256 in issuing):
        return fail("G003", "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND",
                    detail=f"issued by {signer_cert.issuer.human_friendly}",
                    detail_zh=f"签发者：{name_zh(signer_cert.issuer)}")
    anchors = [c for c in listed if c.self_signed != "no"] or listed

    # Time stamps are judged here one by one (`_judge_token`), so pyHanko sees the signature alone.
    try:
        bare = cms.ContentInfo.load(p7s)["content"]
        bare["signer_infos"][0]["unsigned_attrs"] = None
    except Exception as exc:  # noqa: BLE001 - parsed once already; kept total for hostile input
        why = str(exc)[:200] or type(exc).__name__
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail=why, detail_zh=quoted_original(why))
    status = _run_validation(manifest, bare, trusted, embedded, embedded_crls, when, retroactive=retroactive)
    if isinstance(status, Exception):
        why = f"{type(status).__name__}: {str(status)[:200]}"
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail=why, detail_zh=quoted_original(why))
    # From here on, the signer is the certificate pyHanko validated, and only that one.
    validated = status.signing_cert
    if validated is None or validated.dump() != signer_cert.dump() or (
            status.validation_path is not None and status.validation_path.leaf.dump() != validated.dump()):
        return fail("G016", "TOTAL_FAILED", "FORMAT_FAILURE",
                    detail="the validated certificate is not the embedded signer certificate or not the end of its path",
                    detail_zh="经验证的证书不是内嵌的签名人证书，或不在其路径末端")
    signer_cert = validated
    result.signer = display_name(signer_cert)
    result.signer_certificate = signer_cert.dump()
    path_certs = [signer_cert] + [c for c in listed if c.sha256 in issuing or c in anchors]
    result.signing_time = status.signer_reported_dt
    if not status.intact or not status.valid:
        return fail("G002", "TOTAL_FAILED", "HASH_FAILURE" if not status.intact else "SIG_CRYPTO_FAILURE")

    # Time stamps (CAdES-B-T): at most one signature time stamp, and every token there is judged.
    tokens = []
    for attr in unsigned_attrs:
        kind = attr["type"].dotted
        if kind == SIGNATURE_TIME_STAMP:
            tokens.extend(attr["values"])
        elif kind in OTHER_TIME_STAMPS:
            result.findings.append(finding("G021", loc, detail=f"unsigned attribute {OTHER_TIME_STAMPS[kind]}",
                                           detail_zh=f"非签名属性 {OTHER_TIME_STAMPS[kind]}", **params))
    if len(tokens) > 1:
        result.findings.append(finding("G021", loc, detail=f"{len(tokens)} signature time stamps; at most one",
                                       detail_zh=f"{len(tokens)} 个签名时间戳；至多一个", **params))
    ts_time = None
    for token in tokens:
        verdict = _judge_token(token, si, trust, when, retroactive)
        if verdict.code:
            return fail(verdict.code, "INDETERMINATE", verdict.sub, detail=verdict.detail, detail_zh=verdict.detail_zh)
        ts_time = verdict.time if ts_time is None else min(ts_time, verdict.time)
    result.timestamp = ts_time
    claimed = status.signer_reported_dt
    if claimed and ts_time and ts_time < claimed - CLOCK_SKEW:
        return fail("G012", "INDETERMINATE", "TIMESTAMP_ORDER_FAILURE",
                    detail="the time stamp is earlier than the claimed signing time",
                    detail_zh="时间戳早于所声称的签名时间")
    if claimed and claimed > when + CLOCK_SKEW:
        return fail("G018", "INDETERMINATE", "SIG_CONSTRAINTS_FAILURE",
                    detail=f"signing-time {claimed.isoformat()} is after the validation time {when.isoformat()}",
                    detail_zh=f"signing-time {claimed.isoformat()} 晚于验证时间 {when.isoformat()}")
    if claimed and poe and claimed > poe + CLOCK_SKEW:
        return fail("G018", "INDETERMINATE", "SIG_CONSTRAINTS_FAILURE",
                    detail=f"signing-time {claimed.isoformat()} is after the proof of existence {poe.isoformat()}",
                    detail_zh=f"signing-time {claimed.isoformat()} 晚于存在性证明时间 {poe.isoformat()}")

    proofs = [(t, what) for t, what in ((ts_time, "trusted time stamp"), (poe, "proof of existence")) if t]
    proven, proof = min(proofs, key=lambda p: p[0]) if proofs else (None, None)
    expired = _out_of_period(path_certs, when)
    indic = status.trust_problem_indic.name if status.trust_problem_indic is not None else None
    time_problem = expired or status.revoked or indic in (
        "REVOKED_NO_POE", "REVOKED_CA_NO_POE", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED", "EXPIRED")
    if time_problem and proven is not None and proven < when and not _out_of_period(path_certs, proven):
        past = _run_validation(manifest, bare, trusted, embedded, embedded_crls, proven, retroactive=True)
        if not isinstance(past, Exception) and past.intact and past.valid and past.trusted and not past.revoked \
                and past.signing_cert is not None and past.signing_cert.dump() == signer_cert.dump():
            status, expired, indic = past, None, None
            proof_zh = {"trusted time stamp": "可信时间戳", "proof of existence": "存在性证明"}.get(proof, proof)
            result.findings.append(finding("G013", loc, detail=f"{proof} of {proven.isoformat()}",
                                           detail_zh=f"{proof_zh}，时间 {proven.isoformat()}", **params))

    if expired:
        return fail("G008", "INDETERMINATE", expired[0], detail=expired[1], detail_zh=expired[2])
    if status.revoked or indic in ("REVOKED_NO_POE", "REVOKED_CA_NO_POE"):
        details = status.revocation_details
        when_revoked = details.revocation_date.isoformat() if details else "?"
        # B-B has no proof of existence before the revocation: INDETERMINATE/REVOKED[_CA]_NO_POE;
        # REVOKED is a TOTAL_FAILED sub-indication (revoked before a proven signing time).
        sub = indic if indic in ("REVOKED_NO_POE", "REVOKED_CA_NO_POE") else "REVOKED"
        return fail("G005", "INDETERMINATE" if indic in ("REVOKED_NO_POE", "REVOKED_CA_NO_POE") else "TOTAL_FAILED",
                    sub, detail=f"revoked on {when_revoked}", detail_zh=f"吊销于 {when_revoked}")
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
        return fail(code, "INDETERMINATE", indic or "NO_CERTIFICATE_CHAIN_FOUND", detail=indic or "no validation path",
                    detail_zh=indic or "没有验证路径")

    path_hashes = {c.sha256 for c in status.validation_path.iter_certs(include_root=True)}
    if not (path_hashes & issuing):
        return fail("G003", "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND",
                    detail="the path does not pass through the agency's CA",
                    detail_zh="证书路径未经过该机关的 CA")

    # No name-only match (#13): two entries may share a name; only the credit code is unique.
    org_id = _subject_attr(signer_cert, ORGANIZATION_IDENTIFIER)
    if org_id != credit_code:
        org = _subject_attr(signer_cert, "2.5.4.10")
        return fail("G009", "INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE",
                    detail=f"certificate names O={org!r}, organizationIdentifier={org_id!r}",
                    detail_zh=f"证书所载 O={org!r}，organizationIdentifier={org_id!r}")

    # Valid at the validation time, but revoked later with nothing proving the signature is older
    # than the revocation: the signed signing-time is only the signer's word (docs/signatures.md §3).
    revoked_on = _revocation_date(signer_cert, trusted.ca_certs,
                                  list(trusted.crls) + [c.dump() for c in embedded_crls])
    if revoked_on is not None and revoked_on > when and not (proven is not None and proven < revoked_on):
        result.findings.append(finding("G020", loc, detail=revoked_on.isoformat(), **params))

    if any(f.severity == "error" for f in result.findings):  # e.g. G011: trusted, but not the profile
        result.indication, result.sub_indication = "TOTAL_FAILED", "FORMAT_FAILURE"
    else:
        result.indication, result.sub_indication = "TOTAL_PASSED", None
    return result


def _run_validation(manifest, sd, trusted, embedded, embedded_crls, moment, *, retroactive):
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    try:
        signer_vc = _context(trusted.ca_certs, trusted.crls, embedded, embedded_crls, moment, retroactive)
        ku = KeyUsageConstraints(key_usage={"non_repudiation"},
                                 extd_key_usage={DOCUMENT_SIGNING, "email_protection"},
                                 explicit_extd_key_usage_required=True)
        return asyncio.run(async_validate_detached_cms(
            manifest, sd, signer_validation_context=signer_vc, ts_validation_context=signer_vc,
            key_usage_settings=ku))
    except Exception as exc:  # noqa: BLE001 - pyHanko raises many types for malformed input
        return exc


# The fixed reasons the DER check, the signing-certificate-v2 check and the key check give, in Chinese
# (the findings carry both languages; tests/test_i18n.py renders them under zh-CN).
_REASONS_ZH = {
    "truncated element": "元素被截断", "indefinite length": "不定长编码",
    "malformed or non-minimal length": "长度编码错误或非最短形式",
    "long-form length where the short form is required": "应使用短格式长度却用了长格式",
    "element longer than its container": "元素长度超出其容器", "constructed string": "构造型字符串",
    "empty INTEGER": "空的 INTEGER", "non-minimal INTEGER": "非最短编码的 INTEGER",
    "BOOLEAN other than 00 or FF": "BOOLEAN 值不是 00 或 FF", "SET OF not in ascending order": "SET OF 未按升序排列",
    "the attribute must occur once with one value": "该属性必须出现一次且只有一个值",
    "the attribute names no certificate": "该属性未指明证书",
    "its certificate hash is not the hash of the signer's certificate": "其证书摘要不是签名人证书的摘要",
    "its issuer and serial number are not the signer certificate's": "其签发者和序列号与签名人证书不符",
}
_REASON_PATTERNS_ZH = [
    (re.compile(r"RSA key of (\d+) bits \(at least 2048 required\)"), r"RSA 密钥仅 \1 位（至少须 2048 位）"),
    (re.compile(r"elliptic curve (\S+)"), r"椭圆曲线 \1"),
    (re.compile(r"certificate hash algorithm (\S+)"), r"证书摘要算法 \1"),
    (re.compile(r"content type is (\S+), not signed_data"), r"内容类型为 '\1'（CMS 类型名），不是 signed_data"),
    (re.compile(r"(\d+) SignerInfos; exactly one is required"), r"有 \1 个 SignerInfo，必须恰好一个"),
]


def _reason_zh(reason: str | None) -> str | None:
    """A reason of the checks below in Chinese (as it is when it is not one of theirs)."""
    if reason is None or reason in _REASONS_ZH:
        return _REASONS_ZH.get(reason)
    for pattern, zh in _REASON_PATTERNS_ZH:
        if pattern.fullmatch(reason):
            return pattern.sub(zh, reason)
    return reason


def _weak_key(cert) -> str | None:
    """Why the signer's key is too weak for our profile (RSA < 2048, EC other than P-256/384/521)."""
    info = cert.public_key
    if info.algorithm == "rsa" and info.bit_size < 2048:
        return f"RSA key of {info.bit_size} bits (at least 2048 required)"
    if info.algorithm == "ec" and info.curve[1] not in ("secp256r1", "secp384r1", "secp521r1"):
        return f"elliptic curve {info.curve[1]}"
    return None


def signature_summary(p7s: bytes) -> tuple[str | None, dt.datetime | None]:
    """Signer name and claimed signing time, read without judging trust (for `inspect`).

    The name is shown only when exactly one embedded certificate matches the signer identifier (issuer
    and serial, or key identifier); an ambiguous signer is shown as unknown, never as the first match.
    """
    from asn1crypto import cms

    try:
        sd = cms.ContentInfo.load(p7s)["content"]
        si = sd["signer_infos"][0]
        certs = [c.chosen for c in sd["certificates"]] if sd["certificates"].native else []
        matching = _matching_certs(si["sid"], certs)
        signer = display_name(matching[0]) if len(matching) == 1 else None
        when = None
        for attr in si["signed_attrs"]:
            if attr["type"].native == "signing_time":
                when = attr["values"][0].native
        return signer, when
    except Exception:  # noqa: BLE001 - inspect shows "?" for an unreadable signature
        return None, None
