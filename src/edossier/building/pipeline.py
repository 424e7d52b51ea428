"""The build pipeline: one agency's source folder in, one new signed layer out.

`build_package` makes the first layer of a new package; `append_layer` copies an existing package
byte for byte and adds the next layer. Both read the source, make the PDF/A documents, write the
record, the ASiC manifest (covering every data object now in the package) and the signature, and
replace the output file atomically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..version import __version__
from ..container.asic import DataObject, build_manifest, manifest_name, record_name, signature_name
from ..container.zipio import PackageWriter
from ..fsutil import Input, atomic_output, guard_output
from ..record.model import Agency, Case, Event, Person, Record, RecordError, Volume, parse_record, record_to_xml
from .source import SOURCE_FILE, SourceError, load_source, source_inputs
from ..signing.cades import Credential, sign_manifest
from ..errors import BuildError
from .base import _Base, _read_base
from .documents import _generated_documents, _make_documents, _start_sheets, OcrOptions, Progress


@dataclass(frozen=True)
class BuildChecks:
    """The preflight (edossier.building.preflight): validate the new layer before signing it. `trust` (with it,
    the signer's role and CA and the earlier layers' signatures are checked too), `policy` and `allow`
    as for `validate`; `profile` is an extra stage profile to check (lint --profile). `enabled=False` is
    for tools that make deliberately defective packages (the conformance and attack corpora) only."""

    trust: object = None  # TrustList | None
    policy: object = None  # Policy | None
    allow: tuple[str, ...] = ()
    profile: str | None = None
    enabled: bool = True
    # Called in this process once the documents are written, just before a preflight that only reads and
    # hashes: a first layer whose every document the check-ahead process checked (the command line tunes
    # its allocator for that phase: building/memory.py). Not before a preflight that checks documents
    # itself (an appended layer's base, SM3 digests): their PDF checks fragment a kept heap.
    on_preflight: object = None  # Callable[[], object] | None


@dataclass(frozen=True)
class BuildResult:
    output: Path | None
    layer: int
    documents: int
    pages: int
    warnings: tuple[tuple[str, str], ...] = ()  # (en, zh)
    generated: int = 0  # of `documents`: covers, tables of contents and remarks sheets
    seconds: float = 0.0
    preflight: object = None  # PreflightResult: every finding of the preflight (warnings, notes, allowed codes)
    preflight_seconds: float = 0.0


def build_package(source_dir: Path, output: Path, credential: Credential, *, created: dt.datetime | None = None,
                  progress: Progress | None = None, check_signer: bool = True, generated_pages: bool = False,
                  ocr: OcrOptions | None = None, checks: BuildChecks = BuildChecks()) -> BuildResult:
    """First layer of a new package; raises PreflightRefused (nothing signed) when validate would reject it."""
    return _make_layer(source_dir, output, credential, base_path=None, created=created, progress=progress,
                       check_signer=check_signer, generated_pages=generated_pages, ocr=ocr, checks=checks)


def append_layer(package: Path, source_dir: Path, output: Path, credential: Credential, *,
                 created: dt.datetime | None = None, progress: Progress | None = None,
                 check_signer: bool = True, generated_pages: bool = False, ocr: OcrOptions | None = None,
                 checks: BuildChecks = BuildChecks()) -> BuildResult:
    """Next layer on a copy of `package`; raises PreflightRefused (nothing signed) when validate would reject it."""
    return _make_layer(source_dir, output, credential, base_path=Path(package), created=created,
                       progress=progress, check_signer=check_signer, generated_pages=generated_pages, ocr=ocr,
                       checks=checks)


def lint_source(source_dir: Path, *, base: Path | None = None, checks: BuildChecks = BuildChecks(),
                created: dt.datetime | None = None, progress: Progress | None = None,
                generated_pages: bool = False):
    """The clerk's dry run (`edossier lint`): every problem of the source, then the preflight of the layer
    it would make, without a credential and without writing anything. Returns a PreflightResult whose
    report lists the source problems (S010) and every finding of the preflight."""
    return _make_layer(source_dir, None, None, base_path=Path(base) if base else None, created=created,
                       progress=progress, check_signer=False, generated_pages=generated_pages, ocr=None,
                       checks=checks, lint=True)


def source_date() -> dt.datetime | None:
    """The build time from SOURCE_DATE_EPOCH (reproducible builds), in UTC, or None."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(int(value), dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise BuildError(f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds since 1970",
                         f"SOURCE_DATE_EPOCH={value!r} 不是自 1970 年起的秒数") from None


