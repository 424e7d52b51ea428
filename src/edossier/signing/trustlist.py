"""The trust list (信任列表): which agencies may sign a layer, in which role, under which CAs.

A trust list is an XML file in the namespace ``urn:edossier:trustlist:0.1`` (schema:
``schemas/trustlist-0.2.xsd``), an ETSI trusted list in small::

    <TrustList xmlns="urn:edossier:trustlist:0.1" version="0.2" sequence="3"
               issued="2026-11-26T00:00:00Z" nextUpdate="2027-11-26T00:00:00Z">
      <Name>深圳市政法跨部门办案演示信任列表</Name>
      <Agency role="police" creditCode="11440300MB2C123452"
              validFrom="2026-01-01T00:00:00Z" validTo="2036-01-01T00:00:00Z">
        <Name>深圳市公安局南山分局</Name>
        <CACertificate>…base64 DER…</CACertificate>   <!-- the agency's issuing CA -->
        <CACertificate>…base64 DER…</CACertificate>   <!-- its self-signed root: the trust anchor -->
        <CRL>…base64 DER…</CRL>                       <!-- 0..n CRLs issued by those CAs -->
      </Agency>
      <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">…</ds:Signature>  <!-- the operator's -->
    </TrustList>

The CA certificates of an agency count *for that agency only*: the self-signed ones are its trust
anchors, the others are the issuing CAs that must have issued the signer's certificate (docs/spec.md
§9.3). Listing the issuing CA rather than trusting the root alone is what binds a signer to one agency.

A trust list is only as good as its integrity (docs/spec.md §9.1): it carries an enveloped XML
signature (XMLDSig, Reference URI="", enveloped-signature + exclusive c14n, RSA/ECDSA with SHA-256,
made and checked with the maintained ``signxml`` library) by a *trust-list operator*, whose certificate,
or the CA certificate that issued it, the user names as the trust anchor (``--trust-anchor``). Only the
XML that ``signxml`` returns as signed is read; the original tree is never read again after the check,
so a signature-wrapping attack has nothing to wrap. An unsigned or expired list is refused unless the
caller opts out (``allow_unsigned`` / ``allow_expired``); the opt-out is kept in ``TrustList.waivers``
and becomes a warning on every report (:meth:`TrustList.findings`, codes T001/T002).

The file is untrusted input: :func:`load_trustlist` reads a bounded number of bytes, parses with the
safe parser, validates against the XSD, and checks every certificate, CRL and credit code. Any problem
raises :class:`TrustListError` with an English and a Chinese message; no lxml or cryptography exception
escapes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from edossier.errors import UserError
from edossier.fsutil import atomic_write_bytes
from edossier.idcodes import is_valid_credit_code
from edossier.roles import ROLE_NAMES_ZH, ROLES
from edossier.xmlsafe import XmlError, load_schema, parse_xml

__all__ = [
    "NS",
    "ROLES",
    "MAX_TRUSTLIST_BYTES",
    "TrustListError",
    "TrustedAgency",
    "TrustedTSA",
    "TrustList",
    "load_trustlist",
    "load_anchor",
    "sign_trustlist_bytes",
    "parse_trustlist",
    "write_trustlist",
    "trustlist_to_bytes",
    "Operator",
    "load_operator_credential",
    "load_for_edit",
    "is_signed_bytes",
    "check_entry",
    "add_agency",
    "add_tsa",
    "remove_agency",
    "update_crls",
    "next_edition",
]

NS = "urn:edossier:trustlist:0.1"
VERSION = "0.2"
SCHEMA_FILE = "trustlist-0.2.xsd"
MAX_TRUSTLIST_BYTES = 32 * 1024 * 1024

_T = f"{{{NS}}}"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
_DS = f"{{{DS_NS}}}"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
#: Waivers a caller may grant (see load_trustlist); each becomes a finding on every report.
WAIVER_CODES = {"unsigned": "T001", "expired": "T002"}
#: When no next-update date is given to the writer: a demo list is good for a year.
DEFAULT_LIFETIME = dt.timedelta(days=365)


# A trust anchor as callers give it: the certificate, its PEM or DER bytes, or the path of a PEM/DER file.
Anchor = Union[x509.Certificate, bytes, str, Path]


class TrustListError(UserError):
    """A trust list cannot be read, is malformed, or cannot be written (English and Chinese message)."""


@dataclass(frozen=True)
class TrustedAgency:
    """One agency entry: its name, unified social credit code, role, CA certificates and CRLs (DER)."""

    name: str
    credit_code: str
    role: str
    ca_certs: tuple[bytes, ...]
    crls: tuple[bytes, ...] = ()
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None

    def is_in_force(self, at: dt.datetime) -> bool:
        """True if ``at`` (timezone-aware) lies in ``[valid_from, valid_to)``; open ends are unbounded."""
        if at.tzinfo is None:
            raise ValueError("is_in_force needs a timezone-aware datetime")
        if self.valid_from is not None and at < self.valid_from:
            return False
        if self.valid_to is not None and at >= self.valid_to:
            return False
        return True


TIME_STAMPING = "1.3.6.1.5.5.7.3.8"  # id-kp-timeStamping (RFC 3161 §2.3)


@dataclass(frozen=True)
class TrustedTSA:
    """A time-stamping authority, *named* (docs/spec.md §9.4): either by its own certificates
    (``tsa_certs``, DER, compared by SHA-256) or, when it pins none, by a CA dedicated to
    time-stamping among ``ca_certs`` (listed for no agency, EKU exactly timeStamping). ``ca_certs``
    are the CA certificates the TSA certificate's path validates to; ``crls`` their CRLs."""

    name: str
    ca_certs: tuple[bytes, ...]
    crls: tuple[bytes, ...] = ()
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    tsa_certs: tuple[bytes, ...] = ()

    is_in_force = TrustedAgency.is_in_force


