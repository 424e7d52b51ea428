"""CAdES-B-B detached signatures over ASiC manifests: making them and judging them.

This module makes them (credentials, CRLs, :func:`sign_manifest`) and holds the certificate helpers
that judging shares; judging is in cades_verify.py (the layer), cades_timestamp.py (time-stamp
tokens) and cades_der.py (strict DER).

Signing and verification are kept apart (as in pyHanko). Verification is a security decision: the
only trust anchors are the CA certificates that the trust list names for the agency *and* role the
layer claims, revocation information is required and never fetched from the network, and the
signer's certificate must name that agency.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError


DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"  # id-kp-documentSigning, RFC 9336
ORGANIZATION_IDENTIFIER = "2.5.4.97"
SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"  # ESS, RFC 5035
WEAK_DIGESTS = {"md5", "sha1", "md2"}


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
    algorithm: str = "ecdsa"  # the key's family: "rsa", "ecdsa" or "sm2"

    @property
    def manifest_digest(self) -> str:
        """The manifest digest algorithm of the layers this credential signs (docs/spec.md §4.3): SM3
        beside an SM2 key, as the national profile pairs them (GB/T 35275), SHA-256 otherwise."""
        return "sm3" if self.algorithm == "sm2" else "sha256"


def load_credential(path: Path, passphrase: bytes | None = None) -> Credential:
    """Load a signing credential: PKCS#12 (RSA, ECDSA; demo credentials have no passphrase), or a PEM
    file holding the private key (PKCS#8, encrypted or not, or SEC1) and the certificates, the signer's
    and its chain (RSA, ECDSA and SM2: docs/signatures.md, "Credentials"). The key type decides how the
    layer is signed."""
    from .p12 import MAX_P12_BYTES, read_p12
    from .pyhanko_import import simple_signer

    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(MAX_P12_BYTES + 1)
    except OSError:
        head = b""  # read_p12 below reports the error in both languages
    if head.lstrip().startswith(b"-----BEGIN"):
        return _load_pem_credential(path, head, passphrase)
    try:
        data, key, cert = read_p12(path, passphrase, CredentialError, ("signing credential", "签名凭据"))
    except CredentialError:
        from .sm2_p12 import is_sm2_p12

        if not is_sm2_p12(head):
            raise
        # a PKCS#12 that cryptography refuses: an SM2 .pfx as national CAs issue them (sm2_p12.py reads it)
        from asn1crypto import x509 as ax509

        from .pem_credential import read_sm2_credential

        _data, key, leaf_der, chain = read_sm2_credential(path, passphrase, CredentialError,
                                                          ("signing credential", "签名凭据"))
        return _sm2_credential(key, ax509.Certificate.load(leaf_der), [ax509.Certificate.load(c) for c in chain])
    signer = simple_signer().load_pkcs12_data(data, other_certs=[], passphrase=passphrase)
    if signer is None:
        raise CredentialError(f"{path}: pyHanko could not load the credential", f"{path}：无法加载签名凭据")
    from cryptography.x509.oid import NameOID

    def attr(oid):
        values = cert.subject.get_attributes_for_oid(oid)
        return values[0].value if values else None

    from cryptography.x509 import ObjectIdentifier

    from cryptography.hazmat.primitives.asymmetric import rsa

    return Credential(signer, cert.subject.rfc4514_string(), attr(NameOID.ORGANIZATION_NAME),
                      attr(ObjectIdentifier(ORGANIZATION_IDENTIFIER)), key_bits=getattr(key, "key_size", None),
                      algorithm="rsa" if isinstance(key, rsa.RSAPrivateKey) else "ecdsa")


def _subject_attrs(cert) -> tuple[str | None, str | None]:
    """(organizationName, organizationIdentifier) of an asn1crypto certificate."""
    return _subject_attr(cert, "2.5.4.10"), _subject_attr(cert, ORGANIZATION_IDENTIFIER)


def _sm2_credential(key, leaf, chain) -> Credential:
    """The Credential of an SM2 key, its certificate and the chain (asn1crypto certificates)."""
    from cryptography import x509 as cx509

    from .cades_sm2 import SM2Signer

    org, org_id = _subject_attrs(leaf)
    subject = cx509.load_der_x509_certificate(leaf.dump()).subject.rfc4514_string()
    return Credential(SM2Signer(key, leaf, tuple(chain)), subject, org, org_id, key_bits=256, algorithm="sm2")


def _load_pem_credential(path: Path, data: bytes, passphrase: bytes | None) -> Credential:
    """A PEM credential: one private-key block and one or more CERTIFICATE blocks (any order); the
    signer's certificate is the one whose public key is the key's."""
    from asn1crypto import keys as akeys, pem, x509 as ax509

    from . import sm2
    from .p12 import MAX_P12_BYTES

    def bad(en, zh):
        return CredentialError(f"{path}: {en}", f"{path}：{zh}")

    if len(data) > MAX_P12_BYTES:
        raise bad("too large for a PEM signing credential", "文件过大，不是 PEM 签名凭据")
    try:
        blocks = list(pem.unarmor(data, multiple=True))
        certs = [ax509.Certificate.load(der) for label, _h, der in blocks if label == "CERTIFICATE"]
        for c in certs:
            c.native  # a malformed certificate fails here, with the rest of the file
    except Exception as exc:  # noqa: BLE001 - not PEM, or a block that does not parse
        raise bad(f"not a PEM credential ({str(exc)[:120]})", f"不是 PEM 凭据（{str(exc)[:120]}）") from None
    key_blocks = [(label, der) for label, _h, der in blocks
                  if label in ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY")]
    if len(key_blocks) != 1 or not certs:
        raise bad("a PEM credential holds exactly one private key and the signer's certificate",
                  "PEM 凭据应恰好包含一个私钥和签名人证书")
    label, key_der = key_blocks[0]
    key_pem = pem.armor(label, key_der)
    if any(sm2.is_sm2_spki(c.public_key) for c in certs):
        from .pem_credential import read_pem_credential

        _data, key, leaf_der, chain = read_pem_credential(path, passphrase, CredentialError,
                                                          ("signing credential", "签名凭据"))
        return _sm2_credential(key, ax509.Certificate.load(leaf_der), [ax509.Certificate.load(c) for c in chain])
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import serialization
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from .pyhanko_import import simple_signer

    try:
        ckey = serialization.load_pem_private_key(key_pem, passphrase)
    except TypeError:
        raise bad("the private key is encrypted: a passphrase is needed", "私钥已加密，需要口令") from None
    except Exception as exc:  # noqa: BLE001 - wrong passphrase, unsupported key
        raise bad(f"cannot read the private key ({str(exc)[:120]})", f"无法读取私钥（{str(exc)[:120]}）") from None
    spki = ckey.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    leaf = next((c for c in certs if c.public_key.dump() == spki), None)
    if leaf is None:
        raise bad("no certificate in the file is the private key's", "文件中没有与私钥相符的证书")
    signer = simple_signer()(
        signing_cert=leaf, signing_key=akeys.PrivateKeyInfo.load(ckey.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs([c for c in certs if c is not leaf]))
    org, org_id = _subject_attrs(leaf)
    subject = cx509.load_der_x509_certificate(leaf.dump()).subject.rfc4514_string()
    return Credential(signer, subject, org, org_id, key_bits=getattr(ckey, "key_size", None),
                      algorithm="rsa" if leaf.public_key.algorithm == "rsa" else "ecdsa")


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
    """CAdES detached signature (SHA-256, signing-certificate-v2; SM3 with an SM2 credential, in the
    GB/T 35275 form: cades_sm2.py) over the manifest bytes: B-B, or B-T
    when the credential names a time-stamping service. The signer's chain is always embedded, and
    the credential's CRLs are added to the SignedData so the layer can be validated years later."""
    from asn1crypto import cms, crl as acrl

    if credential.algorithm == "sm2":
        from .cades_sm2 import sign_manifest_sm2

        try:
            return sign_manifest_sm2(credential.signer, manifest, crls=credential.crls, tsa_url=credential.tsa_url)
        except Exception as exc:  # noqa: BLE001 - the TSA may be down or answer rubbish
            if not credential.tsa_url:
                raise
            raise CredentialError(f"time stamp from {credential.tsa_url} failed: {exc}",
                                  f"从 {credential.tsa_url} 获取时间戳失败：{exc}") from None
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

    from .cades_sm2 import SIGNATURE_VALIDATOR  # sm2_x509's hook + the CMS SignerInfo forms of SM2

    listed = [ax509.Certificate.load(c) for c in ca_certs]
    anchors = [c for c in listed if c.self_signed != "no"] or listed
    return ValidationContext(
        trust_roots=anchors,
        other_certs=[c for c in listed if c.self_signed == "no"] + list(extra_certs),
        crls=[acrl.CertificateList.load(c) for c in crls] + list(extra_crls),
        allow_fetching=False, revocation_mode="require", moment=moment, retroactive_revinfo=retroactive,
        # SM2 certificates and CRLs are checked through pyhanko-certvalidator's signature hook, so SM2
        # paths get the same RFC 5280 processing as RSA/ECDSA ones; other algorithms pass through.
        signature_validator=SIGNATURE_VALIDATOR)


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
    if algo in WEAK_DIGESTS or algo not in ("sha256", "sha384", "sha512", "sm3"):
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

    from .sm2_x509 import signed_by

    try:
        leaf = cx509.load_der_x509_certificate(cert.dump())
        issuers = [d for d in ca_certs if cx509.load_der_x509_certificate(d).subject == leaf.issuer]
    except Exception:  # noqa: BLE001
        return None
    dates = []
    for der in crls:
        try:
            crl = cx509.load_der_x509_crl(der)
            if crl.issuer != leaf.issuer or not any(signed_by(der, i) for i in issuers):
                continue
            entry = crl.get_revoked_certificate_by_serial_number(leaf.serial_number)
        except Exception:  # noqa: BLE001 - an unreadable CRL tells nothing here
            continue
        if entry is not None:
            dates.append(entry.revocation_date_utc)
    return min(dates) if dates else None


def _run_validation(manifest, sd, trusted, embedded, embedded_crls, moment, *, retroactive):
    from .pyhanko_import import verification_modules

    generic_cms, _, settings = verification_modules()  # without pyHanko's signers (start-up)
    async_validate_detached_cms, KeyUsageConstraints = generic_cms.async_validate_detached_cms, settings.KeyUsageConstraints

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
    """Why the signer's key is too weak for our profile (RSA < 2048, EC other than P-256/384/521 and the
    SM2 curve)."""
    info = cert.public_key
    if info.algorithm == "rsa" and info.bit_size < 2048:
        return f"RSA key of {info.bit_size} bits (at least 2048 required)"
    if info.algorithm == "ec" and info.curve[1] not in ("secp256r1", "secp384r1", "secp521r1", "sm2p256v1"):
        return f"elliptic curve {info.curve[1]}"
    return None


