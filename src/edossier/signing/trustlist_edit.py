"""Editing a trust list (``edossier trust ...``): the operator credential, loading for edit, checked
additions and removals, CRL updates and the next edition."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from edossier.idcodes import is_valid_credit_code
from edossier.roles import ROLE_NAMES_ZH, ROLES
from edossier.signing.trustlist import (read_trustlist_bytes, _check_ca_cert, _check_crl, _check_now, _check_tsas, _crl_signature_ok,
                                        _parse_root, _replace, parse_trustlist)
from edossier.signing.trustlist_model import (_DS, _iso, DEFAULT_LIFETIME, MAX_TRUSTLIST_BYTES, TIME_STAMPING,
                                              TrustedAgency, TrustedTSA, TrustList, TrustListError)


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
    data = read_trustlist_bytes(path)
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
