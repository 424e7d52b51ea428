"""atheris harness: the PDF checks (edossier.pdfa.check.check_pdf).

Contract: check_pdf returns a PdfReport for any bytes; every exception inside a check becomes an issue.

    python fuzz/fuzz_pdf.py -max_total_time=3600 -rss_limit_mb=2048 -timeout=20 -max_len=65536 \\
        fuzz/corpus/pdf fuzz/seeds/pdf
"""

from __future__ import annotations

import sys


def TestOneInput(data: bytes) -> None:  # noqa: N802
    from edossier.pdfa.check import PdfLimits, PdfReport, check_pdf

    report = check_pdf(data, limits=PdfLimits(max_file_bytes=1 << 20, max_stream_bytes=1 << 22,
                                              max_content_ops=200_000, max_walk_nodes=200_000))
    assert isinstance(report, PdfReport)


if __name__ == "__main__":
    import atheris

    with atheris.instrument_imports(include=["edossier"]):
        import edossier.pdfa.check  # noqa: F401
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
