"""The documents of a new layer: each from its scans or PDF (with the OCR text layer when asked), the
generated cover, contents and remarks sheets, and the image checks on every finished PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..container.asic import document_name
from ..ocr.types import PageRef
from ..pdfmake.finish import pdfa_claim
from ..pdfmake.scans import (ImageInputError, NotImageOnly, images_to_pdfa, page_refs, precheck_scans, rewrap_image_pdf,
                             unchanged)
from ..record.model import Agency, Case, Document, Person, Scan
from .source import Source, SourceError
from ..signing.cades import Credential
from ..errors import BuildError
from .base import _Base


IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}


Progress = Callable[[int, int, str], None]  # (pages done, pages in all, current document title)
# (member name, PDF bytes[, their SHA-256 when known]) -> e.g. a Future of the member's digest
Sink = Callable[..., object]


@dataclass(frozen=True)
class OcrOptions:
    """`--ocr`: add an invisible text layer to every scanned page (docs/builder.md)."""

    engine: str = "rapidocr"
    jobs: int | None = None  # worker processes; default: every core


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


def _page_refs(d: dict, files: list[Path], passed: dict | None = None,
               pool=None) -> tuple[list[PageRef] | None, list | None]:
    """The scanned pages of an image document (None for a PDF) and, with an OCR `pool`, their OCR
    futures: each file's pages are submitted as soon as the file is planned. `passed`: what
    precheck_scans passed."""
    if files[0].suffix.lower() == ".pdf":
        return None, None
    refs: list[PageRef] = []
    futures = [] if pool is not None else None
    try:
        for f in files:
            new = page_refs(f, checked=unchanged(f, passed or {}))
            refs += new
            if pool is not None:
                futures += [pool.submit(r) for r in new]
    except ImageInputError as exc:
        raise BuildError(f"document {d['id']}: {exc.en}", f"文书 {d['id']}：{exc.zh}") from None
    return refs, futures or None


def _pdf_pages(path: Path) -> int:
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except Exception:  # noqa: BLE001 - counted for progress only; the real read reports the problem
        return 1


def _make_documents(source: Source, docs_in: list[dict], layer: int, created: dt.datetime, warnings: list,
                    progress: Progress | None, ocr: OcrOptions | None, sink: Sink,
                    problems: list | None = None, prechecked: Callable[[], None] | None = None,
                    pool=None, planned: Callable[[list[Document] | None], None] | None = None
                    ) -> list[tuple[Document, object]]:
    """Make every document's PDF/A and hand it to `sink` (the package writer) as soon as it is made,
    so each document is written once, straight into the package; returns (Document, what `sink`
    returned) in record order. OCR (when asked) runs ahead in worker processes across all pages of the
    layer, so every core is busy even with one-page documents. With `problems` (lint), a document that
    cannot be made is noted there and left out. `prechecked` is called after the precheck pool and
    before any thread exists: the moment to fork (building/ahead.py). `pool`: an OcrPool already
    started for `ocr` (its workers spawned, no thread yet); closed here, like one made here. `planned`
    is called once every document is planned, before the first is made (before the package writer's
    thread exists), with the documents as they will be recorded when that is known from the plan (scans
    only, no OCR, not lint), else None."""
    scans = []
    files_of: list = []  # each document's files, or the BuildError naming the one that is wrong
    for d in docs_in:
        try:
            files_of.append(_document_files(source, d))
        except BuildError as exc:
            files_of.append(exc)  # raised (or, by lint, noted) in the plan below, in document order
            continue
        scans += [f for f in files_of[-1] if f.suffix.lower() in IMAGE_SUFFIXES]
    # every core decodes scans; the checks below then find them done. Before the OCR pool's first
    # task: the precheck forks, and a fork is safest before the pool's threads exist (its workers may
    # already run: spawned processes, started without a thread, ocr/pool.py).
    passed = precheck_scans(scans)
    if prechecked is not None:
        prechecked()
    plans, futures = [], []
    try:
        if ocr is not None and scans and pool is None:
            from ..ocr import OcrPool

            # Started before the documents are planned, and each file's pages submitted as soon as it is
            # planned, so the workers load their models and recognise while this process goes on (#19).
            pool = OcrPool(ocr.engine, ocr.jobs)
        for d, files in zip(docs_in, files_of):
            try:
                if isinstance(files, BuildError):
                    raise files
                if problems is not None:  # lint: every bad scan of the document, not just the first
                    from ..validation.documents import scan_findings

                    bad = [f for path in files if path.suffix.lower() in IMAGE_SUFFIXES
                           for f in scan_findings(path, f"{d['id']}: {path.relative_to(source.folder.resolve())}")
                           if f.severity == "error"]
                    if bad:
                        problems.extend(bad)
                        continue
                refs, pending = _page_refs(d, files, passed, pool)
                plans.append((d, files, refs))
                futures.append(pending)
            except BuildError as exc:
                if problems is None:
                    raise
                problems.append((d["id"], exc.en, exc.zh))
    except BaseException:
        if pool is not None:
            pool.close(cancel=True)
        raise
    if planned is not None:
        predictable = ocr is None and problems is None and all(refs is not None for _, _, refs in plans)
        planned([Document(id=d["id"], volume=d["volume"], type=d["type"], title=d["title"],
                          date=dt.date.fromisoformat(d["date"]), pages=len(refs), file=document_name(layer, i),
                          number=d.get("number"), author=d.get("author"))
                 for i, (d, _, refs) in enumerate(plans, start=1)] if predictable else None)
    total = sum(len(refs) if refs is not None else _pdf_pages(files[0]) for _, files, refs in plans)
    built: list[tuple[Document, object]] = []
    done = 0
    last_ocr = max((i for i, pending in enumerate(futures, start=1) if pending), default=0)
    try:
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
                if i == last_ocr:
                    # every page is read: the workers exit (~0.3 s each) while this document is made
                    pool.release()
            try:
                digests: dict = {}  # of exactly pdf_bytes, from the /ID's pass: the writer need not hash it
                pdf_bytes, pages, scan = _document_pdf(source, d, created, warnings, files=files, text_layers=texts,
                                                       ocr=ocr is not None, digests=digests)
            except BuildError as exc:
                if problems is None:
                    raise
                problems.append((d["id"], exc.en, exc.zh))
                continue
            token = sink(document_name(layer, i), pdf_bytes, digests.get("sha256"))
            del pdf_bytes
            built.append((Document(
                id=d["id"], volume=d["volume"], type=d["type"], title=d["title"],
                date=dt.date.fromisoformat(d["date"]), pages=pages, file=document_name(layer, i),
                number=d.get("number"), author=d.get("author"), scan=scan), token))
            done += pages
        if progress:
            progress(done, max(total, done), "")
    finally:
        if pool is not None:
            pool.close(cancel=True)
    return built


def _sheet_plan(base: "_Base", data: dict, case: Case, agency: Agency, volumes, docs: list[Document], layer: int,
                created: dt.datetime, credential: Credential, ocr: OcrOptions | None) -> list:
    """The volumes' sheets (pdfmake.sheets.plan_volume_sheets) for this layer's documents `docs`."""
    from ..pdfmake.sheets import GENERATED_TYPES, plan_volume_sheets

    own = [doc for doc in docs if doc.type in GENERATED_TYPES]
    if own:
        raise BuildError(f"document {own[0].id}: type {own[0].type} is generated by the builder; "
                         "drop it from dossier.toml or build with --no-generated-pages",
                         f"文书 {own[0].id}：{own[0].type} 由生成器自动编制；请从 dossier.toml 中删除，"
                         "或使用 --no-generated-pages")
    persons = [p for r in base.records for p in r.persons] + [
        Person(p["role"], p["name"], p.get("id_number"), p.get("gender")) for p in data.get("persons", [])]
    cn = re.search(r"(?:^|,)CN=((?:[^,\\]|\\.)+)", (credential.subject if credential else "") or "")
    from ..ocr import engine_label

    return plan_volume_sheets(base.records, docs, layer=layer, case=case, agency=agency,
                              new_volumes=volumes, persons=persons, created=created,
                              compiler=cn.group(1).replace("\\", "") if cn else None,
                              ocr_engine=engine_label(ocr.engine) if ocr else None)


class EarlySheets:
    """The sheets rendered in a forked child while the documents are made (issue 19, fifth round), from
    the plan of the documents as predicted before they were made (for scans every page count is known
    from the plan). Taken only for exactly that plan: `take` compares it with the plan of the documents
    as made, and returns None on any difference (or a failure in the child): then they are rendered as
    before. Rendering is a pure function of the plan, so equal plans give the same sheets."""

    def __init__(self, sheets: list, result):
        self.sheets, self.result = sheets, result

    def take(self, sheets: list):
        if sheets != self.sheets:
            return None
        try:
            return self.result.get()
        except Exception:  # noqa: BLE001 - rendered again here, which raises what it raises
            return None


def _start_sheets(base: "_Base", data: dict, case: Case, agency: Agency, volumes, predicted: list[Document],
                  layer: int, created: dt.datetime, credential: Credential, stack) -> EarlySheets | None:
    """Start rendering the sheets of the `predicted` documents in a forked child (kept in `stack`), or
    None where `_render_sheets` would not fork (PyMuPDF loaded, not Linux) or the plan fails (the real
    plan, after the documents, raises it in order)."""
    from ..forkpool import forked_pool

    if not _sheets_in_child():
        return None
    try:
        sheets = _sheet_plan(base, data, case, agency, volumes, predicted, layer, created, credential, None)
    except BuildError:
        return None
    if not sheets:
        return None
    pool = stack.enter_context(forked_pool(1))  # not `with Pool()`: its terminate() can hang (forkpool.py)
    return EarlySheets(sheets, pool.apply_async(_render_all, (sheets,)))


def _generated_documents(base: "_Base", data: dict, case: Case, agency: Agency, volumes, built, layer: int,
                         created: dt.datetime, credential: Credential, ocr: OcrOptions | None, sink: Sink,
                         known_docs: set[str], early: EarlySheets | None = None,
                         before_fork: Callable[[], None] | None = None) -> list[tuple[Document, object]]:
    """卷宗封面, 卷内目录 and 备考表 for every volume this layer adds or adds documents to
    (docs/builder.md): documents of their own, after this layer's source documents. `early`: sheets
    already rendered for the plan these documents give, if it is that plan; else they are rendered now,
    after `before_fork` (the writer drained: no write in flight when the sheets' child forks)."""
    sheets = _sheet_plan(base, data, case, agency, volumes, [doc for doc, _ in built], layer, created, credential, ocr)
    rendered = early.take(sheets) if early is not None else None
    if rendered is None:
        if before_fork is not None:
            before_fork()
        rendered = _render_sheets(sheets)
    out: list[tuple[Document, object]] = []
    n = len(built)
    for (vid, sheet), made in zip(sheets, rendered):
        if isinstance(made, tuple):  # (en, zh) of a GlyphError
            raise BuildError(f"volume {vid}: {made[0]}", f"卷 {vid}：{made[1]}")
        for doc_type, kind, pdf_bytes, pages in made:
            doc_id = f"{kind}-{layer:03d}-{vid}"
            if len(doc_id) > 64:
                doc_id = f"{kind}-{layer:03d}-{hashlib.sha256(vid.encode()).hexdigest()[:16]}"
            if doc_id in known_docs:
                raise BuildError(f"document id {doc_id!r} is reserved for a generated {doc_type}; rename that document",
                                 f"文书编号 {doc_id!r} 保留给自动生成的{doc_type}；请为该文书改名")
            n += 1
            token = sink(document_name(layer, n), pdf_bytes)
            out.append((Document(id=doc_id, volume=vid, type=doc_type, title=f"{sheet.volume_title}{doc_type}",
                                 date=created.date(), pages=pages, file=document_name(layer, n),
                                 author=agency.name), token))
    return out


def _render_one(sheet):
    """Cover, contents and remarks of one volume: [(type, kind, PDF bytes, pages)], or (en, zh) when a
    character has no glyph (GlyphError)."""
    from ..pdfmake.sheets import COVER, REMARKS, TOC, GlyphError, cover_pdf, remarks_pdf, toc_pdf

    try:
        made = [(COVER, "cover", cover_pdf(sheet), 1)]
        toc, toc_pages = toc_pdf(sheet)
        made.append((TOC, "toc", toc, toc_pages))
        made.append((REMARKS, "remarks", remarks_pdf(sheet), 1))
    except GlyphError as exc:
        return (exc.en, exc.zh)
    return made


def _render_all(sheets) -> list:
    return [_render_one(sheet) for _, sheet in sheets]


def _sheets_in_child() -> bool:
    """Whether the sheets are drawn in a forked child: when PyMuPDF is not loaded yet, on Linux (fork)."""
    import sys

    return "pymupdf" not in sys.modules and sys.platform.startswith("linux")


def _render_sheets(sheets) -> list:
    """Render the volumes' sheets in a forked child process when this one has not loaded PyMuPDF yet:
    PyMuPDF and its CJK font add about 22 MiB that would otherwise stay for the rest of the build, on
    top of which the preflight reads documents ahead (peak RSS, issue 19). The sheets are a few pages
    each; the child costs a fork. In process off Linux or when PyMuPDF is loaded anyway (OCR)."""
    from ..forkpool import forked_pool

    if not sheets or not _sheets_in_child():
        return _render_all(sheets)
    with forked_pool(1) as pool:  # not `with Pool()`: its terminate() can hang (forkpool.py)
        return pool.apply(_render_all, (sheets,))


def _document_pdf(source: Source, d: dict, created: dt.datetime, warnings: list, *, files: list[Path] | None = None,
                  text_layers=None, ocr: bool = False, digests: dict | None = None) -> tuple[bytes, int, Scan | None]:
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
                                          text_layers=text_layers, digests=digests)
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
