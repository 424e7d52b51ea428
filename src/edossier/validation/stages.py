"""The stages of the validation pipeline (docs/spec.md §10, listed in pipeline.py): each reports its
findings and returns the one fact it establishes; what they share is a :class:`_Run`."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field

from ..container.asic import (DIGEST_NAMES, MANIFEST_RE, SIGNATURE_RE, Manifest, ManifestError, manifest_name, parse_manifest,
                              record_name, signature_name)
from ..container.zipio import LimitError, OpenedPackage
from ..findings import Finding, finding
from ..record.model import Record, RecordError, parse_record
from ..signing.cades_verify import SignatureResult, verify_layer
from ..signing.trustlist_model import TrustList
from .members import MAX_PDF_BYTES, Checked, MemberReader
from .verdict import LayerReport, PackageReport


MAX_SIGNATURE_BYTES = 1024 * 1024


@dataclass
class _Run:
    """What the stages share: the open package, the options, and what earlier stages read."""
    pkg: OpenedPackage
    report: PackageReport
    trust: TrustList
    at: dt.datetime | None
    profile: str | None
    full: bool
    poe: dict[int, dt.datetime]
    unsigned: int | None = None  # preflight: the layer being built, not signed yet
    verify_signatures: bool = True
    layers: list[int] = field(default_factory=list)
    manifests: dict[int, Manifest] = field(default_factory=dict)
    manifest_bytes: dict[int, bytes] = field(default_factory=dict)
    records: dict[int, Record] = field(default_factory=dict)
    documents: dict[str, tuple] = field(default_factory=dict)  # member -> (record entry, layer)
    digests: dict[str, dict[str, bytes]] = field(default_factory=dict)  # member -> {algorithm: digest}
    unhashed: set[str] = field(default_factory=set)  # members that could not be read to the end
    checked: set[str] = field(default_factory=set)  # documents whose checks ran to the end
    signatures: dict[int, SignatureResult] = field(default_factory=dict)
    reader: "MemberReader | None" = None  # started before the signatures, consumed by integrity
    documents_to_check: dict[str, tuple] = field(default_factory=dict)
    trusted: dict[int, object] = field(default_factory=dict)  # layer -> trust-list entry (Run.entry)
    helpers: int = 0  # processes that check documents beside this one (validation/helper.py)

    def add(self, f: Finding) -> None:
        self.report.findings.append(f)

    def entry(self, n: int):
        """The trust-list entry for layer `n`'s agency and role, or None: looked up once per layer, for
        the signature and for the PDF signatures inside that layer's documents alike."""
        if n not in self.trusted:
            agency = self.records[n].agency
            self.trusted[n] = self.trust.find(agency.credit_code, agency.role)
        return self.trusted[n]


_UNCHECKED_CODE = {"container": "X001", "records": "X002", "coverage": "X002", "integrity": "X003",
                   "signatures": "X004", "documents": "X005", "case": "X006"}


def _run_stage(run: _Run, name: str, stage) -> None:
    """Run one stage; its fact is what it returns. A stage that raises has established nothing and says
    so with its could-not-check code; the stages after it still run on what is known."""
    started = time.monotonic()
    try:
        run.report.established[name] = bool(stage(run))
    except Exception as exc:  # noqa: BLE001 - a validator bug must reject, never crash or accept
        run.report.established[name] = False
        detail = f"{type(exc).__name__}: {str(exc)[:200]}"
        params = {"layer": "?", "group": name} if name in ("signatures", "case") else {}
        run.add(finding(_UNCHECKED_CODE[name], name, detail=detail, **params))
    finally:
        run.report.durations[name] = time.monotonic() - started