@dataclass(frozen=True)
class TrustList:
    """A loaded trust list. ``issued`` is timezone-aware; ``name`` may be None.

    ``sequence``, ``next_update``: the list's sequence number and next-update date (§9.1).
    ``digest``: SHA-256 (hex) of the file's bytes; ``signed``: its signature was verified against the
    trust anchor; ``signer``: the operator certificate's subject (RFC 4514), None when not verified.
    ``waivers``: opt-outs the caller granted ("unsigned", "expired"); see :meth:`findings`.
    Reading code fills these; a TrustList made in memory for writing leaves them at their defaults.
    """

    agencies: tuple[TrustedAgency, ...]
    name: str | None = None
    issued: dt.datetime | None = None
    tsas: tuple[TrustedTSA, ...] = ()
    sequence: int = 1
    next_update: dt.datetime | None = None
    # Where the list came from, not what it says: two lists with the same content compare equal.
    digest: str | None = field(default=None, compare=False)
    signer: str | None = field(default=None, compare=False)
    signed: bool = field(default=False, compare=False)
    waivers: tuple[str, ...] = field(default=(), compare=False)

    def facts(self) -> dict:
        """What every report states about the trust list it used (JSON ``trust_list`` object)."""
        return {
            "digest": self.digest,
            "sequence": self.sequence,
            "issued": _iso(self.issued),
            "next_update": _iso(self.next_update),
            "signed": self.signed,
            "signer": self.signer,
            "waivers": list(self.waivers),
        }

    def findings(self) -> list:
        """One warning per opt-out granted when this list was loaded (T001 unsigned, T002 expired),
        so that every report shows that the list's integrity or currency was not established."""
        from edossier.findings import finding

        out = []
        for waiver in self.waivers:
            if waiver == "unsigned":
                out.append(finding("T001", "trustlist.xml", digest=self.digest or ""))
            elif waiver == "expired":
                out.append(finding("T002", "trustlist.xml", next_update=_iso(self.next_update) or ""))
        return out

    def find(self, credit_code: str, role: str, *, at: dt.datetime | None = None) -> TrustedAgency | None:
        """The entry for this credit code *and* role, or None.

        With ``at``, an entry that is not in force at that time counts as absent.
        """
        for agency in self.agencies:
            if agency.credit_code == credit_code and agency.role == role:
                if at is not None and not agency.is_in_force(at):
                    return None
                return agency
        return None

    def is_in_force(self, agency: TrustedAgency, at: dt.datetime) -> bool:
        """True if ``agency``'s validity period covers ``at`` (timezone-aware)."""
        return agency.is_in_force(at)

    def tsa_for(self, cert, at: dt.datetime) -> TrustedTSA | None:
        """The TSA entry in force at ``at`` that names ``cert`` (DER bytes or a cryptography
        certificate) as a time-stamping authority, or None.

        Named means: pinned by the entry (SHA-256 of the DER), or, for an entry without pins, issued
        by one of its dedicated time-stamping CAs. Either way the certificate MUST carry the
        extendedKeyUsage timeStamping, marked critical (RFC 3161 §2.3), and a certificate issued by an
        agency's issuing CA is never a TSA: an agency CA must not be able to mint proofs of time.
        Path validation and revocation are the caller's job (with the entry's CAs and CRLs).
        """
        import hashlib

        try:
            if isinstance(cert, (bytes, bytearray)):
                der = bytes(cert)
                obj = x509.load_der_x509_certificate(der)
            else:
                obj = cert
                der = cert.public_bytes(Encoding.DER)
            eku = obj.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
            if not eku.critical or [o.dotted_string for o in eku.value] != [TIME_STAMPING]:
                return None
            issuer = obj.issuer
        except Exception:  # noqa: BLE001 - an unreadable or EKU-less certificate names no TSA
            return None
        if issuer in _agency_issuing_subjects(self):
            return None
        digest = hashlib.sha256(der).digest()
        for tsa in self.tsas:
            if not tsa.is_in_force(at):
                continue
            if tsa.tsa_certs:
                if any(hashlib.sha256(p).digest() == digest for p in tsa.tsa_certs):
                    return tsa
            elif issuer in {c.subject for c in _dedicated_tsa_cas(tsa, self.agencies)}:
                return tsa
        return None


# --- schema ------------------------------------------------------------------------------------------


def _schema_bytes() -> bytes:
    try:
        from importlib.resources import files

        return files("edossier.schemas").joinpath(SCHEMA_FILE).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError, TypeError):
        # Running from the source tree: schemas/ is a top-level folder next to src/.
        return (Path(__file__).resolve().parents[3] / "schemas" / SCHEMA_FILE).read_bytes()


@functools.lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return load_schema(_schema_bytes())


# --- reading -------------------------------------------------------------------------------------------


