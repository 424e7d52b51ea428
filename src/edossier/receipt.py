"""Receipts (回执): the receiving agency's signed statement of what it received and what it found.

A receipt is a one-layer ASiC-E container (mimetype, `receipt.xml`, `META-INF/ASiCManifest001.xml`,
`META-INF/signature001.p7s`), so it is made and checked with the same code as a package layer. The
receipt names the package by the SHA-256 of its latest ASiC manifest: that manifest lists the digest
of every data object, so the receipt pins the whole package.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from . import __version__
from .container.asic import (DataObject, ManifestError, build_manifest, manifest_name, parse_manifest,
                             signature_name)
from .container.zipio import PackageWriter, open_package
from .findings import Finding, finding, has_errors
from .fsutil import atomic_output
from .resources import xml_schema
from .signing.cades import Credential, SignatureResult, sign_manifest, verify_layer
from .signing.trustlist import TrustList
from .xmlsafe import XmlError, parse_xml
from .errors import UserError

NS = "urn:edossier:receipt:0.1"
RECEIPT_MEMBER = "receipt.xml"


class ReceiptError(UserError):
    """Receipt: English and Chinese message (errors.UserError)."""


@dataclass(frozen=True)
class Receipt:
    package_name: str
    layers: int
    case_number: str | None
    manifest: str
    manifest_sha256: bytes
    receiver_name: str
    receiver_code: str
    receiver_role: str
    verdict: str
    findings: tuple[tuple[str, str, str], ...]  # (code, severity, location)
    received: dt.datetime
    note: str | None = None


def latest_manifest_digest(package: Path) -> tuple[str, bytes, int]:
    """(member name, SHA-256, layer count) of a package's latest ASiC manifest."""
    opened = open_package(Path(package))
    if isinstance(opened, list):
        raise ReceiptError(f"{package}: {opened[0].message_en}", f"{package}：{opened[0].message_zh}")
    with opened as pkg:
        n = 0
        while manifest_name(n + 1) in pkg.infos:
            n += 1
        if n == 0:
            raise ReceiptError(f"{package}: no signed layer", f"{package}：没有已签名的层")
        data = pkg.read(manifest_name(n), pkg.limits.max_xml_bytes)
    return manifest_name(n), hashlib.sha256(data).digest(), n


def receipt_to_xml(r: Receipt) -> bytes:
    q = lambda tag: f"{{{NS}}}{tag}"  # noqa: E731
    root = etree.Element(q("Receipt"), nsmap={None: NS})
    root.set("version", "0.1")
    root.set("received", r.received.isoformat())
    root.set("generator", f"edossier {__version__}")
    pkg = etree.SubElement(root, q("Package"), name=r.package_name, layers=str(r.layers), manifest=r.manifest,
                           manifestSha256=base64.b64encode(r.manifest_sha256).decode())
    if r.case_number:
        pkg.set("caseNumber", r.case_number)
    etree.SubElement(root, q("Receiver"), name=r.receiver_name, creditCode=r.receiver_code, role=r.receiver_role)
    verdict = etree.SubElement(root, q("Verdict"), value=r.verdict)
    for code, severity, location in r.findings:
        etree.SubElement(verdict, q("Finding"), code=code, severity=severity, location=location)
    if r.note:
        etree.SubElement(root, q("Note")).text = r.note
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def parse_receipt(data: bytes) -> Receipt:
    try:
        root = parse_xml(data, max_bytes=1024 * 1024)
    except XmlError as exc:
        raise ReceiptError(f"receipt.xml is not acceptable XML: {exc}", f"receipt.xml 不是可接受的 XML：{exc}") from None
    schema = xml_schema("receipt-0.1.xsd")
    if not schema.validate(root):
        err = schema.error_log.last_error
        raise ReceiptError(f"receipt.xml does not follow the schema: line {err.line}: {err.message}",
                           f"receipt.xml 不符合模式：第 {err.line} 行：{err.message}")
    q = lambda tag: f"{{{NS}}}{tag}"  # noqa: E731
    pkg, rcv, verdict = root.find(q("Package")), root.find(q("Receiver")), root.find(q("Verdict"))
    note = root.find(q("Note"))
    try:
        received = dt.datetime.fromisoformat(root.get("received").replace("Z", "+00:00"))
    except ValueError:
        raise ReceiptError("receipt.xml: unreadable time", "receipt.xml：时间无法读取") from None
    return Receipt(
        package_name=pkg.get("name"), layers=int(pkg.get("layers")), case_number=pkg.get("caseNumber"),
        manifest=pkg.get("manifest"), manifest_sha256=base64.b64decode(pkg.get("manifestSha256")),
        receiver_name=rcv.get("name"), receiver_code=rcv.get("creditCode"), receiver_role=rcv.get("role"),
        verdict=verdict.get("value"),
        findings=tuple((f.get("code"), f.get("severity"), f.get("location") or "") for f in verdict),
        received=received if received.tzinfo else received.replace(tzinfo=dt.timezone.utc),
        note=note.text if note is not None else None,
    )


