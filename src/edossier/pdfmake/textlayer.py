"""The invisible OCR text layer: one Form XObject per page, text in render mode 3 over the words.

Drawn with PyMuPDF in the embedded CJK font (with the fallbacks of pdfmake/sheets.py), subset, then
copied into the scan document with pikepdf. Characters no font has are dropped from the layer
(never drawn as .notdef, PDF/A-2 6.2.11.8); every glyph has a Unicode mapping (ToUnicode).
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Name

from ..ocr.types import PageText
from .finish import fix_cid_fonts


def add_text_layers(pdf: pikepdf.Pdf, texts: list[PageText | None]) -> None:
    import pymupdf

    from .sheets import default_fonts

    fonts = default_fonts()
    overlay = pymupdf.open()
    for page, text in zip(pdf.pages, texts):
        box = [float(v) for v in page.MediaBox]
        pw, ph = box[2] - box[0], box[3] - box[1]
        op = overlay.new_page(width=pw, height=ph)
        if not text or not text.lines or not text.width or not text.height:
            continue
        sx, sy = pw / text.width, ph / text.height
        for line in text.lines:
            s = fonts.drawable(line.text).strip()
            if not s:
                continue
            x0, y0, x1, y1 = line.x0 * sx, line.y0 * sy, line.x1 * sx, line.y1 * sy
            h = max(y1 - y0, 1.0)
            size = h * 0.9
            natural = fonts.width(s, size)
            if natural <= 0:
                continue
            base = y1 - h * 0.15
            tw = pymupdf.TextWriter(op.rect)
            fonts.append(tw, (x0, base), s, size)
            scale = max(0.2, min(5.0, (x1 - x0) / natural))
            tw.write_text(op, render_mode=3, morph=(pymupdf.Point(x0, base), pymupdf.Matrix(scale, 1)))
    overlay.subset_fonts()
    raw = overlay.tobytes(garbage=4, deflate=True, no_new_id=True)
    overlay.close()
    with pikepdf.open(io.BytesIO(raw)) as ov:
        fix_cid_fonts(ov)
        for i, text in enumerate(texts):
            if not text or not text.lines:
                continue
            src = ov.pages[i]
            if "/Contents" not in src.obj:
                continue
            form = pdf.copy_foreign(src.as_form_xobject())
            page = pdf.pages[i]
            page.Resources.XObject[Name.Ocr0] = form
            page.contents_add(pdf.make_stream(b"q /Ocr0 Do Q"), prepend=False)
