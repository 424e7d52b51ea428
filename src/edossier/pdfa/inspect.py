"""Document-stage checks for one PDF member of a package.

The full PDF/A-2 rule set and active-content policy live in `edossier.pdfa.check`; this module turns
their results into findings and adds what the package knows (the page count in the record).
"""

from __future__ import annotations

import io

from ..findings import Finding, finding


def check_document(location: str, data: bytes, *, expected_pages: int | None = None) -> list[Finding]:
    import pikepdf

    out: list[Finding] = []
    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
            pages = len(pdf.pages)
            claim = pdf.open_metadata().pdfa_status or ""
    except Exception as exc:  # noqa: BLE001 - any failure to open is a finding for this document
        return [finding("D001", location, detail=str(exc)[:200] or type(exc).__name__)]
    if not claim.startswith("2"):
        out.append(finding("D002", location, detail=f"PDF/A-{claim}" if claim else "no PDF/A identification"))
    if expected_pages is not None and pages != expected_pages:
        out.append(finding("S006", location, detail=f"the record says {expected_pages} pages, the PDF has {pages}"))
    return out
