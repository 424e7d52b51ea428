"""The build pipeline: one agency's source folder in, one new signed layer out.

`build_package` makes the first layer of a new package; `append_layer` copies an existing package
byte for byte and adds the next layer. Both read the source, make the PDF/A documents, write the
record, the ASiC manifest (covering every data object now in the package) and the signature, and
replace the output file atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..version import __version__
from ..container.asic import (DataObject, ManifestError, build_manifest, document_name, layer_objects_of, manifest_name,
                             parse_manifest, record_name, signature_name)
from ..container.zipio import OpenedPackage, PackageWriter, open_package
from ..fsutil import Input, atomic_output, guard_output
from ..ocr.types import PageRef
from ..pdfmake.finish import pdfa_claim
from ..pdfmake.scans import ImageInputError, NotImageOnly, images_to_pdfa, page_refs, rewrap_image_pdf
from ..record.model import (Agency, Case, Document, Event, Person, Record, RecordError, Scan, Volume,
                           parse_record, record_to_xml)
from .source import SOURCE_FILE, Source, SourceError, load_source, source_inputs
from ..signing.cades import Credential, sign_manifest
from ..errors import BuildError  # noqa: F401 - BuildError is part of this module's API

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}
Progress = Callable[[int, int, str], None]  # (pages done, pages in all, current document title)


@dataclass(frozen=True)
class OcrOptions:
    """`--ocr`: add an invisible text layer to every scanned page (docs/builder.md)."""

    engine: str = "rapidocr"
    jobs: int | None = None  # worker processes; default: every core


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


@dataclass
class _Base:
    """What an append needs to know about the package it extends."""

    layers: int
    objects: list[DataObject]
    records: list[Record]


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
    if ocr is not None:
        from ..ocr import OcrUnavailable, check_engine

        try:
            check_engine(ocr.engine)
        except OcrUnavailable as exc:
            raise BuildError(exc.en, exc.zh) from None
    # lint collects every problem it can find instead of stopping at the first (build stops at once)
    problems: list[tuple[str, str, str]] | None = [] if lint else None  # (location, en, zh)
    try:
        source = load_source(Path(source_dir))
    except SourceError as exc:
        if lint:
            from .preflight import source_problems

            return source_problems([(SOURCE_FILE, en, zh) for en, zh in exc.problems], Path(source_dir))
        raise BuildError(exc.en, exc.zh) from None
    base = _read_base(base_path) if base_path else _Base(0, [], [])
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
    spool = tempfile.TemporaryDirectory(prefix="edossier-build-")  # built PDFs wait here: memory stays flat
    built = _make_documents(source, docs_in, layer, created, warnings, progress, ocr, Path(spool.name), problems)
    generated = 0
    if generated_pages:
        gen = _generated_documents(base, data, case, agency, volumes, built, layer, created, credential, ocr,
                                   Path(spool.name), known_docs)
        generated = len(gen)
        built += gen
    total_pages = sum(doc.pages for doc, _ in built)

    layer_info = data.get("layer", {})
    from ..caserules.coding import code_record

    def _date(value):
        return dt.date.fromisoformat(value) if value else None

    record = code_record(Record(
        layer=layer, created=created, case=case, agency=agency,
        stage=layer_info.get("stage"), note=layer_info.get("note"), profile=layer_info.get("profile"),
        persons=tuple(Person(p["role"], p["name"], p.get("id_number"), p.get("gender")) for p in data.get("persons", [])),
        volumes=volumes,
        documents=tuple(doc for doc, _ in built),
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

    stamp = created.astimezone(dt.timezone.utc)
    try:
        # The layer is written unsigned first; the preflight validates exactly that package, and only
        # then is the manifest signed and the signature appended (so nothing is signed that validate
        # would reject, and the bytes validated are the bytes delivered).
        unsigned = Path(spool.name) / "unsigned.edp"
        with PackageWriter(unsigned, base=base_path, date_time=stamp.timetuple()[:6]) as writer:
            new_objects = [DataObject(record_name(layer), "application/xml",
                                      writer.add_bytes(record_name(layer), record_xml, compress=True), rootfile=True)]
            for doc, pdf_bytes in built:
                new_objects.append(DataObject(doc.file, "application/pdf",
                                              writer.add_bytes(doc.file, Path(pdf_bytes).read_bytes(), compress=False)))
                Path(pdf_bytes).unlink()
            # everything the previous manifest lists (which covers the layers before it), plus that
            # manifest and its signature, so this signature vouches for every earlier one (spec §4.2)
            carried = [DataObject(o.uri, o.mime, o.digest) for o in base.objects]
            manifest = build_manifest(layer, carried + new_objects)
            writer.add_bytes(manifest_name(layer), manifest, compress=True)
        result, preflight_started = None, time.monotonic()
        if checks.enabled or lint:
            from .preflight import preflight, refusal

            result = preflight(unsigned, layer, trust=checks.trust, at=created, policy=checks.policy,
                               allow=checks.allow, profile=checks.profile,
                               credential=credential, agency=agency if credential is not None else None)
            if lint:
                from .preflight import add_source_problems

                made = {doc.id for doc, _ in built}
                return add_source_problems(result, problems, [d for d in docs_in if d["id"] not in made])
            if not result.passed:
                raise refusal(result)
        preflight_seconds = time.monotonic() - preflight_started
        with atomic_output(output) as tmp:
            with PackageWriter(tmp, base=unsigned, date_time=stamp.timetuple()[:6]) as writer:
                writer.add_bytes(signature_name(layer), sign_manifest(credential, manifest), compress=False)
    finally:
        spool.cleanup()
    return BuildResult(output, layer, len(built), total_pages, tuple(warnings), generated,
                       time.monotonic() - started, result, preflight_seconds)


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


def _document_files(source: Source, d: dict) -> list[Path]:
    try:
        files = [source.file(f) for f in d["files"]]
    except SourceError as exc:
        raise BuildError(f"document {d['id']}: {exc.en}", f"文书 {d['id']}：{exc.zh}") from None
    others = [f for f in files if f.suffix.lower() not in IMAGE_SUFFIXES | {".pdf"}]
    if others:
        raise BuildError(f"document {d['id']}: {others[0].name}: unsupported file type (use JPEG, PNG, TIFF or PDF/A-2)",
                         f"文书 {d['id']}：{others[0].name}：不支持的文件类型（请使用 JPEG、PNG、TIFF 或 PDF/A-2）")
    pdfs = [f for f in files if f.suffix.lower() == ".pdf"]
    if pdfs and len(files) != 1:
        raise BuildError(f"document {d['id']}: a PDF must be the document's only file",
                         f"文书 {d['id']}：PDF 文件必须单独构成一份文书")
    return files


def _page_refs(d: dict, files: list[Path]) -> list[PageRef] | None:
    """The scanned pages of an image document (None for a PDF)."""
    if files[0].suffix.lower() == ".pdf":
        return None
    try:
        return [ref for f in files for ref in page_refs(f)]
    except ImageInputError as exc:
        raise BuildError(f"document {d['id']}: {exc.en}", f"文书 {d['id']}：{exc.zh}") from None


def _pdf_pages(path: Path) -> int:
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except Exception:  # noqa: BLE001 - counted for progress only; the real read reports the problem
        return 1


def _make_documents(source: Source, docs_in: list[dict], layer: int, created: dt.datetime, warnings: list,
                    progress: Progress | None, ocr: OcrOptions | None, spool: Path,
                    problems: list | None = None) -> list[tuple[Document, Path]]:
    """Make every document's PDF/A into the spool folder; OCR (when asked) runs ahead in worker
    processes across all pages of the layer, so every core is busy even with one-page documents.
    With `problems` (lint), a document that cannot be made is noted there and left out."""
    plans = []
    for d in docs_in:
        try:
            files = _document_files(source, d)
            if problems is not None:  # lint: every bad scan of the document, not just the first
                from ..validation.documents import scan_findings

                bad = [f for path in files if path.suffix.lower() in IMAGE_SUFFIXES
                       for f in scan_findings(path, f"{d['id']}: {path.relative_to(source.folder.resolve())}")
                       if f.severity == "error"]
                if bad:
                    problems.extend(bad)
                    continue
            plans.append((d, files, _page_refs(d, files)))
        except BuildError as exc:
            if problems is None:
                raise
            problems.append((d["id"], exc.en, exc.zh))
    total = sum(len(refs) if refs is not None else _pdf_pages(files[0]) for _, files, refs in plans)
    pool = None
    if ocr is not None and any(refs for _, _, refs in plans):
        from ..ocr import OcrPool

        pool = OcrPool(ocr.engine, ocr.jobs)
    built: list[tuple[Document, Path]] = []
    done = 0
    try:
        futures = [[pool.submit(r) for r in refs] if pool is not None and refs else None for _, _, refs in plans]
        for i, ((d, files, refs), pending) in enumerate(zip(plans, futures), start=1):
            if progress:
                progress(done, total, d["title"])
            texts = None
            if pending:
                texts = []
                for n, fut in enumerate(pending):
                    try:
                        texts.append(fut.result())
                    except Exception as exc:  # noqa: BLE001 - an engine failure names the page
                        en = getattr(exc, "en", f"{type(exc).__name__}: {exc}")
                        zh = getattr(exc, "zh", en)
                        raise BuildError(f"document {d['id']}: OCR of page {n + 1} failed: {en}",
                                         f"文书 {d['id']}：第 {n + 1} 页文字识别失败：{zh}") from None
                    if progress:
                        progress(done + n + 1, total, d["title"])
            try:
                pdf_bytes, pages, scan = _document_pdf(source, d, created, warnings, files=files, text_layers=texts,
                                                       ocr=ocr is not None)
            except BuildError as exc:
                if problems is None:
                    raise
                problems.append((d["id"], exc.en, exc.zh))
                continue
            path = spool / f"{i:04d}.pdf"
            path.write_bytes(pdf_bytes)
            del pdf_bytes
            built.append((Document(
                id=d["id"], volume=d["volume"], type=d["type"], title=d["title"],
                date=dt.date.fromisoformat(d["date"]), pages=pages, file=document_name(layer, i),
                number=d.get("number"), author=d.get("author"), scan=scan), path))
            done += pages
        if progress:
            progress(done, max(total, done), "")
    finally:
        if pool is not None:
            pool.close(cancel=True)
    return built


def _generated_documents(base: "_Base", data: dict, case: Case, agency: Agency, volumes, built, layer: int,
                         created: dt.datetime, credential: Credential, ocr: OcrOptions | None, spool: Path,
                         known_docs: set[str]) -> list[tuple[Document, Path]]:
    """卷宗封面, 卷内目录 and 备考表 for every volume this layer adds or adds documents to
    (docs/builder.md): documents of their own, after this layer's source documents."""
    from ..pdfmake.sheets import COVER, GENERATED_TYPES, REMARKS, TOC, GlyphError, cover_pdf, plan_volume_sheets, \
        remarks_pdf, toc_pdf

    own = [doc for doc, _ in built if doc.type in GENERATED_TYPES]
    if own:
        raise BuildError(f"document {own[0].id}: type {own[0].type} is generated by the builder; "
                         "drop it from dossier.toml or build with --no-generated-pages",
                         f"文书 {own[0].id}：{own[0].type} 由生成器自动编制；请从 dossier.toml 中删除，"
                         "或使用 --no-generated-pages")
    persons = [p for r in base.records for p in r.persons] + [
        Person(p["role"], p["name"], p.get("id_number"), p.get("gender")) for p in data.get("persons", [])]
    cn = re.search(r"(?:^|,)CN=((?:[^,\\]|\\.)+)", (credential.subject if credential else "") or "")
    from ..ocr import engine_label

    sheets = plan_volume_sheets(base.records, [doc for doc, _ in built], layer=layer, case=case, agency=agency,
                                new_volumes=volumes, persons=persons, created=created,
                                compiler=cn.group(1).replace("\\", "") if cn else None,
                                ocr_engine=engine_label(ocr.engine) if ocr else None)
    out: list[tuple[Document, Path]] = []
    n = len(built)
    for vid, sheet in sheets:
        try:
            made = [(COVER, "cover", cover_pdf(sheet), 1)]
            toc, toc_pages = toc_pdf(sheet)
            made.append((TOC, "toc", toc, toc_pages))
            made.append((REMARKS, "remarks", remarks_pdf(sheet), 1))
        except GlyphError as exc:
            raise BuildError(f"volume {vid}: {exc.en}", f"卷 {vid}：{exc.zh}") from None
        for doc_type, kind, pdf_bytes, pages in made:
            doc_id = f"{kind}-{layer:03d}-{vid}"
            if len(doc_id) > 64:
                doc_id = f"{kind}-{layer:03d}-{hashlib.sha256(vid.encode()).hexdigest()[:16]}"
            if doc_id in known_docs:
                raise BuildError(f"document id {doc_id!r} is reserved for a generated {doc_type}; rename that document",
                                 f"文书编号 {doc_id!r} 保留给自动生成的{doc_type}；请为该文书改名")
            n += 1
            path = spool / f"{n:04d}.pdf"
            path.write_bytes(pdf_bytes)
            out.append((Document(id=doc_id, volume=vid, type=doc_type, title=f"{sheet.volume_title}{doc_type}",
                                 date=created.date(), pages=pages, file=document_name(layer, n),
                                 author=agency.name), path))
    return out