def _container(run: _Run) -> bool:
    pkg, add = run.pkg, run.add
    manifests = {int(m.group(1)) for n in pkg.order if (m := MANIFEST_RE.match(n))}
    signatures = {int(m.group(1)) for n in pkg.order if (m := SIGNATURE_RE.match(n))}
    if run.unsigned is not None and run.unsigned == max(manifests, default=0) and run.unsigned not in signatures:
        signatures.add(run.unsigned)  # preflight: the signature is made only if this validation passes
    ok = pkg.whole
    for n in sorted(manifests - signatures):
        add(finding("C008", manifest_name(n), layer=f"{n:03d}", detail=f"{signature_name(n)} is missing",
                    detail_zh=f"缺少 {signature_name(n)}"))
        ok = False
    for n in sorted(signatures - manifests):
        add(finding("C008", signature_name(n), layer=f"{n:03d}", detail=f"{manifest_name(n)} is missing",
                    detail_zh=f"缺少 {manifest_name(n)}"))
        ok = False
    run.layers = sorted(manifests)
    if not run.layers:
        add(finding("C013", "META-INF/"))
        return False
    if run.layers != list(range(1, len(run.layers) + 1)):
        add(finding("C009", "META-INF/", detail=", ".join(f"{n:03d}" for n in run.layers)))
        ok = False
    return ok


def _records(run: _Run) -> bool:
    pkg, add = run.pkg, run.add
    ok = bool(run.layers)
    for n in run.layers:
        name = manifest_name(n)
        try:
            run.manifest_bytes[n] = pkg.read(name, pkg.limits.max_xml_bytes)
            manifest = parse_manifest(run.manifest_bytes[n])
        except ManifestError as exc:
            add(finding(exc.code, name, detail=exc.detail, detail_zh=exc.detail_zh))
            ok = False
            continue
        except Exception as exc:  # noqa: BLE001 - a corrupt member is a finding, not a crash
            add(_unreadable(name, exc))
            ok = False
            continue
        if manifest.sig_ref != signature_name(n):
            add(finding("S002", name, detail=f"SigReference is {manifest.sig_ref}, expected {signature_name(n)}",
                        detail_zh=f"SigReference 为 {manifest.sig_ref}，应为 {signature_name(n)}"))
            ok = False
        if manifest.rootfiles != [record_name(n)]:
            add(finding("S003", name, layer=f"{n:03d}", detail=record_name(n)))
            ok = False
        run.manifests[n] = manifest

    for n in run.layers:
        name = record_name(n)
        if name not in pkg.infos:
            ok = False  # reported as missing (I002) through the manifest, or S003
            continue
        try:
            run.records[n] = parse_record(pkg.read(name, pkg.limits.max_xml_bytes))
        except RecordError as exc:
            add(finding(exc.code, name, detail=exc.detail, detail_zh=exc.detail_zh))
            ok = False
        except Exception as exc:  # noqa: BLE001
            add(_unreadable(name, exc))
            ok = False
    problems = _check_records(run.layers, run.records, run.manifests)
    for f in problems:
        add(f)
    return ok and not problems


def _check_records(layers, records: dict[int, Record], manifests: dict[int, Manifest]) -> list[Finding]:
    out: list[Finding] = []
    first = records.get(layers[0]) if layers else None
    volumes: set[str] = set()
    doc_ids: set[str] = set()
    for n in layers:
        rec = records.get(n)
        if rec is None:
            continue
        loc = record_name(n)
        if rec.layer != n:
            out.append(finding("S006", loc, detail=f"the record says layer {rec.layer}, but it is layer {n}",
                               detail_zh=f"卷宗记录称第 {rec.layer} 层，实为第 {n} 层"))
        if first is not None and n != layers[0] and rec.case.number != first.case.number:
            out.append(finding("S007", loc, layer=f"{n:03d}", detail=f"{rec.case.number} ≠ {first.case.number}"))
        volumes |= {v.id for v in rec.volumes}
        listed = manifests[n].by_uri() if n in manifests else {}
        for d in rec.documents:
            if d.id in doc_ids:
                out.append(finding("S006", loc, detail=f"document id {d.id} is used in an earlier layer",
                                   detail_zh=f"文书编号 {d.id} 已在此前的层中使用"))
            doc_ids.add(d.id)
            if d.volume not in volumes:
                out.append(finding("S006", loc, detail=f"document {d.id} refers to unknown volume {d.volume}",
                                   detail_zh=f"文书 {d.id} 引用了未知的卷 {d.volume}"))
            if not d.file.startswith(f"documents/{n:03d}/"):
                out.append(finding("S006", loc, detail=f"document {d.id}: {d.file} is not a member of layer {n:03d}",
                                   detail_zh=f"文书 {d.id}：{d.file} 不是第 {n:03d} 层的成员"))
            elif listed and d.file not in listed:
                out.append(finding("S006", loc, detail=f"document {d.id}: {d.file} is not listed in {manifest_name(n)}",
                                   detail_zh=f"文书 {d.id}：{d.file} 未列入 {manifest_name(n)}"))
    return out


