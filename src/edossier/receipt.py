"""Receipts (回执): the receiving agency's signed statement of what it received and what it found.

A receipt is a one-layer ASiC-E container (mimetype, `receipt.xml`, `META-INF/ASiCManifest001.xml`,
`META-INF/signature001.p7s`), so it is made and checked with the same code as a package layer.

Receipt format 0.2 (issue #13) binds the whole package file: it names the SHA-256 and size of the
file and the SHA-256 of every member under META-INF/ (each layer's manifest and signature), with the
verdict, every finding, the validation policy and the time. Format 0.1 named only the latest manifest,
which let a package with a changed document or an added junk layer pass as "the received package";
0.1 receipts are refused (R006). A receipt whose signature is TOTAL_PASSED is also a proof of
existence for every signature it names (`receipt_proof`, docs/signatures.md §5).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .version import __version__
from .container.asic import (DataObject, ManifestError, build_manifest, manifest_name, parse_manifest,
                             signature_name)
from .container.zipio import PackageWriter, open_package
from .errors import UserError
from .findings import Finding, finding, has_errors
from .fsutil import Input, atomic_output, guard_output
from .resources import xml_schema
from .signing.cades import Credential, sign_manifest
from .signing.cades_verify import SignatureResult, verify_layer
from .signing.trustlist_model import TrustList
from .xmlsafe import XmlError, parse_xml

VERSION = "0.2"
NS = "urn:edossier:receipt:0.2"
NS_01 = "urn:edossier:receipt:0.1"
RECEIPT_MEMBER = "receipt.xml"
MAX_RECEIPT_XML = 64 * 1024 * 1024  # a receipt lists every finding of a package: allow a large one
MAX_META_MEMBER = 16 * 1024 * 1024  # a manifest or signature larger than this is not one we wrote
_MANIFEST = re.compile(r"META-INF/ASiCManifest[0-9]{3}\.xml")
_SIGNATURE = re.compile(r"META-INF/signature[0-9]{3}\.p7s")


class ReceiptError(UserError):
    """Receipt: English and Chinese message (errors.UserError)."""


@dataclass(frozen=True)
class MemberDigest:
    name: str
    kind: str  # manifest | signature | other
    sha256: bytes


@dataclass(frozen=True)
class Fingerprint:
    """What a receipt pins of a package: the whole file, and every META-INF/ member by name."""
    size: int
    sha256: bytes
    layers: int
    members: tuple[MemberDigest, ...]

    def by_name(self) -> dict[str, MemberDigest]:
        return {m.name: m for m in self.members}


@dataclass(frozen=True)
class Receipt:
    package_name: str
    layers: int
    case_number: str | None
    package_size: int
    package_sha256: bytes
    members: tuple[MemberDigest, ...]
    receiver_name: str
    receiver_code: str
    receiver_role: str
    verdict: str
    findings: tuple[tuple[str, str, str], ...]  # (code, severity, location)
    received: dt.datetime
    validated: dt.datetime
    policy: str
    validation_time: dt.datetime | None = None
    note: str | None = None

    def by_name(self) -> dict[str, MemberDigest]:
        return {m.name: m for m in self.members}


def member_kind(name: str) -> str:
    return "manifest" if _MANIFEST.fullmatch(name) else "signature" if _SIGNATURE.fullmatch(name) else "other"


def file_sha256(path: Path) -> tuple[int, bytes]:
    """(size, SHA-256) of a file, read in chunks so that a large package does not fill memory."""
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            h.update(chunk)
            size += len(chunk)
    return size, h.digest()


def _rehash(path: Path) -> tuple[int, bytes] | None:
    """(size, SHA-256) of the file now, or None if it can no longer be read (it changed, too)."""
    try:
        return file_sha256(path)
    except OSError:
        return None


def fingerprint(package: Path, *, known: tuple[int, bytes] | None = None) -> Fingerprint:
    """The whole file's digest and each META-INF/ member's digest; ReceiptError if it is no package.

    `known` is (size, SHA-256) of the file when the caller hashed exactly these bytes already (the
    exchange node stores a package under the SHA-256 it computed while receiving it): the file is
    then not read a second time, only its META-INF/ members are."""
    package = Path(package)
    try:
        size, digest = known if known is not None else file_sha256(package)
    except OSError as exc:
        raise ReceiptError(f"{package}: cannot be read: {exc.strerror or exc}",
                           f"{package}：无法读取：{exc.strerror or exc}") from None
    opened = open_package(package)
    if isinstance(opened, list):
        raise ReceiptError(f"{package}: {opened[0].message_en}", f"{package}：{opened[0].message_zh}")
    members = []
    with opened as pkg:
        layers = 0
        while manifest_name(layers + 1) in pkg.infos:
            layers += 1
        if layers == 0:
            raise ReceiptError(f"{package}: no signed layer", f"{package}：没有已签名的层")
        for name in pkg.order:
            if not name.startswith("META-INF/"):
                continue
            try:
                data = pkg.read(name, MAX_META_MEMBER)
            except Exception as exc:  # noqa: BLE001 - a corrupt member means we cannot pin the package
                raise ReceiptError(f"{package}: {name} cannot be read: {exc}",
                                   f"{package}：{name} 无法读取：{exc}") from None
            members.append(MemberDigest(name, member_kind(name), hashlib.sha256(data).digest()))
    return Fingerprint(size, digest, layers, tuple(members))


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def receipt_to_xml(r: Receipt) -> bytes:
    q = lambda tag: f"{{{NS}}}{tag}"  # noqa: E731
    root = etree.Element(q("Receipt"), nsmap={None: NS})
    root.set("version", VERSION)
    root.set("received", r.received.isoformat())
    root.set("generator", f"edossier {__version__}")
    pkg = etree.SubElement(root, q("Package"), name=r.package_name, layers=str(r.layers),
                           size=str(r.package_size), sha256=_b64(r.package_sha256))
    if r.case_number:
        pkg.set("caseNumber", r.case_number)
    for m in r.members:
        etree.SubElement(pkg, q("Member"), name=m.name, kind=m.kind, sha256=_b64(m.sha256))
    etree.SubElement(root, q("Receiver"), name=r.receiver_name, creditCode=r.receiver_code, role=r.receiver_role)
    validation = etree.SubElement(root, q("Validation"), validated=r.validated.isoformat(), policy=r.policy)
    if r.validation_time is not None:
        validation.set("validationTime", r.validation_time.isoformat())
    verdict = etree.SubElement(root, q("Verdict"), value=r.verdict)
    for code, severity, location in r.findings:
        etree.SubElement(verdict, q("Finding"), code=code, severity=severity, location=location)
    if r.note:
        etree.SubElement(root, q("Note")).text = r.note
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _time(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ReceiptError(f"receipt.xml: unreadable time {text!r}", f"receipt.xml：时间 {text!r} 无法读取") from None
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def parse_receipt(data: bytes) -> Receipt:
    """Parse and schema-check receipt.xml; ReceiptError (R006 for 0.1, S008 otherwise) when unusable."""
    try:
        root = parse_xml(data, max_bytes=MAX_RECEIPT_XML)
    except XmlError as exc:
        raise ReceiptError(f"receipt.xml is not acceptable XML: {exc.en}", f"receipt.xml 不是可接受的 XML：{exc.zh}") from None
    if root.tag == f"{{{NS_01}}}Receipt":
        raise _Outdated()
    schema = xml_schema("receipt-0.2.xsd")
    if not schema.validate(root):
        from .i18n.explain import xsd_error

        err = schema.error_log.last_error
        en, zh = xsd_error(err.line, err.message)
        raise ReceiptError(f"receipt.xml does not follow the schema: {en}", f"receipt.xml 不符合模式：{zh}")
    q = lambda tag: f"{{{NS}}}{tag}"  # noqa: E731
    pkg, rcv, validation, verdict = (root.find(q(t)) for t in ("Package", "Receiver", "Validation", "Verdict"))
    note = root.find(q("Note"))
    members = tuple(MemberDigest(m.get("name"), m.get("kind"), base64.b64decode(m.get("sha256")))
                    for m in pkg.iter(q("Member")))
    names = [m.name for m in members]
    if len(set(names)) != len(names):
        raise ReceiptError("receipt.xml names a member twice", "receipt.xml 重复记载了同一成员")
    if any(m.kind != member_kind(m.name) for m in members):
        raise ReceiptError("receipt.xml gives a member the wrong kind", "receipt.xml 记载的成员类别与名称不符")
    return Receipt(
        package_name=pkg.get("name"), layers=int(pkg.get("layers")), case_number=pkg.get("caseNumber"),
        package_size=int(pkg.get("size")), package_sha256=base64.b64decode(pkg.get("sha256")), members=members,
        receiver_name=rcv.get("name"), receiver_code=rcv.get("creditCode"), receiver_role=rcv.get("role"),
        verdict=verdict.get("value"),
        findings=tuple((f.get("code"), f.get("severity"), f.get("location") or "") for f in verdict),
        received=_time(root.get("received")), validated=_time(validation.get("validated")),
        policy=validation.get("policy"), validation_time=_time(validation.get("validationTime")),
        note=note.text if note is not None else None,
    )


class _Outdated(ReceiptError):
    def __init__(self):
        super().__init__("receipt version 0.1 names only the latest manifest and does not bind the package file; "
                         "ask the receiving agency for a version 0.2 receipt",
                         "0.1 版回执只记载最新清单，不能锁定卷宗包文件；请接收机关重新签发 0.2 版回执")


def make_receipt(package: Path, output: Path, credential: Credential, *, trust: TrustList, role: str | None = None,
                 note: str | None = None, at: dt.datetime | None = None, policy=None) -> Receipt:
    """Validate `package` (under `policy`, default: the registry levels), then write a signed receipt
    naming the exact file, its manifests and signatures, the verdict and the time."""
    from .policy import Policy
    from .validation.pipeline import validate_package

    guard_output(output, [Input(Path(package), "the package", "卷宗包")], what=("the receipt", "输出的回执"))
    receiver = _receiver(credential, trust, role)
    policy = policy or Policy()
    before = fingerprint(package)
    report = validate_package(Path(package), trust=trust, at=at)
    report.findings = policy.apply(report.findings)
    # The receipt must state the verdict of the bytes it names: refuse if the file changed meanwhile.
    if _rehash(Path(package)) != (before.size, before.sha256):
        raise ReceiptError(f"{package} changed while it was being validated; no receipt written",
                           f"{package} 在校验过程中发生了变化；未写入回执")
    case = next((layer.record.case.number for layer in report.layers if layer.record), None)
    now = dt.datetime.now().astimezone().replace(microsecond=0)
    receipt = Receipt(
        package_name=Path(package).name, layers=before.layers, case_number=case, package_size=before.size,
        package_sha256=before.sha256, members=before.members, receiver_name=receiver.name,
        receiver_code=receiver.credit_code, receiver_role=receiver.role, verdict=report.verdict,
        findings=tuple((f.code, f.severity, f.location) for f in report.sorted_findings()),
        received=(at or now).replace(microsecond=0), validated=now, policy=policy.name,
        validation_time=at, note=note,
    )
    write_receipt(receipt, output, credential, before_writing=_own_signature_check(receiver, trust))
    return receipt


def _own_signature_check(receiver, trust: TrustList):
    """The receipt's signature judged as validate-receipt will judge it, before the file exists: a
    revoked or expired receiver credential, or one whose path does not reach the listed root, gets no
    receipt written (as the builder never writes a layer validate would reject)."""
    def check(p7s: bytes, manifest: bytes) -> None:
        from .signing.cades_verify import verify_layer

        res = verify_layer(1, p7s, manifest, agency_name=receiver.name, credit_code=receiver.credit_code,
                           role=receiver.role, trust=trust)
        if res.indication != "TOTAL_PASSED":
            codes = ", ".join(sorted({f.code for f in res.findings if f.severity == "error"})) or res.indication
            raise ReceiptError(f"the receipt's own signature would not verify ({codes}); no receipt written",
                               f"回执自身的签名无法通过校验（{codes}）；未写入回执")
    return check


def write_receipt(receipt: Receipt, output: Path, credential: Credential, *, before_writing=None) -> None:
    """Sign `receipt` with `credential` and write it as a one-layer ASiC-E container (atomically).
    No check that the credential belongs to the receiver it names: `make_receipt` does that, and a
    verifier must never rely on it (validate_receipt checks the signer against the trust list)."""
    write_receipt_xml(receipt_to_xml(receipt), output, credential, date_time=receipt.received,
                      before_writing=before_writing)


def write_receipt_xml(xml: bytes, output: Path, credential: Credential, *, date_time: dt.datetime,
                      before_writing=None) -> None:
    """Sign `xml` as receipt.xml of a one-layer ASiC-E container written atomically to `output`;
    `before_writing(p7s, manifest)` may refuse the signature (raise) before the file takes its place."""
    stamp = date_time.astimezone(dt.timezone.utc).timetuple()[:6]
    with atomic_output(Path(output)) as tmp, PackageWriter(tmp, date_time=stamp) as writer:
        obj = DataObject(RECEIPT_MEMBER, "application/xml", writer.add_bytes(RECEIPT_MEMBER, xml, compress=True),
                         rootfile=True)
        manifest_bytes = build_manifest(1, [obj])
        writer.add_bytes(manifest_name(1), manifest_bytes, compress=True)
        p7s = sign_manifest(credential, manifest_bytes)
        if before_writing is not None:
            before_writing(p7s, manifest_bytes)
        writer.add_bytes(signature_name(1), p7s, compress=False)


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
    """The result of `validate_receipt`. `findings` are about the receipt (its signature, whether it
    binds the package, whether today's validation agrees); `package_report` is today's validation of
    the package (its own findings stay there, they are not the receipt's)."""
    path: Path
    receipt: Receipt | None = None
    signature: SignatureResult | None = None
    findings: list[Finding] = field(default_factory=list)
    package: Path | None = None
    package_report: object | None = None  # validate.PackageReport of today's validation, with --package
    binds: bool | None = None  # with --package: every digest the receipt names matches, nothing extra

    @property
    def verdict(self) -> str:
        return "reject" if has_errors(self.findings) else "accept"

    @property
    def package_verdict(self) -> str | None:
        return self.package_report.verdict if self.package_report is not None else None


def _read_receipt(path: Path, check: ReceiptCheck) -> tuple[bytes, bytes, bytes] | None:
    """(receipt.xml, manifest, signature) of a receipt container, or None with findings added."""
    add = check.findings.append
    opened = open_package(Path(path))
    if isinstance(opened, list):
        check.findings += opened
        return None
    with opened as pkg:
        check.findings += pkg.findings
        extra = [n for n in pkg.order if n not in ("mimetype", RECEIPT_MEMBER, manifest_name(1), signature_name(1))]
        for name in extra:
            add(finding("I003", name, manifest=manifest_name(1)))
        try:
            manifest_bytes = pkg.read(manifest_name(1), 1024 * 1024)
            manifest = parse_manifest(manifest_bytes)
            xml = pkg.read(RECEIPT_MEMBER, MAX_RECEIPT_XML)
            p7s = pkg.read(signature_name(1), 1024 * 1024)
        except KeyError as exc:
            add(finding("C008", str(exc).strip("'\""), layer="001", detail="a receipt needs receipt.xml, "
                        "META-INF/ASiCManifest001.xml and META-INF/signature001.p7s",
                        detail_zh="回执须包含 receipt.xml、META-INF/ASiCManifest001.xml 和 META-INF/signature001.p7s"))
            return None
        except ManifestError as exc:
            add(finding(exc.code, manifest_name(1), detail=exc.detail, detail_zh=exc.detail_zh))
            return None
        except Exception as exc:  # noqa: BLE001 - a corrupt member is a finding
            add(finding("C011", str(path), detail=str(exc) or type(exc).__name__))
            return None
    listed = manifest.by_uri()
    if manifest.rootfiles != [RECEIPT_MEMBER] or set(listed) != {RECEIPT_MEMBER}:
        add(finding("S003", manifest_name(1), layer="001", detail=RECEIPT_MEMBER))
    elif listed[RECEIPT_MEMBER].digest != hashlib.sha256(xml).digest():
        add(finding("I001", RECEIPT_MEMBER, manifest=manifest_name(1), algorithm="SHA-256"))
    return xml, manifest_bytes, p7s


def validate_receipt(path: Path, *, trust: TrustList, package: Path | None = None,
                     at: dt.datetime | None = None, policy=None) -> ReceiptCheck:
    """Check a receipt's signature (as a layer's, `verify_layer`) and, with `package`, that it binds
    exactly that file (R001–R004) and that today's validation of it agrees with the receipt (R005).

    The receipt is valid (`verdict == "accept"`) only when its signature is TOTAL_PASSED for the
    receiver it names and, with `package`, it binds the package and today's verdict is the receipt's
    verdict. A valid receipt may record a rejection: `receipt.verdict` says which."""
    check = ReceiptCheck(Path(path), package=Path(package) if package is not None else None)
    add = check.findings.append
    parts = _read_receipt(path, check)
    if parts is None:
        return check
    xml, manifest_bytes, p7s = parts
    try:
        check.receipt = receipt = parse_receipt(xml)
    except _Outdated as exc:
        add(finding("R006", RECEIPT_MEMBER, detail=exc.en, detail_zh=exc.zh))
        return check
    except ReceiptError as exc:
        add(finding("S008", RECEIPT_MEMBER, detail=exc.en, detail_zh=exc.zh))
        return check
    check.signature = verify_layer(1, p7s, manifest_bytes, agency_name=receipt.receiver_name,
                                   credit_code=receipt.receiver_code, role=receipt.receiver_role, trust=trust, at=at)
    check.findings += check.signature.findings
    if check.signature.indication != "TOTAL_PASSED" and not has_errors(check.signature.findings):
        # never call a receipt valid on a signature that did not pass, whatever its findings say
        add(finding("R006", signature_name(1), detail=f"its signature is {check.signature.indication}",
                    detail_zh=f"其签名校验结论为 {check.signature.indication}"))
    if package is not None:
        _check_package(check, receipt, Path(package), trust=trust, at=at, policy=policy)
    return check


def _check_package(check: ReceiptCheck, receipt: Receipt, package: Path, *, trust, at, policy) -> None:
    from .policy import Policy
    from .validation.pipeline import validate_package

    add = check.findings.append
    try:
        now = fingerprint(package)
    except ReceiptError as exc:
        check.binds = False
        add(finding("I005", str(package), detail=exc.en, detail_zh=exc.zh))
        return
    _compare(check, receipt, now, str(package))

    report = validate_package(package, trust=trust, at=at)
    report.findings = (policy or Policy()).apply(report.findings)
    check.package_report = report
    if _rehash(package) != (now.size, now.sha256):
        add(finding("R009", str(package), detail="today's verdict is not about the bytes compared with the receipt",
                    detail_zh="今日结论所针对的并非与回执比对的字节"))
    if report.verdict != receipt.verdict:
        add(finding("R005", str(package), detail=f"the receipt says {receipt.verdict}, today's validation says "
                    f"{report.verdict}", detail_zh=f"回执结论为{_ZH[receipt.verdict]}，今日校验结论为{_ZH[report.verdict]}"))


def _compare(check: ReceiptCheck, receipt: Receipt, now: Fingerprint, where: str) -> None:
    """R001–R004: the receipt names exactly the file `now` (its size and SHA-256, and every META-INF/
    member with its digest, none missing, none extra); sets `check.binds`."""
    add = check.findings.append
    problems = len(check.findings)
    if (now.size, now.sha256) != (receipt.package_size, receipt.package_sha256):
        add(finding("R001", where, detail=f"(this file: {now.size} bytes; the receipt: {receipt.package_size})",
                    detail_zh=f"（此文件 {now.size} 字节；回执记载 {receipt.package_size} 字节）"))
    named, present = receipt.by_name(), now.by_name()
    for name, m in present.items():
        if name not in named:
            add(finding("R003", name))
        elif named[name].sha256 != m.sha256:
            add(finding("R002", name))
    for name in named:
        if name not in present:
            add(finding("R004", name))
    check.binds = len(check.findings) == problems


def check_receipt_binds(path: Path, *, trust: TrustList, sent: Fingerprint, where: str,
                        at: dt.datetime | None = None) -> ReceiptCheck:
    """The sender's check of the receipt it was just given for the bytes it just sent (`edossier
    submit`): the receipt's signature for the receiver it names (`verify_layer`, as
    `validate_receipt`) and that it names exactly `sent` (R001–R004) — the fingerprint of the bytes
    that went over the wire. The package is not validated again: the receiver did that, and says so
    under its signature; `validate_receipt(..., package=)` (a third party's check, or `submit
    --recheck`) also re-validates and compares the verdict (R005)."""
    check = validate_receipt(path, trust=trust, at=at)
    if check.receipt is not None:
        _compare(check, check.receipt, sent, where)
    return check


_ZH = {"accept": "接收", "reject": "拒收"}


@dataclass
class ReceiptProof:
    """What a receipt proves about a package's signatures (issue #13 item 5).

    `time` is the receipt's proven time when its signature is TOTAL_PASSED: the time of its own
    trusted signature time stamp if it has one, else its signed signing-time (the receiving agency,
    a trusted signer, vouches for it). `covers[n]` is True when the receipt names layer n's
    signature member with the SHA-256 it has in the package: that signature existed at `time`."""
    time: dt.datetime | None = None
    source: str | None = None  # "timestamp" | "signing-time"
    covers: dict[int, bool] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    check: ReceiptCheck | None = None

    def poe(self, layer: int) -> dt.datetime | None:
        """The proof of existence for layer `layer`'s signature (for `verify_layer(..., poe=)`), or None."""
        return self.time if self.time is not None and self.covers.get(layer) else None


def receipt_proof(receipt_path: Path, package_path: Path, *, trust: TrustList,
                  at: dt.datetime | None = None) -> ReceiptProof:
    """The proof of existence a receipt gives the signatures of `package_path` (never raises).

    The package need not be the file the receipt was issued for: a later layer changes the file, but
    the earlier signatures it carries unchanged are still the ones the receipt names."""
    proof = ReceiptProof()
    check = validate_receipt(receipt_path, trust=trust, at=at)
    proof.check = check
    sig = check.signature
    if check.receipt is None or sig is None or sig.indication != "TOTAL_PASSED" or has_errors(check.findings):
        why = sig.indication if sig is not None else "unreadable receipt"
        codes = ", ".join(sorted({f.code for f in check.findings if f.severity == "error"}))
        proof.findings.append(finding("R007", str(receipt_path), detail=f"{why}{'; ' + codes if codes else ''}"))
        proof.findings += check.findings
        return proof
    if sig.timestamp is not None:
        proof.time, proof.source = sig.timestamp, "timestamp"
    elif sig.signing_time is not None:
        proof.time, proof.source = sig.signing_time, "signing-time"
    else:
        proof.findings.append(finding("R007", str(receipt_path), detail="it carries neither a time stamp nor a "
                                      "signing-time", detail_zh="既没有时间戳，也没有 signing-time 属性"))
        return proof
    try:
        now = fingerprint(package_path)
    except ReceiptError as exc:
        proof.time = None
        proof.findings.append(finding("I005", str(package_path), detail=exc.en, detail_zh=exc.zh))
        return proof
    named, present = check.receipt.by_name(), now.by_name()
    for n in range(1, now.layers + 1):
        name = signature_name(n)
        proof.covers[n] = name in named and name in present and named[name].sha256 == present[name].sha256
    proof.findings.append(finding("R008", str(receipt_path), detail=f"{proof.time.isoformat()} ({proof.source}; "
                                  f"layers {', '.join(str(n) for n, c in proof.covers.items() if c) or 'none'})"))
    return proof


def receipts_poe(receipts, package_path: Path, *, trust: TrustList,
                 at: dt.datetime | None = None) -> tuple[dict[int, dt.datetime], list[Finding]]:
    """For `validate --receipt`: the earliest time each layer's signature is proven to have existed by
    any of `receipts` (layer -> time, for validate_package(poe=…)), and the receipts' own findings."""
    poe: dict[int, dt.datetime] = {}
    findings: list[Finding] = []
    for path in receipts:
        proof = receipt_proof(Path(path), Path(package_path), trust=trust, at=at)
        findings += proof.findings
        for n in proof.covers:
            t = proof.poe(n)
            if t is not None and (n not in poe or t < poe[n]):
                poe[n] = t
    return poe, findings
