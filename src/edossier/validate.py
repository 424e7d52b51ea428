"""The validation pipeline, top to bottom (docs/spec.md §10).

container → schema → integrity → signatures → documents. Every stage runs and every finding is
kept (a later stage skips only what an earlier one made impossible to look at). The verdict is
"accept" exactly when there is no error-level finding.

``checks="integrity"`` stops after the signatures: container, records, digests and signatures are
checked, the PDF/A checks of each document and the case rules are not. It answers "are these the
bytes the agencies signed?" at the speed of hashing them (docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .container.asic import (MANIFEST_RE, SIGNATURE_RE, Manifest, ManifestError, manifest_name, parse_manifest,
                             record_name, signature_name)
from .container.zipio import Limits, LimitError, OpenedPackage, open_package
from .findings import STAGES, Finding, finding, has_errors
from .record.model import Record, RecordError, parse_record
from .signing.cades import SignatureResult, verify_layer
from .signing.trustlist import TrustList

MAX_SIGNATURE_BYTES = 1024 * 1024
MAX_PDF_BYTES = 512 * 1024 * 1024
CHECKS = ("full", "integrity")


@dataclass
class LayerReport:
    layer: int
    record: Record | None = None
    signature: SignatureResult | None = None

    def to_dict(self) -> dict:
        r = self.record
        return {
            "layer": self.layer,
            "agency": r.agency.name if r else None,
            "credit_code": r.agency.credit_code if r else None,
            "role": r.agency.role if r else None,
            "stage": r.stage if r else None,
            "created": r.created.isoformat() if r else None,
            "documents": len(r.documents) if r else 0,
            "signature": self.signature.to_dict() if self.signature else None,
        }


@dataclass
class PackageReport:
    path: str
    findings: list[Finding] = field(default_factory=list)
    layers: list[LayerReport] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "reject" if has_errors(self.findings) else "accept"

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (STAGES.index(f.stage), f.code, f.location))

    def to_dict(self) -> dict:
        counts = {s: sum(1 for f in self.findings if f.severity == s) for s in ("error", "warning", "info")}
        return {
            "path": self.path,
            "verdict": self.verdict,
            "counts": counts,
            "layers": [layer.to_dict() for layer in self.layers],
            "findings": [f.to_dict() for f in self.sorted_findings()],
        }


def warm_up() -> None:
    """Import what validate_package imports lazily, so that worker processes forked afterwards share
    it instead of each paying ~0.7 s of imports (pyHanko, asn1crypto.tsp, pikepdf, fontTools)."""
    import asn1crypto.tsp  # noqa: F401
    import fontTools.ttLib  # noqa: F401
    import pikepdf  # noqa: F401
    import pyhanko.sign.validation.generic_cms  # noqa: F401
    import pyhanko_certvalidator  # noqa: F401

    from .caserules import check  # noqa: F401
    from .pdfa import inspect  # noqa: F401


def validate_package(path: Path, *, trust: TrustList, at: dt.datetime | None = None,
                     limits: Limits | None = None, profile: str | None = None,
                     checks: str = "full") -> PackageReport:
    """Validate one package; `checks` is "full" (every stage) or "integrity" (no document or case checks)."""
    if checks not in CHECKS:
        raise ValueError(f"checks must be one of {CHECKS}, not {checks!r}")
    path = Path(path)
    report = PackageReport(str(path))
    opened = open_package(path, limits)
    if isinstance(opened, list):
        report.findings += opened
        return report
    with opened as pkg:
        report.findings += pkg.findings
        _validate_opened(pkg, report, trust, at, profile=profile, full=checks == "full")
    return report


def _validate_opened(pkg: OpenedPackage, report: PackageReport, trust: TrustList, at, *,
                     profile: str | None = None, full: bool = True) -> None:
    add = report.findings.append
    layers = _layer_numbers(pkg, add)
    if not layers:
        return

    # schema: manifests and records
    manifests: dict[int, Manifest] = {}
    manifest_bytes: dict[int, bytes] = {}
    for n in layers:
        name = manifest_name(n)
        try:
            manifest_bytes[n] = pkg.read(name, pkg.limits.max_xml_bytes)
            manifest = parse_manifest(manifest_bytes[n])
        except ManifestError as exc:
            add(finding(exc.code, name, detail=exc.detail))
            continue
        except Exception as exc:  # noqa: BLE001 - a corrupt member is a finding, not a crash
            add(_unreadable(name, exc))
            continue
        if manifest.sig_ref != signature_name(n):
            add(finding("S002", name, detail=f"SigReference is {manifest.sig_ref}, expected {signature_name(n)}"))
        if manifest.rootfiles != [record_name(n)]:
            add(finding("S003", name, layer=f"{n:03d}", detail=record_name(n)))
        manifests[n] = manifest

    records: dict[int, Record] = {}
    for n in layers:
        name = record_name(n)
        if name not in pkg.infos:
            continue  # reported as missing (I002) through the manifest
        try:
            records[n] = parse_record(pkg.read(name, pkg.limits.max_xml_bytes))
        except RecordError as exc:
            add(finding(exc.code, name, detail=exc.detail))
        except Exception as exc:  # noqa: BLE001
            add(_unreadable(name, exc))
    _check_records(layers, records, manifests, add)

    # integrity and documents: read every data member exactly once. A PDF is hashed and checked
    # from the same bytes and then dropped, so memory holds a few documents at a time, whatever the
    # size of the dossier.
    from .pdfa.inspect import check_document

    digests: dict[str, bytes] = {}
    documents = {d.file: (d, n) for n, r in records.items() for d in r.documents} if full else {}
    agencies = {n: trust.find(r.agency.credit_code, r.agency.role) for n, r in records.items()}
    names = [n for n in pkg.order if n != "mimetype" and not n.startswith("META-INF/")]
    reader = _MemberReader(pkg, names, documents)  # hashing starts now, on other threads
    try:
        signatures = _verify_signatures(pkg, layers, records, manifest_bytes, trust, at, add)  # meanwhile
    except BaseException:
        reader.close()
        raise
    for name, data, digest in reader:
        if isinstance(digest, Exception):
            add(_unreadable(name, digest))
            continue
        digests[name] = digest
        try:
            if data is not None:
                doc, n = documents[name]
                report.findings += check_document(name, data, expected_pages=doc.pages, agency=agencies[n], at=at)
            elif name in documents:
                add(finding("D005", name, detail=f"larger than {MAX_PDF_BYTES} bytes, the limit for PDF checks"))
        except Exception as exc:  # noqa: BLE001
            add(_unreadable(name, exc))
        del data
    _check_integrity(layers, manifests, digests, pkg, add)

    # signatures (verified above, while the members were being hashed)
    for n in layers:
        lr = LayerReport(n, records.get(n), signatures.get(n))
        report.layers.append(lr)
        if lr.signature is not None:
            report.findings += lr.signature.findings

    if not full:
        return
    # case: code lists, identity numbers, stage profiles, custody transfer, deadlines (docs/caserules.md)
    from .caserules.check import check_case

    report.findings += check_case([records[n] for n in layers if n in records], profile=profile, at=at,
                                  now=dt.datetime.now(dt.timezone.utc))


READ_AHEAD = 2  # documents read and hashed ahead of the one being checked
READ_AHEAD_MAX_BYTES = 32 * 1024 * 1024  # larger documents are read only when their turn comes (memory)


class _MemberReader:
    """Reads and hashes the data members in two threads, starting at once; iterate to get, in order,
    (name, bytes of a document to check or None, SHA-256 digest or the exception).

    os.pread, zlib.crc32 and hashlib release the GIL, so the hashing runs on the second core while this
    thread verifies signatures and checks documents (pure Python, holding the GIL). Members that are
    only hashed are streamed and all queued at once; at most READ_AHEAD documents are held in memory
    ahead of the consumer.
    """

    def __init__(self, pkg: OpenedPackage, names: list[str], documents: dict):
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        self.pkg, self.names, self.documents = pkg, names, documents
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="edossier-hash")
        self.pending: deque = deque()
        self.next = 0
        self.held = 0  # documents read (or being read) into memory and not yet handed out
        self._fill()

    def _document(self, name: str) -> bool:
        return name in self.documents and self.pkg.infos[name].file_size <= MAX_PDF_BYTES

    def _held(self, name: str) -> bool:
        return self._document(name) and self.pkg.infos[name].file_size <= READ_AHEAD_MAX_BYTES

    def _read_hashed(self, name: str):
        data = self.pkg.read(name, MAX_PDF_BYTES)
        return data, hashlib.sha256(data).digest()

    def _work(self, name: str):
        if self._held(name):
            return self._read_hashed(name)
        if self._document(name):
            return None, None  # too big to hold ahead: read when its turn comes
        return None, self.pkg.sha256(name)

    def _fill(self) -> None:
        while self.next < len(self.names):
            name = self.names[self.next]
            held = self._held(name)
            if held and self.held >= READ_AHEAD:
                return
            self.held += held
            self.pending.append((name, held, self.pool.submit(self._work, name)))
            self.next += 1

    def __iter__(self):
        try:
            while self.pending:
                name, held, fut = self.pending.popleft()
                try:
                    data, digest = fut.result()
                    if digest is None:
                        data, digest = self._read_hashed(name)
                except Exception as exc:  # noqa: BLE001 - a corrupt member is a finding, not a crash
                    data, digest = None, exc
                del fut
                self.held -= held
                self._fill()
                yield name, data, digest
                del data
        finally:
            self.close()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _verify_signatures(pkg: OpenedPackage, layers, records: dict[int, Record], manifest_bytes: dict[int, bytes],
                       trust: TrustList, at, add) -> dict[int, SignatureResult]:
    out = {}
    for n in layers:
        rec = records.get(n)
        if rec is None or n not in manifest_bytes or signature_name(n) not in pkg.infos:
            continue
        try:
            p7s = pkg.read(signature_name(n), MAX_SIGNATURE_BYTES)
        except Exception as exc:  # noqa: BLE001
            add(_unreadable(signature_name(n), exc))
            continue
        out[n] = verify_layer(n, p7s, manifest_bytes[n], agency_name=rec.agency.name,
                              credit_code=rec.agency.credit_code, role=rec.agency.role, trust=trust, at=at)
    return out


def _unreadable(name: str, exc: Exception) -> Finding:
    if isinstance(exc, LimitError):
        return finding("C010", name, detail=str(exc))
    return finding("C011", name, detail=str(exc) or type(exc).__name__)


def _layer_numbers(pkg: OpenedPackage, add) -> list[int]:
    manifests = {int(m.group(1)) for n in pkg.order if (m := MANIFEST_RE.match(n))}
    signatures = {int(m.group(1)) for n in pkg.order if (m := SIGNATURE_RE.match(n))}
    for n in sorted(manifests - signatures):
        add(finding("C008", manifest_name(n), layer=f"{n:03d}", detail=f"{signature_name(n)} is missing"))
    for n in sorted(signatures - manifests):
        add(finding("C008", signature_name(n), layer=f"{n:03d}", detail=f"{manifest_name(n)} is missing"))
    numbers = sorted(manifests)
    if not numbers:
        add(finding("C013", "META-INF/"))
        return []
    if numbers != list(range(1, len(numbers) + 1)):
        add(finding("C009", "META-INF/", detail=", ".join(f"{n:03d}" for n in numbers)))
    return numbers


def _check_records(layers, records: dict[int, Record], manifests: dict[int, Manifest], add) -> None:
    first = records.get(layers[0])
    volumes: set[str] = set()
    doc_ids: set[str] = set()
    for n in layers:
        rec = records.get(n)
        if rec is None:
            continue
        loc = record_name(n)
        if rec.layer != n:
            add(finding("S006", loc, detail=f"the record says layer {rec.layer}, but it is layer {n}"))
        if first is not None and n != layers[0] and rec.case.number != first.case.number:
            add(finding("S007", loc, layer=f"{n:03d}", detail=f"{rec.case.number} ≠ {first.case.number}"))
        volumes |= {v.id for v in rec.volumes}
        listed = manifests[n].by_uri() if n in manifests else {}
        for d in rec.documents:
            if d.id in doc_ids:
                add(finding("S006", loc, detail=f"document id {d.id} is used in an earlier layer"))
            doc_ids.add(d.id)
            if d.volume not in volumes:
                add(finding("S006", loc, detail=f"document {d.id} refers to unknown volume {d.volume}"))
            if not d.file.startswith(f"documents/{n:03d}/"):
                add(finding("S006", loc, detail=f"document {d.id}: {d.file} is not a member of layer {n:03d}"))
            elif listed and d.file not in listed:
                add(finding("S006", loc, detail=f"document {d.id}: {d.file} is not listed in {manifest_name(n)}"))


def _check_integrity(layers, manifests: dict[int, Manifest], digests: dict[str, bytes], pkg: OpenedPackage,
                     add) -> None:
    changed: set[str] = set()
    missing: set[str] = set()
    previous: Manifest | None = None
    for n in layers:
        manifest = manifests.get(n)
        if manifest is None:
            previous = None
            continue
        mname = manifest_name(n)
        for o in manifest.objects:
            if o.uri not in pkg.infos:
                if o.uri not in missing:
                    add(finding("I002", o.uri, manifest=mname))
                    missing.add(o.uri)
            elif o.uri in digests and digests[o.uri] != o.digest and o.uri not in changed:
                add(finding("I001", o.uri, manifest=mname))
                changed.add(o.uri)
        if previous is not None:
            now = manifest.by_uri()
            for o in previous.objects:
                if o.uri not in now:
                    add(finding("I004", mname, layer=f"{n:03d}", detail=f"{o.uri} is no longer listed"))
                elif now[o.uri].digest != o.digest:
                    add(finding("I004", mname, layer=f"{n:03d}", detail=f"{o.uri} has a different digest"))
        previous = manifest
    latest = manifests.get(layers[-1])
    if latest is not None:
        listed = latest.by_uri()
        for name in digests:
            if name not in listed:
                add(finding("I003", name, manifest=manifest_name(layers[-1])))