def _document_pdf(source: Source, d: dict, created: dt.datetime, warnings: list, *, files: list[Path] | None = None,
                  text_layers=None, ocr: bool = False) -> tuple[bytes, int, Scan | None]:
    files = files if files is not None else _document_files(source, d)
    if files[0].suffix.lower() == ".pdf":
        data = files[0].read_bytes()
        _check_pdf_images(d, files[0], data, warnings)
        claim = pdfa_claim(data)
        if claim and claim.startswith("2"):
            import pikepdf

            with pikepdf.open(io.BytesIO(data)) as pdf:
                pages = len(pdf.pages)
            return data, pages, None
        try:
            rebuilt, pages = rewrap_image_pdf(data, title=d["title"], author=d.get("author"), created=created)
        except NotImageOnly as exc:
            raise BuildError(
                f"document {d['id']}: {files[0].name} is not PDF/A-2 (claims {claim or 'nothing'}) and cannot be "
                f"rebuilt losslessly ({exc.en}); convert it to PDF/A-2 or supply the page scans instead",
                f"文书 {d['id']}：{files[0].name} 不是 PDF/A-2（声明为 {claim or '无'}），且无法无损重建（{exc.zh}）；"
                "请先转换为 PDF/A-2，或改为提供扫描图像") from None
        warnings.append((f"{files[0].name}: not PDF/A-2 (claims {claim or 'nothing'}); its scanned images were "
                         "re-wrapped unchanged into a new PDF/A-2u file",
                         f"{files[0].name}：不是 PDF/A-2（声明为 {claim or '无'}）；已将其扫描图像原样封装为新的 PDF/A-2u 文件"))
        return rebuilt, pages, None
    try:
        pdf_bytes, infos = images_to_pdfa(files, title=d["title"], author=d.get("author"), created=created,
                                          text_layers=text_layers)
    except ImageInputError as exc:
        raise BuildError(f"document {d['id']}: {exc.en}", f"文书 {d['id']}：{exc.zh}") from None
    dpis = [i.dpi for i in infos if i.dpi]
    minimum = 300 if ocr else 200
    low = [i.dpi for i in infos if i.dpi and i.dpi < minimum]
    if low:
        name = files[0].name if len(files) == 1 else f"{files[0].name} …"
        count_en = f"{len(low)} of {len(infos)} page(s)"
        count_zh = f"{len(infos)} 页中有 {len(low)} 页"
        if ocr:
            warnings.append((f"document {d['id']} ({name}): {count_en} scanned below the 300 dpi that "
                             f"DA/T 31 asks for when OCR is planned, lowest {min(low)} dpi",
                             f"文书 {d['id']}（{name}）：{count_zh}扫描分辨率低于 DA/T 31 对需要文字识别的扫描件要求的 300 dpi"
                             f"（最低 {min(low)} dpi）"))
        else:
            warnings.append((f"document {d['id']} ({name}): {count_en} scanned below the 200 dpi archival minimum "
                             f"(DA/T 31), lowest {min(low)} dpi",
                             f"文书 {d['id']}（{name}）：{count_zh}扫描分辨率低于档案扫描最低要求 200 dpi（DA/T 31），"
                             f"最低 {min(low)} dpi"))
    colours = {i.colour for i in infos}
    scan = Scan(min(dpis), colours.pop() if len(colours) == 1 else "mixed") if dpis else None
    return pdf_bytes, len(infos), scan


