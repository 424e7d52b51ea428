"""Document-stage findings for one PDF member of a package.

The PDF/A-2 rules and the active-content policy live in `edossier.pdfa.check`; this module turns
their issues into registry findings (keeping the veraPDF rule id) and adds what the package knows
(the page count written in the record).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from ..findings import Finding, finding

_KIND_CODE = {"pdfa": "D003", "active": "D004", "unreadable": "D001", "internal": "X005"}


def image_findings(location: str, data: bytes, limits=None) -> list[Finding]:
    """D006/D007/D008 for the images of one PDF that opens cleanly (`images.check_pdf_images`): the
    same image checks the builder runs on every scan. A check that cannot run is X005, never a pass."""
    return _image_findings(location, _image_outcome(data, limits))


def _image_outcome(data: bytes, limits=None):
    """The image checks' issues (a list of images_pdf.ImageFinding), or why they could not run (str)."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False, suppress_warnings=True) as pdf:
            return _images_of(pdf, limits)
    except Exception as exc:  # noqa: BLE001 - an image check that cannot run leaves the document unchecked
        return f"{type(exc).__name__}: {exc}"


def _images_of(pdf, limits=None):
    """`_image_outcome` for a PDF already open strictly (attempt_recovery=False)."""
    from ..pdfa.limits import PdfLimits
    from ..pdfa.images_pdf import check_pdf_images

    limits = limits or PdfLimits()
    try:
        return check_pdf_images(pdf, max_stream_bytes=limits.max_stream_bytes, max_stream_tokens=limits.max_stream_tokens)
    except Exception as exc:  # noqa: BLE001 - an image check that cannot run leaves the document unchecked
        return f"{type(exc).__name__}: {exc}"


def _image_findings(location: str, outcome) -> list[Finding]:
    if isinstance(outcome, str):
        return [finding("X005", location, detail=f"the image checks did not run ({outcome})",
                        detail_zh=f"图像检查未能运行（{outcome}）")]
    return [finding(f.code, f"{location} ({f.location})", detail=f.en, detail_zh=f.zh) for f in outcome]


@dataclass(frozen=True)
class DocumentFacts:
    """What a document's checks find in its bytes alone: the PDF/A report and, for a file that opens
    cleanly, the image checks' outcome. A pure function of the bytes (`document_facts`), so it may be
    computed once and found again by the bytes' digest (validation/evidence.py)."""

    report: object  # pdfa.context.PdfReport
    images: object = None  # list[images_pdf.ImageFinding] | str (why they did not run) | None (not clean)


def document_facts(data: bytes) -> DocumentFacts:
    """The byte-only part of `check_document`, with its default limits."""
    from ..pdfa.check import check_pdf

    # The image checks run on the PDF the checker opened (strictly, and only when it counted the pages:
    # the same condition as before, when they opened the same bytes again themselves).
    images: list = []
    report = check_pdf(data, then=lambda pdf: images.append(_images_of(pdf)))
    if report.pages is not None and not images:  # unreachable by check_pdf's contract; never a silent pass
        images.append(_image_outcome(data))
    return DocumentFacts(report, images[0] if report.pages is not None else None)


def scan_findings(path, location: str | None = None, *, min_dpi: int = 200) -> list[Finding]:
    """D006/D008 (and D007 below `min_dpi`) for one source scan, as findings rather than a refusal:
    for a preflight that lists every problem at once. `location` defaults to the file name; the page
    of a multi-page file is added to it."""
    from pathlib import Path

    from ..pdfa.images import ImageDefect
    from ..pdfa.images_file import verify_image_file

    path = Path(path)
    location = location or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [finding("D006", location, detail=f"cannot be read ({exc.strerror or exc})",
                        detail_zh=f"无法读取（{exc.strerror or exc}）")]
    try:
        verify_image_file(path, data)
    except ImageDefect as exc:
        where = f"{location} (page {exc.page})" if exc.page else location
        return [finding(exc.code, where, detail=exc.en, detail_zh=exc.zh)]
    out = []
    from PIL import Image

    from ..pdfa.images import MAX_IMAGE_PIXELS
    from ..pdfa.images_pdf import scan_dpi

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    with Image.open(io.BytesIO(data)) as img:
        for i in range(getattr(img, "n_frames", 1)):
            img.seek(i)
            dpi = scan_dpi(img)
            if dpi is not None and dpi < min_dpi:
                where = f"{location} (page {i + 1})" if getattr(img, "n_frames", 1) > 1 else location
                out.append(finding("D007", where, detail=f"{dpi} dpi", detail_zh=f"{dpi} dpi"))
    return out


def check_document(location: str, data: bytes, *, expected_pages: int | None = None, agency=None,
                   at=None, signatures: bool = True, digests: dict | None = None) -> list[Finding]:
    """Findings for one PDF. With `signatures`, PDF signatures inside it are validated against the
    CAs of `agency` (the layer's trust-list entry); an incremental update is accepted when it is a
    signature revision, i.e. the last signature covers the whole file. `digests` ({algorithm: digest}
    of exactly `data`, computed by the caller from these bytes): the document facts noted for those
    bytes in this process (validation/evidence.py) are taken instead of being computed again."""
    import pikepdf

    from .evidence import facts_for

    out: list[Finding] = []
    facts = facts_for(digests)
    if facts is None:
        facts = document_facts(data)
    report = facts.report
    # A cleanly opened file says itself whether it has a /ByteRange outside stream data and how many
    # pages it has; otherwise look at the raw bytes and open it again, strictly.
    clean = report.pages is not None
    signed_whole_file = False
    if signatures and (report.byte_range if clean else b"/ByteRange" in data):
        from ..signing.pades import verify_pdf_signatures

        sigs = verify_pdf_signatures(location, data, agency=agency, at=at)
        out += sigs.findings
        signed_whole_file = sigs.count > 0 and sigs.covers_whole_file and not sigs.findings
    if report.claimed is None or not report.claimed.startswith("2"):
        claim = f"PDF/A-{report.claimed}" if report.claimed else "no PDF/A identification"
        out.append(finding("D002", location, detail=claim,
                           detail_zh=claim if report.claimed else "没有 PDF/A 标识"))
    for issue in report.issues:
        if issue.rule_id == "AC-INCREMENTAL" and signed_whole_file:
            continue  # the increments are the signatures' own revisions, checked above
        code = _KIND_CODE.get(issue.kind, "X005")
        where = f"{location} ({issue.location})" if issue.location else location
        out.append(finding(code, where, rule_id=issue.rule_id if code in ("D003", "D004") else None,
                           rule=issue.rule_id, detail=issue.message_en, detail_zh=issue.message_zh))
    if clean:
        out += _image_findings(location, facts.images if facts.images is not None else _image_outcome(data))
    if expected_pages is not None and not any(f.code == "D001" for f in out):
        try:
            if clean:
                pages = report.pages
            else:
                with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
                    pages = len(pdf.pages)
        except Exception:  # noqa: BLE001 - the checker has already reported why it cannot be opened
            return out
        if pages != expected_pages:
            out.append(finding("S006", location, detail=f"the record says {expected_pages} pages, the PDF has {pages}",
                               detail_zh=f"卷宗记录称 {expected_pages} 页，PDF 实有 {pages} 页"))
    return out