_LAYER_DOC_RE = re.compile(r"^documents/(\d{3})/")


def _coverage(run: _Run) -> bool:
    """Every member is accounted for. The only data members a package may hold are each layer's record
    and the documents that record entries name, each named by exactly one entry (spec §4.3 i-accounted);
    anything else — an unrecorded PDF, an executable, an HTML page — is S009 even when a manifest lists
    it, because no check would ever look at it. The latest manifest must list every data member (I003)."""
    pkg, add = run.pkg, run.add
    ok = bool(run.layers) and len(run.records) == len(run.layers)
    named: dict[str, list] = {}
    for n, rec in run.records.items():
        for d in rec.documents:
            named.setdefault(d.file, []).append((d, n))
    for member, entries in named.items():
        if len(entries) > 1:
            add(finding("S009", member, detail=f"named by {len(entries)} record entries; exactly one is required",
                        detail_zh=f"被 {len(entries)} 个记录条目引用；必须恰好一个"))
            ok = False
        run.documents[member] = entries[0]
        if member not in pkg.infos:
            ok = False  # reported as I002 (listed, missing) or S006 (not listed)
    records = {record_name(n) for n in run.layers}
    latest = run.manifests.get(run.layers[-1]).by_uri() if run.layers and run.layers[-1] in run.manifests else None
    if latest is None:
        ok = False
    for member in pkg.order:
        if member == "mimetype" or member.startswith("META-INF/"):
            continue  # the container stage admits only manifests and signatures there (C007)
        if member not in records and member not in named:
            ok = False
            m = _LAYER_DOC_RE.match(member)
            if m and int(m.group(1)) in run.layers and int(m.group(1)) not in run.records:
                continue  # its layer's record could not be read (S004/S005 say why): no guessing
            add(finding("S009", member, detail="no record entry names it", detail_zh="没有记录条目引用它"))
        if latest is not None and member not in latest:
            add(finding("I003", member, manifest=manifest_name(run.layers[-1])))
            ok = False
    return ok


def _start_reading(run: _Run) -> None:
    """Start hashing every data member on two threads (and reading ahead the documents to check), so
    that the hashing runs on the second core while this thread verifies the signatures."""
    if run.reader is None:
        pkg = run.pkg
        run.documents_to_check = {m: v for m, v in run.documents.items() if m in pkg.infos} if run.full else {}
        # META-INF members too: later manifests list earlier manifests and signatures (spec §4.2)
        names = [n for n in pkg.order if n != "mimetype"]
        # each member hashed once per digest algorithm the manifests use (a layer may change it, §4.3)
        algorithms = sorted({m.algorithm for m in run.manifests.values()}) or ["sha256"]
        # a helper for two documents or more (MemberReader decides the same way)
        helpers = run.helpers if len(run.documents_to_check) > 1 else 0
        if helpers:
            from .helper import available

            helpers = helpers if available() else 0
        if helpers:
            # what the checks import lazily, imported once before the fork instead of in each process
            import fontTools.ttLib  # noqa: F401
            import pikepdf  # noqa: F401

            from ..pdfa import check, images_pdf  # noqa: F401
            from . import documents  # noqa: F401
        run.reader = MemberReader(pkg, names, run.documents_to_check, algorithms, check=_document_check(run),
                                 helpers=helpers)