def make_receipt(package: Path, output: Path, credential: Credential, *, trust: TrustList, role: str | None = None,
                 note: str | None = None, at: dt.datetime | None = None) -> Receipt:
    """Validate `package`, then write a signed receipt naming it, the verdict and the time."""
    from .validate import validate_package

    receiver = _receiver(credential, trust, role)
    manifest, digest, layers = latest_manifest_digest(package)
    report = validate_package(Path(package), trust=trust, at=at)
    case = next((layer.record.case.number for layer in report.layers if layer.record), None)
    receipt = Receipt(
        package_name=Path(package).name, layers=layers, case_number=case, manifest=manifest,
        manifest_sha256=digest, receiver_name=receiver.name, receiver_code=receiver.credit_code,
        receiver_role=receiver.role, verdict=report.verdict,
        findings=tuple((f.code, f.severity, f.location) for f in report.sorted_findings()),
        received=(at or dt.datetime.now().astimezone()).replace(microsecond=0), note=note,
    )
    xml = receipt_to_xml(receipt)
    stamp = receipt.received.astimezone(dt.timezone.utc).timetuple()[:6]
    with atomic_output(Path(output)) as tmp, PackageWriter(tmp, date_time=stamp) as writer:
        obj = DataObject(RECEIPT_MEMBER, "application/xml", writer.add_bytes(RECEIPT_MEMBER, xml, compress=True),
                         rootfile=True)
        manifest_bytes = build_manifest(1, [obj])
        writer.add_bytes(manifest_name(1), manifest_bytes, compress=True)
        writer.add_bytes(signature_name(1), sign_manifest(credential, manifest_bytes), compress=False)
    return receipt


def _receiver(credential: Credential, trust: TrustList, role: str | None):
    entries = [a for a in trust.agencies if a.credit_code == credential.organization_id
               and (role is None or a.role == role)]
    if len(entries) != 1:
        raise ReceiptError(
            f"the credential's agency ({credential.organization_id}) is {'ambiguous' if entries else 'not'} "
            f"in the trust list{'; give --role' if entries else ''}",
            f"签名凭据所属机关（{credential.organization_id}）在信任列表中{'不唯一，请指定 --role' if entries else '不存在'}")
    return entries[0]


@dataclass
class ReceiptCheck:
    path: Path
    receipt: Receipt | None = None
    signature: SignatureResult | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "reject" if has_errors(self.findings) else "accept"


def validate_receipt(path: Path, *, trust: TrustList, package: Path | None = None,
                     at: dt.datetime | None = None) -> ReceiptCheck:
    check = ReceiptCheck(Path(path))
    add = check.findings.append
    opened = open_package(Path(path))
    if isinstance(opened, list):
        check.findings += opened
        return check
    with opened as pkg:
        check.findings += pkg.findings
        extra = [n for n in pkg.order if n not in ("mimetype", RECEIPT_MEMBER, manifest_name(1), signature_name(1))]
        for name in extra:
            add(finding("I003", name, manifest=manifest_name(1)))
        try:
            manifest_bytes = pkg.read(manifest_name(1), 1024 * 1024)
            manifest = parse_manifest(manifest_bytes)
            xml = pkg.read(RECEIPT_MEMBER, 1024 * 1024)
            p7s = pkg.read(signature_name(1), 1024 * 1024)
        except KeyError as exc:
            add(finding("C008", str(exc).strip("'\""), layer="001", detail="a receipt needs receipt.xml, "
                        "META-INF/ASiCManifest001.xml and META-INF/signature001.p7s"))
            return check
        except ManifestError as exc:
            add(finding(exc.code, manifest_name(1), detail=exc.detail))
            return check
        except Exception as exc:  # noqa: BLE001 - a corrupt member is a finding
            add(finding("C011", str(path), detail=str(exc) or type(exc).__name__))
            return check
    listed = manifest.by_uri()
    if manifest.rootfiles != [RECEIPT_MEMBER] or set(listed) != {RECEIPT_MEMBER}:
        add(finding("S003", manifest_name(1), layer="001", detail=RECEIPT_MEMBER))
    elif listed[RECEIPT_MEMBER].digest != hashlib.sha256(xml).digest():
        add(finding("I001", RECEIPT_MEMBER, manifest=manifest_name(1)))
    try:
        check.receipt = receipt = parse_receipt(xml)
    except ReceiptError as exc:
        add(finding("S008", RECEIPT_MEMBER, detail=exc.en, detail_zh=exc.zh))
        return check
    check.signature = verify_layer(1, p7s, manifest_bytes, agency_name=receipt.receiver_name,
                                   credit_code=receipt.receiver_code, role=receipt.receiver_role, trust=trust, at=at)
    check.findings += check.signature.findings
    if package is not None:
        try:
            name, digest, layers = latest_manifest_digest(package)
        except ReceiptError as exc:
            add(finding("I005", str(package), detail=exc.en, detail_zh=exc.zh))
        else:
            if digest != receipt.manifest_sha256 or name != receipt.manifest:
                add(finding("I005", str(package), detail=f"its {name} differs from the one the receipt names",
                            detail_zh=f"其 {name} 与回执所记载的不一致"))
    return check
