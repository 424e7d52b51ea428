"""Document-stage findings for one PDF member of a package.

The PDF/A-2 rules and the active-content policy live in `edossier.pdfa.check`; this module turns
their issues into registry findings (keeping the veraPDF rule id) and adds what the package knows
(the page count written in the record).
"""

from __future__ import annotations

import io

from ..findings import Finding, finding

_KIND_CODE = {"pdfa": "D003", "active": "D004", "unreadable": "D001", "internal": "D005"}


def check_document(location: str, data: bytes, *, expected_pages: int | None = None) -> list[Finding]:
    import pikepdf

    from .check import check_pdf

    out: list[Finding] = []
    report = check_pdf(data)
    if report.claimed is None or not report.claimed.startswith("2"):
        claim = f"PDF/A-{report.claimed}" if report.claimed else "no PDF/A identification"
        out.append(finding("D002", location, detail=claim))
    for issue in report.issues:
        code = _KIND_CODE.get(issue.kind, "D005")
        where = f"{location} ({issue.location})" if issue.location else location
        out.append(finding(code, where, rule_id=issue.rule_id if code in ("D003", "D004") else None,
                           rule=issue.rule_id, detail=issue.message_en, detail_zh=issue.message_zh))
    if expected_pages is not None and not any(f.code == "D001" for f in out):
        try:
            with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
                pages = len(pdf.pages)
        except Exception:  # noqa: BLE001 - the checker has already reported why it cannot be opened
            return out
        if pages != expected_pages:
            out.append(finding("S006", location, detail=f"the record says {expected_pages} pages, the PDF has {pages}"))
    return out