def _document_check(run: _Run):
    """check(member, bytes) -> ("ok", findings) or ("error", why): one document's checks, the same in
    this process and in a helper process (which then sends the outcome back)."""
    documents, at = run.documents_to_check, run.at

    def check(name: str, data: bytes, digests: dict | None = None):
        from .documents import check_document

        doc, n = documents[name]
        try:
            return "ok", check_document(name, data, expected_pages=doc.pages, agency=run.entry(n), at=at,
                                        digests=digests)
        except Exception as exc:  # noqa: BLE001 - this document is unchecked; the others go on
            return "error", f"{type(exc).__name__}: {str(exc)[:200]}"

    return check


def _integrity(run: _Run) -> bool:
    """Hash every data member exactly once and, in full mode, check each document from the same bytes
    (memory holds a few documents at a time, whatever the size of the dossier). Establishes integrity;
    the documents stage then judges which documents were checked to the end."""
    add = run.add
    _start_reading(run)
    documents = run.documents_to_check
    for n in run.records:
        run.entry(n)  # every layer's trust-list entry, before any document needs it
    check = _document_check(run)
    for name, data, digest in run.reader:
        if isinstance(digest, Exception):
            add(_unreadable(name, digest))
            run.unhashed.add(name)
            continue
        run.digests[name] = digest
        if name not in documents:
            continue
        if data is None:
            add(finding("X005", name, detail=f"larger than {MAX_PDF_BYTES} bytes, the limit for PDF checks",
                        detail_zh=f"大于 PDF 检查的上限 {MAX_PDF_BYTES} 字节"))
            continue
        # checked in a helper process from the bytes it hashed, or here from the bytes hashed here
        # `digest` is of exactly `data` (read and hashed together): facts noted for those bytes apply
        kind, found = data.outcome if isinstance(data, Checked) else check(name, data, digest)
        if kind == "error":
            add(finding("X005", name, detail=found))
        else:
            run.report.findings += found
            if not any(f.code == "X005" for f in found):
                run.checked.add(name)
        del data
    return _check_integrity(run)


def _check_integrity(run: _Run) -> bool:
    pkg, add = run.pkg, run.add
    ok = bool(run.layers) and not run.unhashed and len(run.manifests) == len(run.layers)
    changed: set[str] = set()
    missing: set[str] = set()
    previous: Manifest | None = None
    for n in run.layers:
        manifest = run.manifests.get(n)
        if manifest is None:
            previous = None
            continue
        mname = manifest_name(n)
        for o in manifest.objects:
            if o.uri not in pkg.infos:
                ok = False
                if o.uri not in missing:
                    add(finding("I002", o.uri, manifest=mname))
                    missing.add(o.uri)
            elif o.uri not in run.digests:
                ok = False  # not hashed: unreadable (C011/C010), or a member the container refused
            elif run.digests[o.uri].get(o.algorithm) != o.digest:
                ok = False
                if o.uri not in changed:
                    add(finding("I001", o.uri, manifest=mname, algorithm=DIGEST_NAMES[o.algorithm]))
                    changed.add(o.uri)
        earlier = {name(k) for k in run.layers if k < n for name in (manifest_name, signature_name)}
        meta = {o.uri for o in manifest.objects if o.uri.startswith("META-INF/")}
        for uri in sorted(earlier - meta):
            add(finding("I006", mname, layer=f"{n:03d}", detail=f"{uri} is not listed", detail_zh=f"{uri} 未列出"))
            ok = False
        for uri in sorted(meta - earlier):
            add(finding("I006", mname, layer=f"{n:03d}", detail=f"{uri} is not a member of an earlier layer",
                        detail_zh=f"{uri} 不是此前各层的成员"))
            ok = False
        if previous is not None:
            now = manifest.by_uri()
            for o in previous.objects:
                if o.uri not in now:
                    add(finding("I004", mname, layer=f"{n:03d}", detail=f"{o.uri} is no longer listed",
                                detail_zh=f"{o.uri} 不再列出"))
                    ok = False
                elif now[o.uri].algorithm == o.algorithm and now[o.uri].digest != o.digest:
                    # (in another algorithm the two digests are not comparable; each was checked
                    # against the member itself above, I001)
                    add(finding("I004", mname, layer=f"{n:03d}", detail=f"{o.uri} has a different digest",
                                detail_zh=f"{o.uri} 的摘要不同"))
                    ok = False
        previous = manifest
    return ok


