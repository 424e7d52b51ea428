"""Writing a trust list: the XML of a :class:`TrustList`, signed or not, to bytes or atomically to a file."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

from lxml import etree

from edossier.fsutil import atomic_write_bytes
from edossier.idcodes import is_valid_credit_code
from edossier.signing.trustlist import _check_tsas, _schema, _schema_error
from edossier.signing.trustlist_model import _T, DEFAULT_LIFETIME, NS, SCHEMA_FILE, TrustList, TrustListError, VERSION
from edossier.signing.trustlist_xmlsig import sign_trustlist_bytes


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
