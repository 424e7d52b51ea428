"""The trust list (信任列表): which agencies may sign a layer, in which role, under which CAs.

A trust list is an XML file in the namespace ``urn:edossier:trustlist:0.1`` (schema:
``schemas/trustlist-0.2.xsd``), an ETSI trusted list in small::

    <TrustList xmlns="urn:edossier:trustlist:0.1" version="0.2" issued="2026-11-26T00:00:00Z">
      <Name>深圳市政法跨部门办案演示信任列表</Name>
      <Agency role="police" creditCode="11440300MB2C123452"
              validFrom="2026-01-01T00:00:00Z" validTo="2036-01-01T00:00:00Z">
        <Name>深圳市公安局南山分局</Name>
        <CACertificate>…base64 DER…</CACertificate>   <!-- the agency's issuing CA -->
        <CACertificate>…base64 DER…</CACertificate>   <!-- its self-signed root: the trust anchor -->
        <CRL>…base64 DER…</CRL>                       <!-- 0..n CRLs issued by those CAs -->
      </Agency>
    </TrustList>

The CA certificates of an agency count *for that agency only*: the self-signed ones are its trust
anchors, the others are the issuing CAs that must have issued the signer's certificate (docs/spec.md
§9.3). Listing the issuing CA rather than trusting the root alone is what binds a signer to one agency.

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
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from edossier.fsutil import atomic_write_bytes
from edossier.idcodes import is_valid_credit_code
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
    "parse_trustlist",
    "write_trustlist",
    "trustlist_to_bytes",
]

NS = "urn:edossier:trustlist:0.1"
VERSION = "0.2"
SCHEMA_FILE = "trustlist-0.2.xsd"
ROLES = ("police", "procuratorate", "court", "justice")
ROLE_NAMES_ZH = {"police": "公安机关", "procuratorate": "人民检察院", "court": "人民法院", "justice": "司法行政机关"}
MAX_TRUSTLIST_BYTES = 32 * 1024 * 1024

_T = f"{{{NS}}}"


class TrustListError(ValueError):
    """A trust list cannot be read, is malformed, or cannot be written.

    ``.en`` and ``.zh`` hold the message in English and Chinese; ``str()`` gives the English one.
    """

    def __init__(self, message_en: str, message_zh: str):
        super().__init__(message_en)
        self.en = message_en
        self.zh = message_zh

    def __str__(self) -> str:
        return self.en


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
    """A loaded trust list. ``issued`` is timezone-aware; ``name`` may be None."""

    agencies: tuple[TrustedAgency, ...]
    name: str | None = None
    issued: dt.datetime | None = None
    tsas: tuple[TrustedTSA, ...] = ()

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


def load_trustlist(path: Path) -> TrustList:
    """Read, validate and return the trust list at ``path``; raise TrustListError on any problem."""
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
    return parse_trustlist(data, source=str(path))


def parse_trustlist(data: bytes, *, source: str | None = None) -> TrustList:
    """Validate and return the trust list in ``data`` (see :func:`load_trustlist`).

    ``source`` (e.g. the file name) is used in messages; by default they say "trust list" / "信任列表".
    """
    src = (source, source) if source else ("trust list", "信任列表")
    if len(data) > MAX_TRUSTLIST_BYTES:
        limit = MAX_TRUSTLIST_BYTES // (1024 * 1024)
        raise TrustListError(f"{src[0]} is larger than {limit} MiB", f"{src[1]} 超过 {limit} MiB 的上限")
    try:
        root = parse_xml(data, max_bytes=MAX_TRUSTLIST_BYTES)
    except XmlError as exc:
        raise TrustListError(
            f"{src[0]} is not acceptable XML: {exc}",
            f"{src[1]} 不是可接受的 XML：{exc}",
        ) from None
    if root.tag != f"{_T}TrustList":
        raise TrustListError(
            f"{src[0]}: the root element must be TrustList in namespace {NS}, found {root.tag}",
            f"{src[1]}：根元素必须是命名空间 {NS} 中的 TrustList，实际为 {root.tag}",
        )
    try:
        schema = _schema()
    except (OSError, etree.LxmlError, XmlError) as exc:  # pragma: no cover - broken installation
        raise TrustListError(
            f"the trust-list schema {SCHEMA_FILE} cannot be loaded: {exc}",
            f"无法加载信任列表模式 {SCHEMA_FILE}：{exc}",
        ) from None
    if not schema.validate(root):
        detail = _schema_error(schema)
        raise TrustListError(
            f"{src[0]} does not conform to {SCHEMA_FILE}: {detail}",
            f"{src[1]} 不符合模式 {SCHEMA_FILE}：{detail}",
        )

    issued = _datetime(root.get("issued"), "issued", src)
    name_el = root.find(f"{_T}Name")
    agencies = tuple(_agency(el, src) for el in root.iterfind(f"{_T}Agency"))
    tsas = tuple(_tsa(el, src) for el in root.iterfind(f"{_T}TimeStampAuthority"))
    tl = TrustList(agencies=agencies, name=_text(name_el), issued=issued, tsas=tsas)
    _check_tsas(tl, src)
    return tl


def _schema_error(schema: etree.XMLSchema) -> str:
    """The first real error of a failed validation (libxml2 also logs warnings such as
    "No precomputed value available", which say nothing useful)."""
    errors = schema.error_log.filter_from_errors()
    err = errors[0] if errors else schema.error_log.last_error
    if err is None:
        return "unknown error"
    return f"line {err.line}: {err.message}"


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


def trustlist_to_bytes(tl: TrustList) -> bytes:
    """Serialise ``tl`` as pretty UTF-8 XML, checked against the schema before it is returned."""
    root = etree.Element(f"{_T}TrustList", nsmap={None: NS})
    root.set("version", VERSION)
    issued = tl.issued or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    root.set("issued", _fmt_time(issued, "issued"))
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
        detail = _schema_error(schema)
        raise TrustListError(
            f"the trust list to be written does not conform to {SCHEMA_FILE}: {detail}",
            f"待写入的信任列表不符合模式 {SCHEMA_FILE}：{detail}",
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_trustlist(tl: TrustList, path: Path) -> None:
    """Write ``tl`` to ``path`` as pretty UTF-8 XML, atomically (temp file, fsync, rename)."""
    data = trustlist_to_bytes(tl)
    try:
        atomic_write_bytes(Path(path), data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TrustListError(
            f"cannot write trust list {path}: {reason}",
            f"无法写入信任列表 {path}：{reason}",
        ) from None