def _documents(run: _Run) -> bool:
    """Established when every document that record entries name was checked to the end (the checks
    themselves ran in the read pass, from the bytes that were hashed)."""
    missing = [m for m in run.documents if m not in run.checked]
    for m in missing:
        if m in run.pkg.infos and m not in run.unhashed and not any(
                f.location.startswith(m) and f.stage == "document" for f in run.report.findings):
            run.add(finding("X005", m, detail="the document's checks did not run", detail_zh="该文书的检查未能运行"))
    return not missing


def _signatures(run: _Run) -> bool:
    """Each layer fails alone. Layers are verified from the latest down, so that a later layer's trusted
    time stamp (whose manifest lists the earlier signature with its digest) can prove that an earlier
    signature existed at that time (spec §8.1a s-poe)."""
    _start_reading(run)  # hashing runs meanwhile, on other threads
    ok = bool(run.layers)
    proven: dt.datetime | None = None  # earliest trusted time of any later layer
    if not run.verify_signatures:
        for n in run.layers:
            run.report.layers.append(LayerReport(n, run.records.get(n), None))
        return False  # not established, and not required (PackageReport.waived)
    for n in reversed(run.layers):
        if n == run.unsigned:
            continue
        rec = run.records.get(n)
        if rec is None or n not in run.manifest_bytes or signature_name(n) not in run.pkg.infos:
            ok = False
            continue
        poe = min((t for t in (run.poe.get(n), proven) if t is not None), default=None)
        try:
            p7s = run.pkg.read(signature_name(n), MAX_SIGNATURE_BYTES)
            result = verify_layer(n, p7s, run.manifest_bytes[n], agency_name=rec.agency.name,
                                  credit_code=rec.agency.credit_code, role=rec.agency.role, trust=run.trust,
                                  at=run.at, poe=poe, trusted=run.entry(n))
        except Exception as exc:  # noqa: BLE001 - this layer is unchecked; the others go on
            run.add(finding("X004", signature_name(n), layer=f"{n:03d}",
                            detail=f"{type(exc).__name__}: {str(exc)[:200]}"))
            ok = False
            continue
        run.signatures[n] = result
        run.report.findings += result.findings
        if result.indication != "TOTAL_PASSED":
            ok = False
        elif result.timestamp is not None and _covers(run, n):
            proven = result.timestamp if proven is None else min(proven, result.timestamp)
    for n in run.layers:
        run.report.layers.append(LayerReport(n, run.records.get(n), run.signatures.get(n)))
    expected = len(run.layers) - (run.unsigned in run.layers)
    return ok and len(run.signatures) == expected


def _covers(run: _Run, n: int) -> bool:
    """Layer n's manifest lists every earlier layer's signature (so its time stamp proves they existed)."""
    listed = run.manifests[n].by_uri() if n in run.manifests else {}
    return all(signature_name(k) in listed for k in run.layers if k < n)


def _case(run: _Run) -> bool:
    """Code lists, identity numbers, stage profiles, custody transfer, deadlines (docs/caserules.md);
    each group runs alone and reports X006 if it cannot finish."""
    from ..caserules.check import check_case

    if len(run.records) != len(run.layers) or not run.records:
        return False  # the rules need every record; the records stage has said why
    found, complete = check_case([run.records[n] for n in run.layers], profile=run.profile, at=run.at,
                                 now=dt.datetime.now(dt.timezone.utc), complete=True)
    run.report.findings += found
    return complete


# The pipeline, in order. Each stage returns the fact it establishes (FACTS); see the module docstring.
_STAGES = (("container", _container), ("records", _records), ("coverage", _coverage),
           ("signatures", _signatures), ("integrity", _integrity), ("documents", _documents), ("case", _case))


def _unreadable(name: str, exc: Exception) -> Finding:
    if isinstance(exc, LimitError):
        return finding("C010", name, detail=str(exc))
    from ..container.reasons import reason_zh

    why = str(exc) or type(exc).__name__
    return finding("C011", name, detail=why, detail_zh=reason_zh(why))
