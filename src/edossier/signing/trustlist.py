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
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

from edossier.idcodes import is_valid_credit_code
from edossier.roles import ROLE_NAMES_ZH
from edossier.signing.trustlist_model import (_agency_issuing_subjects, _dedicated_tsa_cas, _DS, _iso, _T, Anchor,
                                              MAX_TRUSTLIST_BYTES, NS, SCHEMA_FILE, TrustedAgency, TrustedTSA,
                                              TrustList, TrustListError)
from edossier.signing.trustlist_xmlsig import _verify_signature
from edossier.xmlsafe import XmlError, load_schema, parse_xml


__all__ = [
    "load_trustlist",
    "load_anchor",
    "parse_trustlist",
]


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


def read_trustlist_bytes(path: Path) -> bytes:
    """The file's bytes, at most one byte more than MAX_TRUSTLIST_BYTES (the parser refuses a longer
    list); an unreadable file is a TrustListError in both languages."""
    try:
        with open(path, "rb") as f:
            return f.read(MAX_TRUSTLIST_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TrustListError(f"cannot read trust list {path}: {reason}",
                             f"无法读取信任列表 {path}：{reason}") from None


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
    data = read_trustlist_bytes(path)
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
    # Not published yet: an edition whose issue time lies ahead of the clock is the operator's statement
    # dated later than now (signed in advance, or a clock far off). No opt-out: nothing says what it will
    # be true of. Five minutes of skew, as for signing times (spec §9.1.2).
    if tl.issued is not None and tl.issued > now + dt.timedelta(minutes=5):
        raise TrustListError(
            f"{src[0]} is not issued yet: its issue time {_iso(tl.issued)} is after the current time "
            f"{_iso(now)}; an edition is used only from its issue time",
            f"{src[1]} 尚未签发：其签发时间 {_iso(tl.issued)} 晚于当前时间 {_iso(now)}；信任列表自签发时间起方可使用",
        )
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
        cert.subject, cert.issuer, cert.not_valid_after_utc
        _readable_public_key(cert)
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


def _readable_public_key(cert: x509.Certificate) -> None:
    """Raise unless the certificate's key is one edossier can use: what ``cryptography`` reads, or SM2
    (which it does not; signing/sm2.py reads it)."""
    from .sm2 import public_key_from_spki

    try:
        cert.public_key()
    except Exception:  # noqa: BLE001 - unsupported by cryptography: SM2 or unusable
        from asn1crypto import x509 as ax509

        public_key_from_spki(ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)).public_key)


def _crl_signature_ok(crl: x509.CertificateRevocationList, ca: x509.Certificate) -> bool:
    from .sm2_x509 import signed_by

    return signed_by(crl.public_bytes(serialization.Encoding.DER), ca.public_bytes(serialization.Encoding.DER))


# --- writing -------------------------------------------------------------------------------------------


# --- editing (`edossier trust …`, docs/signatures.md "Managing the trust list") --------------------------
#
# An edited list is a new edition: sequence + 1, issued now. It is signed by the operator when one is
# given; otherwise it is written unsigned and the caller must say so (a list that was signed must never
# become unsigned without the user being told, since validators refuse it: docs/spec.md §9.1.4).