def _make_layer(source_dir, output, credential, *, base_path, created, progress, check_signer,
                generated_pages=False, ocr=None, checks: BuildChecks = BuildChecks(), lint: bool = False):
    started = time.monotonic()
    output = Path(output) if output is not None else None
    # Before anything else: the output may not be the source, a scan or the input package (OutputPathError).
    if output is not None:
        guard_output(output, [*source_inputs(Path(source_dir)),
                              Input(Path(base_path), "the input package", "输入的卷宗包") if base_path else None],
                     what=("the output package", "输出的卷宗包"))
    layer = functools.partial(_make_layer_in, source_dir, output, credential, base_path=base_path, created=created,
                              progress=progress, check_signer=check_signer, generated_pages=generated_pages,
                              ocr=ocr, checks=checks, lint=lint, started=started)
    if ocr is None:
        return layer(ocr_pool=None)
    from ..ocr import OcrPool, OcrUnavailable

    try:
        # The OCR workers start now, before the source is read: each loads its engine (~0.7 s of CPU)
        # while this process reads and checks the source and the scans (#19, fourth round). Starting
        # them creates no thread here, so the scan precheck and the check-ahead process still fork.
        pool = OcrPool(ocr.engine, ocr.jobs)
    except OcrUnavailable as exc:
        raise BuildError(exc.en, exc.zh) from None
    with pool:  # normally closed already by _make_documents; this ends the workers on every other path
        return layer(ocr_pool=pool)