def _check_pdf_images(d: dict, path: Path, data: bytes, warnings: list) -> None:
    """The images of an input PDF pass the scan checks (`pdfa.images`) before the PDF is taken or
    re-wrapped: a truncated or corrupt image, or a JPEG PDF readers cannot draw, refuses the build
    (validation would report D006/D008); a scanned page below 200 dpi is a warning (D007)."""
    import pikepdf

    from ..pdfa.images_pdf import check_pdf_images

    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False, suppress_warnings=True) as pdf:
            found = check_pdf_images(pdf)
    except Exception:  # noqa: BLE001 - an unreadable PDF is refused with its reason by the PDF path below
        return
    bad = [f for f in found if f.code != "D007"]
    if bad:
        f = bad[0]
        raise BuildError(f"document {d['id']}: {path.name} ({f.location}): {f.en}",
                         f"文书 {d['id']}：{path.name}（{f.location}）：{f.zh}")
    for f in found:
        warnings.append((f"document {d['id']} ({path.name}, {f.location}): {f.en}",
                         f"文书 {d['id']}（{path.name}，{f.location}）：{f.zh}"))


def _read_base(path: Path) -> _Base:
    """Read the package being appended to; refuse one whose latest layer does not hold together."""
    opened = open_package(path)
    if isinstance(opened, list):
        f = opened[0]
        raise BuildError(f"{path}: {f.message_en}", f"{path}：{f.message_zh}")
    with opened as pkg:
        errors = [f for f in pkg.findings if f.severity == "error"]
        if errors:
            raise BuildError(f"{path}: {errors[0].message_en} ({errors[0].location})",
                             f"{path}：{errors[0].message_zh}（{errors[0].location}）")
        layers = 0
        while manifest_name(layers + 1) in pkg.infos:
            layers += 1
        if layers == 0:
            raise BuildError(f"{path}: the package has no signed layer", f"{path}：卷宗包没有已签名的层")
        try:
            manifest = parse_manifest(pkg.read(manifest_name(layers), pkg.limits.max_xml_bytes))
            records = [parse_record(pkg.read(record_name(n), pkg.limits.max_xml_bytes)) for n in range(1, layers + 1)]
        except (ManifestError, RecordError, KeyError, ValueError) as exc:
            raise BuildError(f"{path}: cannot read layer data ({exc}); validate the package first",
                             f"{path}：无法读取层数据（{exc}）；请先校验该卷宗包") from None
        _check_base_integrity(pkg, manifest.objects, path)
        latest = layer_objects_of(layers, pkg.read(manifest_name(layers), pkg.limits.max_xml_bytes),
                                  pkg.read(signature_name(layers), 1024 * 1024))
    return _Base(layers, list(manifest.objects) + latest, records)


def _check_base_integrity(pkg: OpenedPackage, objects, path: Path) -> None:
    listed = {o.uri for o in objects}
    for o in objects:
        if o.uri not in pkg.infos or pkg.sha256(o.uri) != o.digest:
            raise BuildError(f"{path}: {o.uri} does not match the latest manifest; validate the package first",
                             f"{path}：{o.uri} 与最新清单不符；请先校验该卷宗包")
    extra = [n for n in pkg.order if n != "mimetype" and not n.startswith("META-INF/") and n not in listed]
    if extra:
        raise BuildError(f"{path}: {extra[0]} is not covered by any signature; validate the package first",
                         f"{path}：{extra[0]} 未经签名覆盖；请先校验该卷宗包")