def load_trustlist(path: Path | str, *, anchor: Anchor | None = None, allow_unsigned: bool = False,
                   allow_expired: bool = False, now: dt.datetime | None = None) -> TrustList:
    """Read, verify and return the trust list at ``path``; raise TrustListError on any problem.

    ``anchor`` (an ``x509.Certificate``, PEM/DER bytes, or a path to a PEM/DER file) is the trust-list
    operator's certificate or the CA certificate that issued it. The list must carry a valid enveloped
    signature by that certificate (or one the anchor issued directly), and its ``nextUpdate`` must lie
    after ``now`` (default: the real current time; deliberately not ``--at``, which only moves the
    validation of signatures). ``allow_unsigned`` accepts a list without a signature, or with one that
    no anchor was given for; a signature that is present and checked against a given anchor must be
    valid, opt-out or not. ``allow_expired`` accepts a list past its nextUpdate. Each opt-out used is
    recorded in ``waivers``.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_TRUSTLIST_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TrustListError(
            f"cannot read trust list {path}: {reason}",
            f"无法读取信任列表 {path}：{reason}",
        ) from None
    return parse_trustlist(data, source=str(path), anchor=anchor, allow_unsigned=allow_unsigned,
                           allow_expired=allow_expired, now=now)


def load_anchor(anchor: Anchor) -> x509.Certificate:
    """The trust anchor as a certificate: ``anchor`` is one already, PEM or DER bytes, or a file path."""
    if isinstance(anchor, x509.Certificate):
        return anchor
    if isinstance(anchor, (str, Path)):
        try:
            with open(anchor, "rb") as f:
                data = f.read(1024 * 1024)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise TrustListError(f"cannot read trust anchor {anchor}: {reason}",
                                 f"无法读取信任锚证书 {anchor}：{reason}") from None
        where = (f"trust anchor {anchor}", f"信任锚证书 {anchor}")
    else:
        data = bytes(anchor)
        where = ("the trust anchor", "信任锚证书")
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except Exception:  # noqa: BLE001 - any parse failure of a user-supplied file is the user's error
        raise TrustListError(f"{where[0]} is not a readable X.509 certificate (PEM or DER)",
                             f"{where[1]} 不是可读取的 X.509 证书（PEM 或 DER）") from None


def parse_trustlist(data: bytes, *, source: str | None = None, anchor: Anchor | None = None,
                    allow_unsigned: bool = False, allow_expired: bool = False,
                    now: dt.datetime | None = None) -> TrustList:
    """Verify, validate and return the trust list in ``data`` (see :func:`load_trustlist`).

    ``source`` (e.g. the file name) is used in messages; by default they say "trust list" / "信任列表".
    """
    src = (source, source) if source else ("trust list", "信任列表")
    if len(data) > MAX_TRUSTLIST_BYTES:
        limit = MAX_TRUSTLIST_BYTES // (1024 * 1024)
        raise TrustListError(f"{src[0]} is larger than {limit} MiB", f"{src[1]} 超过 {limit} MiB 的上限")
    digest = hashlib.sha256(data).hexdigest()
    root = _parse_root(data, src)
    _validate(root, src)
    signatures = list(root.iter(f"{_DS}Signature"))
    waivers: list[str] = []
    signer_subject = None
    if not signatures or anchor is None:
        if not allow_unsigned:
            if not signatures:
                raise TrustListError(
                    f"{src[0]} is not signed; a trust list must carry its operator's signature "
                    "(or pass --allow-unsigned-trust to use it anyway, recorded in every report)",
                    f"{src[1]} 未签名；信任列表必须带有其运营方的签名"
                    "（如仍要使用，请指定 --allow-unsigned-trust，每份报告都会记录）",
                )
            raise TrustListError(
                f"{src[0]}: no trust anchor was named to verify its signature; give --trust-anchor FILE "
                "or EDOSSIER_TRUST_ANCHOR (or --allow-unsigned-trust to use it unverified)",
                f"{src[1]}：未指定用于验证其签名的信任锚；请指定 --trust-anchor FILE 或 EDOSSIER_TRUST_ANCHOR"
                "（或用 --allow-unsigned-trust 在未验证的情况下使用）",
            )
        waivers.append("unsigned")
        if signatures:
            # Not verified, so not trusted either: read the list without its signature element.
            for sig in signatures:
                sig.getparent().remove(sig)
    else:
        root, signer_subject = _verify_signature(data, root, signatures, load_anchor(anchor), src)
        _validate(root, src)  # the signed content itself, as signxml returned it
    tl = _read(root, src)
    now = _check_now(now)
    if tl.next_update is not None and tl.next_update <= now:
        if not allow_expired:
            raise TrustListError(
                f"{src[0]} has expired: its nextUpdate {_iso(tl.next_update)} has passed; get the current "
                "list from its operator (or pass --allow-expired-trust, recorded in every report)",
                f"{src[1]} 已过期：下次更新时间 {_iso(tl.next_update)} 已过；请向运营方获取最新列表"
                "（或指定 --allow-expired-trust，每份报告都会记录）",
            )
        waivers.append("expired")
    return _replace(tl, digest=digest, signed=signer_subject is not None, signer=signer_subject,
                    waivers=tuple(waivers))


def _check_now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def _replace(tl: TrustList, **changes) -> TrustList:
    from dataclasses import replace

    return replace(tl, **changes)


def _parse_root(data: bytes, src: tuple[str, str]):
    try:
        root = parse_xml(data, max_bytes=MAX_TRUSTLIST_BYTES)
    except XmlError as exc:
        raise TrustListError(
            f"{src[0]} is not acceptable XML: {exc.en}",
            f"{src[1]} 不是可接受的 XML：{exc.zh}",
        ) from None
    if root.tag != f"{_T}TrustList":
        raise TrustListError(
            f"{src[0]}: the root element must be TrustList in namespace {NS}, found {root.tag}",
            f"{src[1]}：根元素必须是命名空间 {NS} 中的 TrustList，实际为 {root.tag}",
        )
    return root


def _validate(root, src: tuple[str, str]) -> None:
    try:
        schema = _schema()
    except (OSError, etree.LxmlError, XmlError) as exc:  # pragma: no cover - broken installation
        raise TrustListError(
            f"the trust-list schema {SCHEMA_FILE} cannot be loaded: {exc}",
            f"无法加载信任列表模式 {SCHEMA_FILE}：{exc}",
        ) from None
    if not schema.validate(root):
        detail, detail_zh = _schema_error(schema)
        raise TrustListError(
            f"{src[0]} does not conform to {SCHEMA_FILE}: {detail}",
            f"{src[1]} 不符合模式 {SCHEMA_FILE}：{detail_zh}",
        )


def _read(root, src: tuple[str, str]) -> TrustList:
    issued = _datetime(root.get("issued"), "issued", src)
    next_update = _datetime(root.get("nextUpdate"), "nextUpdate", src)
    if issued is not None and next_update is not None and next_update <= issued:
        raise TrustListError(f"{src[0]}: nextUpdate is not after issued", f"{src[1]}：nextUpdate 不晚于 issued")
    try:
        sequence = int(root.get("sequence", ""))
    except ValueError:  # the schema requires a positive integer; this is belt and braces
        sequence = 0
    if sequence < 1:
        raise TrustListError(f"{src[0]}: sequence must be a positive integer", f"{src[1]}：sequence 必须是正整数")
    name_el = root.find(f"{_T}Name")
    agencies = tuple(_agency(el, src) for el in root.iterfind(f"{_T}Agency"))
    tsas = tuple(_tsa(el, src) for el in root.iterfind(f"{_T}TimeStampAuthority"))
    tl = TrustList(agencies=agencies, name=_text(name_el), issued=issued, tsas=tsas, sequence=sequence,
                   next_update=next_update)
    _check_tsas(tl, src)
    return tl


def _bad_signature(src: tuple[str, str], en: str, zh: str) -> TrustListError:
    return TrustListError(f"{src[0]}: the signature is not acceptable: {en}",
                          f"{src[1]}：签名不可接受：{zh}")


def _verify_signature(data: bytes, root, signatures: list, anchor: x509.Certificate,
                      src: tuple[str, str]):
    """Check the enveloped signature; return (the signed TrustList element as signxml returned it,
    the operator certificate's subject). Everything after this reads only the returned element."""
    from signxml import InvalidInput, InvalidSignature, SignatureConfiguration, XMLVerifier
    from signxml.algorithms import DigestAlgorithm, SignatureMethod
    from signxml.exceptions import SignXMLException

    if len(signatures) != 1 or signatures[0].getparent() is not root:
        raise _bad_signature(src, "there must be exactly one ds:Signature, a child of the root TrustList",
                             "必须恰好有一个 ds:Signature，且为根元素 TrustList 的子元素")
    sig = signatures[0]
    # Which key to check against is decided here, from the anchor; the content is read only from what
    # signxml returns. The first X509Certificate is the operator's (XMLDSig puts the signer first).
    cert_el = sig.find(f"{_DS}KeyInfo/{_DS}X509Data/{_DS}X509Certificate")
    if cert_el is None:
        raise _bad_signature(src, "KeyInfo carries no X509Certificate", "KeyInfo 中没有 X509Certificate")
    try:
        operator = x509.load_der_x509_certificate(base64.b64decode("".join((cert_el.text or "").split())))
        operator.subject, operator.public_key()
    except Exception:  # noqa: BLE001
        raise _bad_signature(src, "the operator certificate cannot be read", "无法读取运营方证书") from None
    if not _anchored(operator, anchor):
        raise _bad_signature(
            src, f"the signer {operator.subject.rfc4514_string()} is neither the trust anchor "
                 f"{anchor.subject.rfc4514_string()} nor issued by it",
            f"签名者 {operator.subject.rfc4514_string()} 既不是信任锚 {anchor.subject.rfc4514_string()}，"
            "也不是由其签发")
    # Transforms and reference are checked before signxml runs: only the whole document, only
    # enveloped-signature + exclusive c14n (anything else could sign a part, or a transformed view).
    refs = sig.findall(f"{_DS}SignedInfo/{_DS}Reference")
    if len(refs) != 1 or refs[0].get("URI") != "":
        raise _bad_signature(src, 'there must be one Reference, with URI="" (the whole document)',
                             '必须恰好有一个 Reference，且 URI=""（整个文档）')
    transforms = [t.get("Algorithm") for t in refs[0].findall(f"{_DS}Transforms/{_DS}Transform")]
    c14n = sig.find(f"{_DS}SignedInfo/{_DS}CanonicalizationMethod")
    if transforms != [ENVELOPED, EXC_C14N] or c14n is None or c14n.get("Algorithm") != EXC_C14N:
        raise _bad_signature(src, "only the enveloped-signature and exclusive c14n transforms are allowed",
                             "只允许 enveloped-signature 与排他规范化（exclusive c14n）变换")
    config = SignatureConfiguration(
        require_x509=True,
        location="./",
        expect_references=1,
        signature_methods=frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    try:
        result = XMLVerifier().verify(data, x509_cert=operator, expect_config=config)
    except (SignXMLException, InvalidInput, InvalidSignature) as exc:
        raise _bad_signature(src, str(exc)[:300], str(exc)[:300]) from None
    except Exception as exc:  # noqa: BLE001 - hostile input: no traceback, a refusal
        raise _bad_signature(src, f"{type(exc).__name__}: {str(exc)[:200]}",
                             f"{type(exc).__name__}：{str(exc)[:200]}") from None
    signed = result.signed_xml
    if signed is None or signed.tag != f"{_T}TrustList" or signed.getparent() is not None:
        raise _bad_signature(src, "the signed element is not the root TrustList", "被签名的元素不是根元素 TrustList")
    if signed.find(f".//{_DS}Signature") is not None:
        raise _bad_signature(src, "the signed content holds another signature", "被签名内容中还有其他签名")
    return signed, operator.subject.rfc4514_string()


def _anchored(operator: x509.Certificate, anchor: x509.Certificate) -> bool:
    """True if ``operator`` is the anchor itself, or an end-entity certificate the anchor (a CA)
    issued directly that is valid now."""
    if operator == anchor:
        return True
    try:
        bc = anchor.extensions.get_extension_for_class(x509.BasicConstraints).value
        if not bc.ca or operator.issuer != anchor.subject:
            return False
        operator.verify_directly_issued_by(anchor)
        try:  # an operator is an end entity: a sub-CA of the anchor does not sign lists
            if operator.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
                return False
        except x509.ExtensionNotFound:
            pass
    except Exception:  # noqa: BLE001 - not a CA, wrong signature, unsupported key: not anchored
        return False
    now = dt.datetime.now(dt.timezone.utc)
    return operator.not_valid_before_utc <= now < operator.not_valid_after_utc


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _schema_error(schema: etree.XMLSchema) -> tuple[str, str]:
    """The first real error of a failed validation (libxml2 also logs warnings such as
    "No precomputed value available", which say nothing useful)."""
    errors = schema.error_log.filter_from_errors()
    err = errors[0] if errors else schema.error_log.last_error
    if err is None:
        return "unknown error", "未知错误"
    from edossier.i18n.explain import xsd_error

    return xsd_error(err.line, err.message)


def _text(el) -> str | None:
    return None if el is None else (el.text or "").strip()


def _datetime(value: str | None, what: str, loc: tuple[str, str]) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise TrustListError(
            f"{loc[0]}: {what}={value!r} is not a date-time with a time zone that can be handled",
            f"{loc[1]}：{what}={value!r} 不是可处理的带时区日期时间",
        )
    return parsed.astimezone(dt.timezone.utc)


def _der(text: str | None, what: tuple[str, str], loc: tuple[str, str]) -> bytes:
    compact = "".join((text or "").split())
    try:
        der = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        der = b""
    if not der:
        raise TrustListError(
            f"{loc[0]}: {what[0]} is not valid base64",
            f"{loc[1]}：{what[1]} 不是有效的 base64 编码",
        )
    return der


def _certs_and_crls(el, loc: tuple[str, str]) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    cas: list[bytes] = []
    ca_objs: list[x509.Certificate] = []
    for i, cert_el in enumerate(el.iterfind(f"{_T}CACertificate"), 1):
        der = _der(cert_el.text, (f"CACertificate #{i}", f"第 {i} 个 CACertificate"), loc)
        ca_objs.append(_check_ca_cert(der, i, loc))
        cas.append(der)
    crls: list[bytes] = []
    for i, crl_el in enumerate(el.iterfind(f"{_T}CRL"), 1):
        der = _der(crl_el.text, (f"CRL #{i}", f"第 {i} 个 CRL"), loc)
        _check_crl(der, ca_objs, i, loc)
        crls.append(der)
    return tuple(cas), tuple(crls)


def _validity(el, loc: tuple[str, str]) -> tuple[dt.datetime | None, dt.datetime | None]:
    valid_from = _datetime(el.get("validFrom"), "validFrom", loc)
    valid_to = _datetime(el.get("validTo"), "validTo", loc)
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        raise TrustListError(f"{loc[0]}: validTo is not after validFrom", f"{loc[1]}：validTo 不晚于 validFrom")
    return valid_from, valid_to


def _tsa(el, src: tuple[str, str]) -> TrustedTSA:
    name = _text(el.find(f"{_T}Name")) or ""
    loc = (f"{src[0]}, time-stamping authority {name}", f"{src[1]}，时间戳服务 {name}")
    valid_from, valid_to = _validity(el, loc)
    pins: list[bytes] = []
    for i, cert_el in enumerate(el.iterfind(f"{_T}TSACertificate"), 1):
        der = _der(cert_el.text, (f"TSACertificate #{i}", f"第 {i} 个 TSACertificate"), loc)
        try:
            x509.load_der_x509_certificate(der).subject
        except Exception:  # noqa: BLE001
            raise TrustListError(f"{loc[0]}: TSACertificate #{i} is not a readable X.509 certificate",
                                 f"{loc[1]}：第 {i} 个 TSACertificate 不是可读取的 X.509 证书") from None
        pins.append(der)
    cas, crls = _certs_and_crls(el, loc)
    return TrustedTSA(name=name, ca_certs=cas, crls=crls, valid_from=valid_from, valid_to=valid_to,
                      tsa_certs=tuple(pins))




def _agency_issuing_subjects(tl: "TrustList") -> set:
    """Subjects of the agencies' issuing CAs (the non-self-signed CACertificates of agency entries)."""
    out = set()
    for agency in tl.agencies:
        for der in agency.ca_certs:
            cert = x509.load_der_x509_certificate(der)
            if cert.issuer != cert.subject:
                out.add(cert.subject)
    return out


def _dedicated_tsa_cas(tsa: TrustedTSA, agencies) -> list:
    """The CA certificates of a TSA entry that are dedicated to time-stamping: listed for no agency,
    and carrying an extendedKeyUsage of exactly timeStamping."""
    agency_ders = {der for a in agencies for der in a.ca_certs}
    out = []
    for der in tsa.ca_certs:
        if der in agency_ders:
            continue
        cert = x509.load_der_x509_certificate(der)
        try:
            eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            continue
        if [o.dotted_string for o in eku] == [TIME_STAMPING]:
            out.append(cert)
    return out


def _check_tsas(tl: "TrustList", src: tuple[str, str]) -> None:
    """Refuse TSA entries that would let an agency CA mint time stamps, or that name no TSA at all."""
    agency_issuing = _agency_issuing_subjects(tl)
    for tsa in tl.tsas:
        loc = (f"{src[0]}, time-stamping authority {tsa.name}", f"{src[1]}，时间戳服务 {tsa.name}")
        for der in tsa.ca_certs:
            cert = x509.load_der_x509_certificate(der)
            if cert.issuer != cert.subject and cert.subject in agency_issuing:
                raise TrustListError(
                    f"{loc[0]}: CACertificate {cert.subject.rfc4514_string()} is an agency's issuing CA; "
                    "an agency CA cannot name time-stamping authorities",
                    f"{loc[1]}：CACertificate {cert.subject.rfc4514_string()} 是机构的签发 CA，不能用于认定时间戳服务")
        for der in tsa.tsa_certs:
            if x509.load_der_x509_certificate(der).issuer in agency_issuing:
                raise TrustListError(
                    f"{loc[0]}: a TSACertificate is issued by an agency's issuing CA",
                    f"{loc[1]}：TSACertificate 由机构的签发 CA 签发")
        if not tsa.tsa_certs and not _dedicated_tsa_cas(tsa, tl.agencies):
            raise TrustListError(
                f"{loc[0]}: the entry names no TSA: it has no TSACertificate and no CA dedicated to "
                "time-stamping (listed for no agency, extendedKeyUsage exactly timeStamping)",
                f"{loc[1]}：该条目未指明时间戳服务：既没有 TSACertificate，也没有专用于时间戳的 CA"
                "（不属于任何机构，扩展密钥用途仅为 timeStamping）")


def _agency(el, src: tuple[str, str]) -> TrustedAgency:
    code = el.get("creditCode")
    role = el.get("role")
    name = _text(el.find(f"{_T}Name")) or ""
    loc = (f"{src[0]}, agency {code} ({role})", f"{src[1]}，机构 {code}（{ROLE_NAMES_ZH.get(role, role)}）")
    if not is_valid_credit_code(code):
        raise TrustListError(
            f"{loc[0]}: the unified social credit code {code} has a wrong check character",
            f"{loc[1]}：统一社会信用代码 {code} 校验码错误",
        )
    valid_from, valid_to = _validity(el, loc)
    cas, crls = _certs_and_crls(el, loc)
    return TrustedAgency(
        name=name,
        credit_code=code,
        role=role,
        ca_certs=cas,
        crls=crls,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _check_ca_cert(der: bytes, i: int, loc: tuple[str, str]) -> x509.Certificate:
    try:
        cert = x509.load_der_x509_certificate(der)
        # cryptography parses lazily: touch what a validator will need so that errors surface here.
        cert.subject, cert.issuer, cert.public_key(), cert.not_valid_after_utc
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        is_ca = bc.ca
    except x509.ExtensionNotFound:
        is_ca = False
    except Exception:  # noqa: BLE001 - any parse failure of untrusted DER is a trust-list defect
        raise TrustListError(
            f"{loc[0]}: CACertificate #{i} is not a readable X.509 certificate",
            f"{loc[1]}：第 {i} 个 CACertificate 不是可读取的 X.509 证书",
        ) from None
    if not is_ca:
        raise TrustListError(
            f"{loc[0]}: CACertificate #{i} is not a CA certificate (basicConstraints cA is not set)",
            f"{loc[1]}：第 {i} 个 CACertificate 不是 CA 证书（basicConstraints 未设置 cA）",
        )
    return cert


def _check_crl(der: bytes, cas: list[x509.Certificate], i: int, loc: tuple[str, str]) -> None:
    try:
        crl = x509.load_der_x509_crl(der)
        issuer = crl.issuer
        crl.last_update_utc, crl.next_update_utc, len(crl), crl.extensions
        signed_by_listed_ca = any(ca.subject == issuer and _crl_signature_ok(crl, ca) for ca in cas)
    except Exception:  # noqa: BLE001
        raise TrustListError(
            f"{loc[0]}: CRL #{i} is not a readable X.509 CRL",
            f"{loc[1]}：第 {i} 个 CRL 不是可读取的 X.509 证书吊销列表",
        ) from None
    if not signed_by_listed_ca:
        raise TrustListError(
            f"{loc[0]}: CRL #{i} is not issued and signed by one of this agency's CA certificates",
            f"{loc[1]}：第 {i} 个 CRL 不是由该机构所列 CA 证书签发",
        )


def _crl_signature_ok(crl: x509.CertificateRevocationList, ca: x509.Certificate) -> bool:
    try:
        return crl.is_signature_valid(ca.public_key())
    except Exception:  # noqa: BLE001 - unsupported key type etc.: not a match
        return False


# --- writing -------------------------------------------------------------------------------------------


def _fmt_time(value: dt.datetime, what: str) -> str:
    if value.tzinfo is None:
        raise TrustListError(f"{what} must be timezone-aware", f"{what} 必须带时区")
    s = value.astimezone(dt.timezone.utc).isoformat()
    return s.replace("+00:00", "Z")


def _write_entry(el, entry) -> None:
    if entry.valid_from is not None:
        el.set("validFrom", _fmt_time(entry.valid_from, "validFrom"))
    if entry.valid_to is not None:
        el.set("validTo", _fmt_time(entry.valid_to, "validTo"))
    etree.SubElement(el, f"{_T}Name").text = entry.name
    for der in getattr(entry, "tsa_certs", ()):  # TimeStampAuthority only: the pinned TSA certificates
        etree.SubElement(el, f"{_T}TSACertificate").text = base64.b64encode(der).decode("ascii")
    for der in entry.ca_certs:
        etree.SubElement(el, f"{_T}CACertificate").text = base64.b64encode(der).decode("ascii")
    for der in entry.crls:
        etree.SubElement(el, f"{_T}CRL").text = base64.b64encode(der).decode("ascii")


def trustlist_to_bytes(tl: TrustList, *, signer=None) -> bytes:
    """Serialise ``tl`` as UTF-8 XML, checked against the schema before it is returned.

    With ``signer`` (any object with ``.key``, a private key, and ``.cert``, an ``x509.Certificate``,
    e.g. a demo.pki IssuedCredential or a loaded PKCS#12) the list carries an enveloped signature by it.
    """
    root = etree.Element(f"{_T}TrustList", nsmap={None: NS})
    root.set("version", VERSION)
    issued = tl.issued or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    root.set("sequence", str(int(tl.sequence)))
    root.set("issued", _fmt_time(issued, "issued"))
    next_update = tl.next_update or issued + DEFAULT_LIFETIME
    root.set("nextUpdate", _fmt_time(next_update, "nextUpdate"))
    if next_update <= issued:
        raise TrustListError("nextUpdate must be after issued", "nextUpdate 必须晚于 issued")
    if tl.name:
        etree.SubElement(root, f"{_T}Name").text = tl.name
    for a in tl.agencies:
        if not is_valid_credit_code(a.credit_code):
            raise TrustListError(
                f"agency {a.name}: the credit code {a.credit_code} has a wrong check character",
                f"机构 {a.name}：统一社会信用代码 {a.credit_code} 校验码错误",
            )
        el = etree.SubElement(root, f"{_T}Agency")
        el.set("role", a.role)
        el.set("creditCode", a.credit_code)
        _write_entry(el, a)
    _check_tsas(tl, ("trust list to be written", "待写入的信任列表"))
    for tsa in tl.tsas:
        _write_entry(etree.SubElement(root, f"{_T}TimeStampAuthority"), tsa)
    schema = _schema()
    if not schema.validate(root):
        detail, detail_zh = _schema_error(schema)
        raise TrustListError(
            f"the trust list to be written does not conform to {SCHEMA_FILE}: {detail}",
            f"待写入的信任列表不符合模式 {SCHEMA_FILE}：{detail_zh}",
        )
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if signer is None:
        return data
    return sign_trustlist_bytes(data, signer)


def sign_trustlist_bytes(data: bytes, signer) -> bytes:
    """``data`` (a trust list, unsigned) with an enveloped XMLDSig signature by ``signer`` appended
    to the root: Reference URI="", enveloped-signature + exclusive c14n, SHA-256, RSA or ECDSA."""
    from signxml import XMLSigner
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

    key = signer.key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        method = SignatureMethod.ECDSA_SHA256
    elif isinstance(key, rsa.RSAPrivateKey):
        method = SignatureMethod.RSA_SHA256
    else:
        raise TrustListError("the trust-list operator's key must be RSA or ECDSA",
                             "信任列表运营方的密钥必须是 RSA 或 ECDSA")
    root = parse_xml(data, max_bytes=MAX_TRUSTLIST_BYTES)
    for old in list(root.iter(f"{_DS}Signature")):  # re-signing: the old signature goes
        old.getparent().remove(old)
    pem = signer.cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    signed = XMLSigner(
        signature_algorithm=method,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(root, key=key, cert=[pem])
    # No pretty-printing after signing: the signature covers the whitespace too.
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def write_trustlist(tl: TrustList, path: Path, *, signer=None) -> None:
    """Write ``tl`` to ``path`` as UTF-8 XML, signed by ``signer`` if given, atomically."""
    data = trustlist_to_bytes(tl, signer=signer)
    try:
        atomic_write_bytes(Path(path), data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TrustListError(
            f"cannot write trust list {path}: {reason}",
            f"无法写入信任列表 {path}：{reason}",
        ) from None


# --- editing (`edossier trust …`, docs/signatures.md "Managing the trust list") --------------------------
#
# An edited list is a new edition: sequence + 1, issued now. It is signed by the operator when one is
# given; otherwise it is written unsigned and the caller must say so (a list that was signed must never
# become unsigned without the user being told, since validators refuse it: docs/spec.md §9.1.4).


@dataclass(frozen=True)
class Operator:
    """A trust-list operator's credential: ``key`` (RSA or ECDSA private key) and ``cert``."""

    key: object
    cert: x509.Certificate


def load_operator_credential(path: Path, passphrase: bytes | None = None) -> Operator:
    """The operator's PKCS#12 credential at ``path``; TrustListError if it cannot sign lists."""
    from .p12 import read_p12

    _data, key, cert = read_p12(path, passphrase, TrustListError, ("operator credential", "运营方凭据"))
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise TrustListError("the trust-list operator's key must be RSA or ECDSA",
                             "信任列表运营方的密钥必须是 RSA 或 ECDSA")
    return Operator(key=key, cert=cert)


def is_signed_bytes(data: bytes) -> bool:
    """True if the trust list in ``data`` carries a ds:Signature (verified or not)."""
    root = _parse_root(data, ("trust list", "信任列表"))
    return next(root.iter(f"{_DS}Signature"), None) is not None


def load_for_edit(path: Path, *, anchor=None) -> tuple[TrustList, bool]:
    """Read the list at ``path`` for editing: (the list, whether it carried a signature).

    A signature is verified against ``anchor`` when one is given (an operator re-signing a list
    checks that the edition in front of them is the one they signed); without an anchor the list is
    read unverified, since what is written from it is unsigned until an operator signs it. An expired
    list is accepted: renewing it is one reason to edit it.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_TRUSTLIST_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TrustListError(f"cannot read trust list {path}: {reason}",
                             f"无法读取信任列表 {path}：{reason}") from None
    signed = is_signed_bytes(data) if len(data) <= MAX_TRUSTLIST_BYTES else False
    tl = parse_trustlist(data, source=str(path), anchor=anchor if signed else None,
                         allow_unsigned=True, allow_expired=True)
    return tl, signed


def check_entry(entry: TrustedAgency | TrustedTSA) -> None:
    """The checks a reader applies to one entry (credit code, CA certificates, CRLs, validity), so
    that a list is never written that a validator would refuse; TrustListError on the first problem."""
    if isinstance(entry, TrustedAgency):
        loc = (f"agency {entry.credit_code} ({entry.role})",
               f"机构 {entry.credit_code}（{ROLE_NAMES_ZH.get(entry.role, entry.role)}）")
        if entry.role not in ROLES:
            raise TrustListError(f"{loc[0]}: unknown role {entry.role!r}", f"{loc[1]}：未知角色 {entry.role!r}")
        if not is_valid_credit_code(entry.credit_code):
            raise TrustListError(
                f"{loc[0]}: the unified social credit code {entry.credit_code} is not valid "
                "(18 characters from 0-9A-HJ-NP-RTUWXY with a correct GB 32100 check character)",
                f"{loc[1]}：统一社会信用代码 {entry.credit_code} 无效（须为 18 位，校验码须符合 GB 32100）")
    else:
        loc = (f"time-stamping authority {entry.name}", f"时间戳服务 {entry.name}")
    if not (entry.name or "").strip():
        raise TrustListError(f"{loc[0]}: the name is empty", f"{loc[1]}：名称为空")
    if not entry.ca_certs:
        raise TrustListError(f"{loc[0]}: at least one CA certificate is needed", f"{loc[1]}：至少需要一张 CA 证书")
    cas = [_check_ca_cert(der, i, loc) for i, der in enumerate(entry.ca_certs, 1)]
    for i, der in enumerate(entry.crls, 1):
        _check_crl(der, cas, i, loc)
    if entry.valid_from is not None and entry.valid_to is not None and entry.valid_to <= entry.valid_from:
        raise TrustListError(f"{loc[0]}: validTo is not after validFrom", f"{loc[1]}：validTo 不晚于 validFrom")
    for i, der in enumerate(getattr(entry, "tsa_certs", ()), 1):
        try:
            cert = x509.load_der_x509_certificate(der)
            eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
            ok = eku.critical and [o.dotted_string for o in eku.value] == [TIME_STAMPING]
        except Exception:  # noqa: BLE001 - unreadable, or no EKU at all
            ok = False
        if not ok:
            raise TrustListError(
                f"{loc[0]}: TSA certificate #{i} is not a time-stamping certificate (extendedKeyUsage "
                "exactly timeStamping, critical; RFC 3161 §2.3)",
                f"{loc[1]}：第 {i} 张 TSA 证书不是时间戳证书（扩展密钥用途须仅为 timeStamping 且为关键扩展）")


def add_agency(tl: TrustList, agency: TrustedAgency) -> TrustList:
    """``tl`` with ``agency`` appended; refused if its entry is invalid, its CAs do not reach a root, or
    (credit code, role) is listed."""
    check_entry(agency)
    if any(a.credit_code == agency.credit_code and a.role == agency.role for a in tl.agencies):
        raise TrustListError(
            f"agency {agency.credit_code} ({agency.role}) is already in the trust list; "
            "remove it first to replace it",
            f"机构 {agency.credit_code}（{ROLE_NAMES_ZH.get(agency.role, agency.role)}）已在信任列表中；"
            "如需替换请先删除")
    _check_reaches_root(agency)
    new = _replace(tl, agencies=(*tl.agencies, agency))
    _check_tsas(new, ("trust list", "信任列表"))  # an agency CA must not be one that names a TSA
    return new


def _check_reaches_root(agency: TrustedAgency) -> None:
    """Validation builds a signer's path from the entry's certificates up to a self-signed root among
    them; an entry with the issuing CA alone lets no signature of the agency validate (G006), which the
    clerk would only find out when the first package is rejected (#16 walk-through). So every listed CA
    must have its issuer listed too."""
    certs = [x509.load_der_x509_certificate(der) for der in agency.ca_certs]
    subjects = {c.subject for c in certs}
    for cert in certs:
        if cert.issuer != cert.subject and cert.issuer not in subjects:
            raise TrustListError(
                f"agency {agency.credit_code} ({agency.role}): the issuer of {cert.subject.rfc4514_string()} "
                f"({cert.issuer.rfc4514_string()}) is not listed, so no signature of the agency could be "
                "validated; give the issuer's certificate too, up to the self-signed root (another --ca)",
                f"机构 {agency.credit_code}（{ROLE_NAMES_ZH.get(agency.role, agency.role)}）："
                f"{cert.subject.rfc4514_string()} 的签发者（{cert.issuer.rfc4514_string()}）未列出，"
                "该机构的签名将无法验证；请一并提供签发者证书直至自签名根证书（再加一个 --ca）")


def add_tsa(tl: TrustList, tsa: TrustedTSA) -> TrustList:
    """``tl`` with ``tsa`` appended; refused if invalid, or if its name or a pinned certificate is listed."""
    check_entry(tsa)
    for old in tl.tsas:
        if old.name == tsa.name or set(old.tsa_certs) & set(tsa.tsa_certs):
            raise TrustListError(
                f"time-stamping authority {tsa.name}: already in the trust list (as {old.name})",
                f"时间戳服务 {tsa.name}：已在信任列表中（名称 {old.name}）")
    new = _replace(tl, tsas=(*tl.tsas, tsa))
    _check_tsas(new, ("trust list", "信任列表"))
    return new


def remove_agency(tl: TrustList, credit_code: str, role: str) -> TrustList:
    """``tl`` without the entry (credit_code, role); TrustListError if there is none."""
    kept = tuple(a for a in tl.agencies if not (a.credit_code == credit_code and a.role == role))
    if len(kept) == len(tl.agencies):
        raise TrustListError(
            f"agency {credit_code} ({role}) is not in the trust list",
            f"机构 {credit_code}（{ROLE_NAMES_ZH.get(role, role)}）不在信任列表中")
    return _replace(tl, agencies=kept)


def update_crls(tl: TrustList, crls: list[bytes]) -> tuple[TrustList, int]:
    """Put each CRL into every entry (agency or TSA) with a CA certificate that issued and signed it,
    replacing that CA's older CRL. Returns (the new list, the number of entries changed).

    A CRL that no entry's CA signed, or one older than the CRL it would replace (a rollback would
    un-revoke certificates), is refused with TrustListError.
    """
    loaded = []
    for i, der in enumerate(crls, 1):
        try:
            crl = x509.load_der_x509_crl(der)
            crl.issuer, crl.last_update_utc
        except Exception:  # noqa: BLE001
            raise TrustListError(f"CRL #{i} is not a readable X.509 CRL (DER or PEM)",
                                 f"第 {i} 个 CRL 不是可读取的 X.509 证书吊销列表（DER 或 PEM）") from None
        loaded.append((i, der, crl))
    changed = 0

    def renew(entry):
        nonlocal changed
        cas = [x509.load_der_x509_certificate(d) for d in entry.ca_certs]
        out = list(entry.crls)
        for _i, der, crl in loaded:
            if not any(ca.subject == crl.issuer and _crl_signature_ok(crl, ca) for ca in cas):
                continue
            for j, old_der in enumerate(out):
                old = x509.load_der_x509_crl(old_der)
                if old.issuer == crl.issuer:
                    if crl.last_update_utc < old.last_update_utc:
                        raise TrustListError(
                            f"CRL #{_i} of {crl.issuer.rfc4514_string()} (thisUpdate {_iso(crl.last_update_utc)}) "
                            f"is older than the listed one ({_iso(old.last_update_utc)}); refused",
                            f"第 {_i} 个 CRL（{crl.issuer.rfc4514_string()}，发布时间 {_iso(crl.last_update_utc)}）"
                            f"早于列表中已有的 CRL（{_iso(old.last_update_utc)}），拒绝更新")
                    out[j] = der
                    break
            else:
                out.append(der)
        if tuple(out) != entry.crls:
            changed += 1
            return _replace(entry, crls=tuple(out))
        return entry

    agencies = tuple(renew(a) for a in tl.agencies)
    tsas = tuple(renew(t) for t in tl.tsas)
    used = set()
    for entry in (*tl.agencies, *tl.tsas):
        cas = [x509.load_der_x509_certificate(d) for d in entry.ca_certs]
        used |= {i for i, _d, crl in loaded if any(ca.subject == crl.issuer and _crl_signature_ok(crl, ca)
                                                     for ca in cas)}
    for i, _der, crl in loaded:
        if i not in used:
            raise TrustListError(
                f"CRL #{i} ({crl.issuer.rfc4514_string()}) is not issued by any CA in the trust list",
                f"第 {i} 个 CRL（{crl.issuer.rfc4514_string()}）不是由信任列表中任何 CA 签发")
    return _replace(tl, agencies=agencies, tsas=tsas), changed


def next_edition(tl: TrustList, *, now: dt.datetime | None = None,
                 next_update: dt.datetime | None = None) -> TrustList:
    """``tl`` as its next edition: sequence + 1, issued ``now`` (default: the real clock), nextUpdate
    ``next_update`` or else the old one if it is still ahead, otherwise now + DEFAULT_LIFETIME."""
    now = _check_now(now).replace(microsecond=0)
    if next_update is None:
        old = tl.next_update
        next_update = old if old is not None and old > now else now + DEFAULT_LIFETIME
    if next_update <= now:
        raise TrustListError(f"the next update {_iso(next_update)} is not in the future",
                             f"下次更新时间 {_iso(next_update)} 不在将来")
    return _replace(tl, sequence=tl.sequence + 1, issued=now, next_update=next_update,
                    digest=None, signer=None, signed=False, waivers=())