def _make_layer_in(source_dir, output, credential, *, base_path, created, progress, check_signer,
                   generated_pages, ocr, checks: BuildChecks, lint: bool, started: float, ocr_pool):
    # lint collects every problem it can find instead of stopping at the first (build stops at once)
    problems: list[tuple[str, str, str]] | None = [] if lint else None  # (location, en, zh)
    try:
        source = load_source(Path(source_dir))
    except SourceError as exc:
        if lint:
            from .preflight import source_problems

            return source_problems([(SOURCE_FILE, en, zh) for en, zh in exc.problems], Path(source_dir))
        raise BuildError(exc.en, exc.zh) from None
    # The manifest digest follows the signature family: SM3 beside an SM2 key, else SHA-256 (spec §4.3).
    algorithm = credential.manifest_digest if credential is not None else "sha256"  # SM3 for SM2 signers
    base = _read_base(base_path, algorithm) if base_path else _Base(0, [], [])
    layer = base.layers + 1
    created = created or source_date() or dt.datetime.now().astimezone().replace(microsecond=0)
    data = source.data
    agency = Agency(data["agency"]["name"], data["agency"]["credit_code"], data["agency"]["role"])
    if checks.enabled and credential is not None:
        # the wrong credential is found before any page is made (OCR of a thick volume takes minutes)
        from .preflight import refusal_for, signer_findings

        wrong = signer_findings(credential, agency, layer, trust=checks.trust, at=created)
        if wrong:
            raise refusal_for(wrong, output or Path(source_dir))
    elif check_signer and credential is not None:
        _check_signer(credential, agency)
    case = _case(data, base)
    volumes = tuple(Volume(v["id"], v["title"], v.get("kind")) for v in data.get("volumes", []))
    known_volumes = {v.id for r in base.records for v in r.volumes} | {v.id for v in volumes}
    known_docs = {d.id for r in base.records for d in r.documents}

    docs_in = []
    for d in data["documents"]:
        try:
            if d["volume"] not in known_volumes:
                raise BuildError(f"document {d['id']}: volume {d['volume']!r} is not defined in [[volumes]] or an "
                                 f"earlier layer", f"文书 {d['id']}：卷 {d['volume']!r} 未在 [[volumes]] 或此前的层中定义")
            if d["id"] in known_docs:
                raise BuildError(f"document id {d['id']!r} is used twice (ids are unique across all layers)",
                                 f"文书编号 {d['id']!r} 重复（编号在所有层中必须唯一）")
        except BuildError as exc:
            if problems is None:
                raise
            problems.append((SOURCE_FILE, exc.en, exc.zh))
            continue
        known_docs.add(d["id"])
        docs_in.append(d)

    warnings: list[tuple[str, str]] = []
    stamp = created.astimezone(dt.timezone.utc)
    scratch = tempfile.TemporaryDirectory(prefix="edossier-build-")  # lint's package, and nothing else
    with contextlib.ExitStack() as stack:
        stack.callback(scratch.cleanup)
        # Each document is written once, straight into the package, as soon as it is made (a
        # background thread CRCs, hashes and writes it while the next one is made); the record, which
        # needs every document's page count, follows the documents (spec §3.2, v0.2, issue 19). The
        # layer is written unsigned first; the preflight validates exactly that file, and only then is
        # the manifest signed and the signature appended to the same file (so nothing is signed that
        # validate would reject, and the bytes validated are the bytes delivered).
        target = stack.enter_context(atomic_output(output)) if output is not None else Path(scratch.name) / "lint.edp"
        writer = stack.enter_context(PackageWriter(target, base=base_path, date_time=stamp.timetuple()[:6],
                                                   direct=True))

        # The preflight's document checks, on the second core while the next document is made: each
        # document is checked from the bytes read back from `target`, and the preflight takes those
        # facts for a member whose bytes have the same digest (building/ahead.py, issue 19).
        ahead = []

        def start_ahead():
            from .ahead import CheckAhead, available

            if (checks.enabled or lint) and available():
                ahead.append(stack.enter_context(CheckAhead(target, algorithm)))

        from ..validation import members

        def sink(name: str, pdf: bytes, sha256: bytes | None = None):
            handed = False
            if ahead and algorithm == "sha256":
                if sha256 is None:  # the generated sheets (small): hashed here, so that they are handed too
                    sha256 = hashlib.sha256(pdf).digest()
                # handed over with the builder's own digest of these bytes (no read back, no second hash),
                # or else checked from the file once written; either way its facts are expected
                handed = ahead[0].hand(pdf, sha256)
                if not handed and len(pdf) <= members.MAX_PDF_BYTES:  # else not checked ahead (X005)
                    ahead[0].expect(sha256)
            return writer.add_bytes_later(name, pdf, compress=False, algorithm=algorithm,
                                          written=ahead[0].submit if ahead and not handed else None,
                                          digest=sha256 if algorithm == "sha256" else None)

        # The volumes' sheets are rendered while the documents are made when their plan is known before
        # (scans: every page count is in the plan); taken only if the documents as made give that plan.
        early = []

        def planned(predicted):
            if generated_pages and predicted is not None:
                early.append(_start_sheets(base, data, case, agency, volumes, predicted, layer, created,
                                           credential, stack))

        built = _make_documents(source, docs_in, layer, created, warnings, progress, ocr, sink, problems,
                                prechecked=start_ahead, pool=ocr_pool, planned=planned)
        generated = 0
        if generated_pages:
            # rendered now (if not before) maybe in a forked process: no write in flight then
            gen = _generated_documents(base, data, case, agency, volumes, built, layer, created, credential, ocr,
                                       sink, known_docs, early=early[0] if early else None,
                                       before_fork=writer.drain)
            generated = len(gen)
            built += gen
        total_pages = sum(doc.pages for doc, _ in built)
        record_xml = _record_xml(data, base, layer, created, case, agency, volumes, [doc for doc, _ in built])
        new_objects = [DataObject(doc.file, "application/pdf", digest.result(), algorithm=algorithm)
                       for doc, digest in built]
        new_objects.append(DataObject(record_name(layer), "application/xml",
                                      writer.add_bytes(record_name(layer), record_xml, compress=True,
                                                       algorithm=algorithm), rootfile=True, algorithm=algorithm))
        # everything the previous manifest lists (which covers the layers before it), plus that
        # manifest and its signature, so this signature vouches for every earlier one (spec §4.2)
        carried = [DataObject(o.uri, o.mime, o.digest, algorithm=o.algorithm) for o in base.objects]
        manifest = build_manifest(layer, carried + new_objects)
        writer.add_bytes(manifest_name(layer), manifest, compress=True)
        writer.close()
        result, preflight_started = None, time.monotonic()
        if checks.enabled or lint:
            from .preflight import preflight, refusal

            if ahead:
                if algorithm == "sha256":
                    ahead[0].stop()  # every document's facts are expected: the preflight waits for each
                else:
                    ahead[0].finish()  # SM3: the builder does not know the digests; wait for all
            if checks.on_preflight is not None and ahead and algorithm == "sha256" and base_path is None:
                checks.on_preflight()
            result = preflight(target, layer, trust=checks.trust, at=created, policy=checks.policy,
                               allow=checks.allow, profile=checks.profile,
                               credential=credential, agency=agency if credential is not None else None)
            if ahead:
                ahead[0].close()  # its notes are forgotten: they served this preflight only
            if lint:
                from .preflight import add_source_problems

                made = {doc.id for doc, _ in built}
                return add_source_problems(result, problems, [d for d in docs_in if d["id"] not in made])
            if not result.passed:
                raise refusal(result)
        preflight_seconds = time.monotonic() - preflight_started
        p7s = sign_manifest(credential, manifest)
        if checks.enabled and checks.trust is not None:
            from .preflight import check_signature

            check_signature(p7s, manifest, layer, agency, trust=checks.trust, policy=checks.policy,
                            allow=checks.allow, where=output)
        with PackageWriter(target, in_place=True, date_time=stamp.timetuple()[:6]) as signed:
            signed.add_bytes(signature_name(layer), p7s, compress=False)
    return BuildResult(output, layer, len(built), total_pages, tuple(warnings), generated,
                       time.monotonic() - started, result, preflight_seconds)


