"""Conformance cases: document cases (D). Registered in CASES (casekit.py) on import."""

from __future__ import annotations

import io

from .casekit import base, case, pdf_edit, with_document
from .builder import read_members


# --- documents (D) ------------------------------------------------------------------------------------

@case("bad", "D001", "not-a-pdf", "A document member holds a PNG image, not a PDF.", "文件成员中是 PNG 图像，不是 PDF。",
      allowed=("D002", "D003", "D004"))
def _(w):
    import base64

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAWk1v8QAAAABJRU5ErkJggg==")
    return with_document(w, png)


@case("bad", "D001", "pdf-truncated", "A document cut off after its first kilobyte.", "文件在第一千字节后被截断。",
      allowed=("D002", "D003", "D004"))
def _(w):
    return with_document(w, read_members(base(w))["documents/001/0002.pdf"][:1024])


@case("bad", "D002", "no-pdfa-claim", "A valid PDF without XMP metadata, so without a PDF/A-2 claim.",
      "有效的 PDF，但没有 XMP 元数据，因此未声明 PDF/A-2。", allowed=("D003",))
def _(w):
    return pdf_edit(w, lambda pdf: pdf.Root.__delitem__("/Metadata"))


@case("bad", "D002", "pdfa-1b-claim", "A document that claims PDF/A-1b instead of PDF/A-2.",
      "文件声明为 PDF/A-1b，而不是 PDF/A-2。", allowed=("D003",))
def _(w):
    def change(pdf):
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["pdfaid:part"] = "1"
            meta["pdfaid:conformance"] = "B"
    return pdf_edit(w, change)


@case("bad", "D003", "no-output-intent", "A PDF/A-2u claim, but the output intent (sRGB profile) was removed.",
      "声明为 PDF/A-2u，但输出意图（sRGB 色彩配置）被删除。")
def _(w):
    return pdf_edit(w, lambda pdf: pdf.Root.__delitem__("/OutputIntents"))


def _jpeg(size=(64, 48)) -> bytes:
    """A small baseline grey JPEG, made the same way every time."""
    from PIL import Image, ImageDraw

    img = Image.new("L", size, 255)
    ImageDraw.Draw(img).rectangle([8, 8, size[0] - 8, size[1] - 8], outline=0, width=3)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _with_image(jpeg: bytes, *, whole_page: bool = False):
    """A pdf_edit change that draws `jpeg` (DCTDecode, as is) in a 64×48 pt box on the first page, or
    stretched over the whole page."""
    import pikepdf

    def change(pdf):
        page = pdf.pages[0]
        box = [float(v) for v in page.mediabox]
        cm = (f"q {box[2] - box[0]:.2f} 0 0 {box[3] - box[1]:.2f} {box[0]:.2f} {box[1]:.2f} cm" if whole_page
              else "q 64 0 0 48 36 36 cm").encode()
        img = pikepdf.Stream(pdf, jpeg, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=64, Height=48,
                             ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
        res = page.obj.get("/Resources")
        if res is None:
            res = page.obj.Resources = pikepdf.Dictionary()
        if "/XObject" not in res:
            res.XObject = pikepdf.Dictionary()
        res.XObject.ImCase = img
        page.contents_add(pdf.make_stream(cm + b" /ImCase Do Q"), prepend=False)
    return change


@case("bad", "D006", "truncated-jpeg", "A scanned image cut to half its length: the page would render half grey.",
      "扫描图像被截去一半，页面将显示一半灰色。", allowed=("D003",))
def _(w):
    jpeg = _jpeg()
    sos = jpeg.index(b"\xff\xda")
    return pdf_edit(w, _with_image(jpeg[:sos + (len(jpeg) - sos) // 2]))


@case("warn", "D007", "low-resolution-scan", "A page scanned at about 8 dpi: 64×48 pixels stretched over an A4 page.",
      "约 8 dpi 的扫描页：64×48 像素铺满整张 A4 页面。", allowed=("D003",))
def _(w):
    return pdf_edit(w, _with_image(_jpeg(), whole_page=True))


@case("bad", "D008", "arithmetic-jpeg", "A JPEG image that declares arithmetic coding (SOF9), which PDF readers draw blank.",
      "JPEG 图像声明为算术编码（SOF9），PDF 阅读器显示为空白。", allowed=("D003",))
def _(w):
    jpeg = _jpeg()
    sof = jpeg.index(b"\xff\xc0")
    return pdf_edit(w, _with_image(jpeg[:sof + 1] + b"\xc9" + jpeg[sof + 2:]))


@case("bad", "D004", "javascript-open-action", "The document runs JavaScript when opened (OpenAction).",
      "文件打开时执行 JavaScript（OpenAction）。", allowed=("D003",))
def _(w):
    import pikepdf

    def change(pdf):
        pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('edossier');")))
    return pdf_edit(w, change)


@case("bad", "D004", "launch-action", "A link annotation that launches a program.", "文件中有启动外部程序的链接注释。",
      allowed=("D003",))
def _(w):
    import pikepdf

    def change(pdf):
        annot = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[10, 10, 100, 40], F=4, Border=[0, 0, 0],
            A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))))
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([annot]))
    return pdf_edit(w, change)


@case("bad", "D004", "embedded-file", "The document carries an embedded file (a hidden attachment).",
      "文件内嵌了附件（隐藏的附加文件）。", allowed=("D003",))
def _(w):
    import pikepdf

    def change(pdf):
        spec = pikepdf.AttachedFileSpec(pdf, b"hidden evidence\n", filename="note.txt", mime_type="text/plain")
        pdf.attachments["note.txt"] = spec
    return pdf_edit(w, change)


@case("bad", "D004", "incremental-update", "An unsigned incremental update appended to the document (a page changed).",
      "文件末尾追加了未签名的增量更新（页面被改动）。", allowed=("D003",))
def _(w):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class Writer(IncrementalPdfFileWriter):
        def _update_meta(self):  # no ModDate / XMP update with the current time: same bytes every run
            pass

    data = read_members(base(w))["documents/001/0002.pdf"]
    iw = Writer(io.BytesIO(data))
    page = iw.root["/Pages"]["/Kids"][0].get_object()
    page["/UserUnit"] = generic.FloatObject(1.0)
    iw.update_container(page)
    out = io.BytesIO()
    iw.write(out)
    return with_document(w, _fixed_trailer_id(out.getvalue(), data))


def _fixed_trailer_id(new: bytes, old: bytes) -> bytes:
    """pyHanko gives an incremental update a random second file identifier; use a fixed one."""
    import re

    m = re.search(rb"/ID\s*\[\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*\]", new[len(old):])
    if not m:
        return new
    start = len(old) + m.start(2)
    return new[:start] + b"0" * len(m.group(2)) + new[start + len(m.group(2)):]