def _record_xml(data: dict, base: _Base, layer: int, created: dt.datetime, case: Case, agency: Agency, volumes,
                documents: list) -> bytes:
    """The layer's record (coded, then checked by our own record validator) as XML bytes."""
    layer_info = data.get("layer", {})
    from ..caserules.coding import code_record

    def _date(value):
        return dt.date.fromisoformat(value) if value else None

    record = code_record(Record(
        layer=layer, created=created, case=case, agency=agency,
        stage=layer_info.get("stage"), note=layer_info.get("note"), profile=layer_info.get("profile"),
        persons=tuple(Person(p["role"], p["name"], p.get("id_number"), p.get("gender")) for p in data.get("persons", [])),
        volumes=volumes,
        documents=tuple(documents),
        events=tuple(Event(e["type"], dt.datetime.fromisoformat(e["time"]), e.get("actor"), e.get("note"),
                           agency=e.get("agency"), document=e.get("document"), person=e.get("person"),
                           days=e.get("days"), period_start=_date(e.get("period_start")),
                           period_end=_date(e.get("period_end")))
                     for e in data.get("events", [])),
        generator=f"edossier {__version__}",
    ))
    record_xml = record_to_xml(record)
    try:
        parse_record(record_xml)  # what we write must pass our own validator
    except RecordError as exc:
        raise BuildError(f"the record does not validate: {exc.detail}", f"生成的卷宗记录未通过校验：{exc.detail}") from None
    return record_xml


def _check_signer(credential: Credential, agency: Agency) -> None:
    if credential.organization_id != agency.credit_code and credential.organization != agency.name:
        raise BuildError(
            f"the signing credential belongs to {credential.organization or credential.subject}, "
            f"not to {agency.name} ({agency.credit_code}) named in dossier.toml",
            f"签名凭据属于 {credential.organization or credential.subject}，"
            f"而不是 dossier.toml 中的 {agency.name}（{agency.credit_code}）")


def _procedure_name(value: str | None) -> str | None:
    """The procedure as the list's Chinese name (PR05, 速裁 → 速裁程序): the record and the cover page carry
    the name a reader knows, and every reader resolves it to one code (docs/caserules.md#procedures)."""
    from ..caserules.codelist import resolve_procedure

    entry = resolve_procedure(value)
    return entry.zh if entry is not None else value


def _case(data: dict, base: _Base) -> Case:
    """The layer's case: a later layer inherits whatever its [case] leaves out (README, docs/builder.md)
    from the package's latest layer, so that a procuratorate source may give only `case.number`."""
    first = base.records[0].case if base.records else None
    latest = base.records[-1].case if base.records else None
    if "case" not in data:
        if first is None:
            raise BuildError("dossier.toml: [case] is required for the first layer",
                             "dossier.toml：第一层必须包含 [case]")
        return latest
    c = data["case"]
    if latest is None:
        missing = [k for k in ("name", "charges") if k not in c]
        if missing:
            keys = ", ".join(f"'case.{k}'" for k in missing)
            raise BuildError(f"dossier.toml: key {keys} is required for the first layer (later layers inherit it)",
                             f"dossier.toml：第一层必须给出键 {keys}（此后的层可沿用）")
        case = Case(c["number"], c["name"], tuple(c["charges"]), _procedure_name(c.get("procedure")))
    else:
        case = Case(c["number"], c.get("name", latest.name),
                    tuple(c["charges"]) if "charges" in c else latest.charges,
                    _procedure_name(c["procedure"]) if "procedure" in c else latest.procedure)
    if first is not None and case.number != first.number:
        raise BuildError(f"dossier.toml: case number {case.number!r} differs from the package's {first.number!r}",
                         f"dossier.toml：案件编号 {case.number!r} 与卷宗包中的 {first.number!r} 不一致")
    return case


