"""False alarms of the PDF/A-2 checker on conforming files from producers other than the veraPDF corpus.

Makes PDF/A-2 files with every producer available here and checks each one (PDF/A rules only, as for the
corpus figures; active-content policy is a separate question). Prints one line per file and the count of
files with any issue. Producers that are not installed are skipped and named as skipped.

- edossier: the project's own writer (edossier.pdfmake.scans.images_to_pdfa) on scans of several formats,
  with and without an OCR text layer;
- pikepdf: hand-made PDF/A-2b/2u files (tests/test_pdfa_check.py recipes) and the conforming edge cases of
  tests/test_pdfa_edge_cases.py;
- pymupdf: PyMuPDF text with an embedded subset CJK font, finished with pikepdf (PDFA.md §3.1);
- ghostscript: `gs -dPDFA=2 -dPDFACompatibilityPolicy=1` (when `gs` is installed) on PDFs of the other
  producers and on a PostScript page;
- libreoffice: Writer's PDF/A-2b export (when `soffice` is installed) of HTML documents with CJK and Latin
  text in several fonts, tables, images (RGB, grey, with alpha), links, bookmarks, headings, tagged PDF.
  PDF/UA export is left out: LibreOffice 7.4 writes pdfuaid:part without declaring its schema, which
  ISO 19005-2 6.6.2.3.1 forbids (a true finding, not a false alarm);
- weasyprint: `--pdf-variant pdf/a-2b` and `pdf/a-2u` (when the weasyprint package is importable) of the same
  documents, with `image-rendering: pixelated`: by default WeasyPrint writes /Interpolate true on images,
  which ISO 19005-2 6.2.8 forbids (again a true finding);
- ocrmypdf: `--output-type pdfa-2 -l chi_sim+eng` (when the ocrmypdf package and tesseract are installed)
  on generated scans (PNG, Group 4 TIFF, JPEG with printed Chinese and Latin text). Left out: OCRmyPDF
  `--force-ocr` of LibreOffice's CJK PDF, where Ghostscript 10.00 re-embeds the font as a Type 0 font
  whose embedded CMap "Adobe-Identity-UCS" has an empty CIDSystemInfo under an Adobe-Identity CIDFont:
  ISO 19005-2 6.2.11.3.1 (and veraPDF's test) require the same Registry and Ordering for any CMap but
  Identity-H/-V, so that file is refused rightly.

    PYTHONPATH=src:tests python benchmarks/pdfa_outside.py [-v]
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))

from edossier.pdfa.check import check_pdf  # noqa: E402


def edossier_files(tmp: Path):
    from PIL import Image

    from edossier.pdfmake.scans import images_to_pdfa

    made = []
    specs = [("rgb.jpg", "RGB", "JPEG", {}), ("gray.jpg", "L", "JPEG", {}), ("gray.png", "L", "PNG", {}),
             ("rgb.png", "RGB", "PNG", {}), ("bw.tif", "1", "TIFF", {"compression": "group4"}),
             ("rgba.png", "RGBA", "PNG", {}), ("p.png", "P", "PNG", {})]
    for name, mode, fmt, kw in specs:
        p = tmp / name
        Image.new(mode, (620, 877), 128 if mode in ("L", "1", "P") else None).save(p, fmt, dpi=(75, 75), **kw)
        made.append(p)
    created = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    for p in made:
        data, _ = images_to_pdfa([p], title="卷宗", author="某公安局", created=created)
        yield f"edossier/{p.name}", data
    data, _ = images_to_pdfa(made, title="卷宗 全部", author=None, created=created)
    yield "edossier/all-formats", data
    # the invisible OCR text layer (rendering mode 3, embedded subset CJK font) on every page
    from edossier.ocr.types import OcrLine, PageText

    layers = [PageText(620, 877, [OcrLine("起诉意见书 第一页", 40, 40, 400, 80),
                                  OcrLine("Case file 2026 – 张某", 40, 100, 500, 130, 0.8)]) for _ in made]
    data, _ = images_to_pdfa(made, title="卷宗 OCR", author=None, created=created, text_layers=layers)
    yield "edossier/all-formats with OCR layer", data


def pikepdf_files(tmp: Path):
    import test_pdfa_check as t
    import test_pdfa_edge_cases as e

    yield "pikepdf/minimal-2b", t.minimal_pdfa()
    for case, xml in sorted(e.XMP_CONFORMING.items()):
        yield f"pikepdf/xmp {case}", e.with_xmp(xml)
    for fields in ("", "<pdfaType:field><rdf:Seq/></pdfaType:field>"):
        yield f"pikepdf/ext-type fields={'empty' if fields else 'absent'}", \
            e.with_xmp(e._ext(fields, "<case:stage>审查起诉</case:stage>"))
    yield "pikepdf/ext-type with fields", e.with_xmp(e._ext(e._FIELD, e._STRUCT_VALUE))
    from pikepdf import Name
    yield "pymupdf+pikepdf/embedded identity CMap", e._cmap_font(tmp, e._cmap(e._FULL))
    for how in ("operator", "dict"):
        body = b"/Identity-H usecmap" if how == "operator" else b""
        kw = {"UseCMap": Name("/Identity-H")} if how == "dict" else {}
        yield f"pymupdf+pikepdf/usecmap Identity-H ({how})", e._cmap_font(tmp, e._cmap(body), **kw)


def pymupdf_files(tmp: Path):
    import test_pdfa_check as t

    yield "pymupdf/recipe-2u", t._recipe_2u(tmp)
    yield "pymupdf/recipe-2u no OCR page", t._recipe_2u(tmp, ocr_layer=False)


def gs_files(tmp: Path, inputs: list[tuple[str, bytes]]):
    gs = shutil.which("gs")
    if gs is None:
        print("skipped: ghostscript (gs not installed)")
        return
    lib = Path(subprocess.run([gs, "-q", "-dNODISPLAY", "-dNOSAFER", "-c",
                               "(PDFA_def.ps) findlibfile {pop =} {pop} ifelse quit"],
                              capture_output=True, text=True).stdout.strip() or "")
    icc = Path("/usr/share/color/icc/ghostscript/srgb.icc")
    if not lib.is_file() or not icc.is_file():
        print("skipped: ghostscript (no PDFA_def.ps or srgb.icc)")
        return
    deff = tmp / "PDFA_def.ps"
    deff.write_text(lib.read_text(encoding="latin-1").replace("(srgb.icc)", f"({icc})"), encoding="latin-1")
    ps = tmp / "page.ps"
    ps.write_text("%!PS\n/Helvetica findfont 24 scalefont setfont 72 700 moveto (Case file 2026) show\n"
                  "0.2 0.4 0.6 setrgbcolor 72 400 200 200 rectfill\n/Times-Roman findfont 12 scalefont setfont\n"
                  "72 300 moveto (Procuratorate review, page 1) show showpage\n")
    srcs = [("page.ps", ps)]
    for name, data in inputs:
        p = tmp / (name.replace("/", "_").replace(" ", "_") + ".pdf")
        p.write_bytes(data)
        srcs.append((name, p))
    for name, src in srcs:
        out = tmp / "gs-out.pdf"
        r = subprocess.run([gs, "-q", "-dPDFA=2", "-dBATCH", "-dNOPAUSE", "-dNOSAFER", "-sDEVICE=pdfwrite",
                            "-sColorConversionStrategy=RGB", "-dPDFACompatibilityPolicy=1",
                            f"-sOutputFile={out}", str(deff), str(src)], capture_output=True, text=True, timeout=120)
        if r.returncode != 0 or not out.is_file():
            print(f"gs failed on {name}: {r.stderr.strip()[:200]}")
            continue
        yield f"ghostscript {r and subprocess.run([gs, '--version'], capture_output=True, text=True).stdout.strip()}"\
              f"/{name}", out.read_bytes()


_LO_DOCS = {
    "cjk-text": '''<h1 style="font-family:'Noto Sans CJK SC'">起诉意见书</h1>
<p style="font-family:'Noto Sans CJK SC'">犯罪嫌疑人张某，男，1988年2月3日出生。经依法侦查查明：2026年1月，张某在深圳市南山区盗窃他人财物。</p>
<table border="1"><tr><td>编号</td><td>名称</td></tr><tr><td>1</td><td>手机</td></tr></table>''',
    "latin-fonts": '''<p style="font-family:'DejaVu Serif'"><b>Bold</b> <i>italic</i> “quotes” € ﬁ ü ß ½ →</p>
<p style="font-family:'Nimbus Roman'">Nimbus Roman: The quick brown fox 0123456789 ©®</p>
<p style="font-family:'Nimbus Sans'"><b>Nimbus Sans bold</b> <i>oblique</i></p>
<p style="font-family:'Nimbus Mono PS'">Nimbus Mono PS: if (a &lt; b) return;</p>
<p style="font-family:'C059'">C059 Century</p><p style="font-family:'DejaVu Sans Mono'">mono ─┼─ ✓</p>''',
    "fallback-font": '''<p style="font-family:'Droid Sans Fallback'">检察院审查起诉 审判 判决书 ①②③ 〇</p>
<p style="font-family:'Noto Sans CJK TC'">繁體字 檢察院</p><p style="font-family:'Noto Sans CJK JP'">ひらがな カタカナ</p>''',
    "images-links": '''<p>图像 images <img src="rgb.png" width="200" height="120"> <img src="gray.jpg">
<img src="alpha.png" width="100" height="100"></p>
<p><a href="https://example.org/">外部链接 link</a> and <a href="#s2">internal</a></p>
<h2 id="s2">第二节 Section 2</h2><p>end</p>''',
    "long": "".join(f"<h2>第{i}章</h2><p>" + "笔录内容，询问人：李某；被询问人：王某。" * 40 + "</p>" for i in range(1, 13)),
}
_LO_OPTS = {
    "pdfa2b": '"SelectPdfVersion":{"type":"long","value":"2"}',
    "pdfa2b+bookmarks+notes": '"SelectPdfVersion":{"type":"long","value":"2"},"ExportBookmarks":{"type":"boolean","value":"true"},'
                              '"ExportNotes":{"type":"boolean","value":"true"}',
}


def lo_files(tmp: Path):
    soffice = shutil.which("soffice")
    if soffice is None:
        print("skipped: libreoffice (soffice not installed)")
        return
    from PIL import Image

    d = tmp / "lo"
    d.mkdir()
    Image.new("RGB", (200, 120), (30, 120, 200)).save(d / "rgb.png")
    Image.new("L", (100, 100), 90).save(d / "gray.jpg")
    Image.new("RGBA", (100, 100), (200, 30, 30, 128)).save(d / "alpha.png")
    for name, body in _LO_DOCS.items():
        (d / f"{name}.html").write_text(f'<html><head><meta charset="utf-8"><title>{name}</title></head>'
                                        f"<body>{body}</body></html>", encoding="utf-8")
    ver = subprocess.run([soffice, "--version"], capture_output=True, text=True).stdout.split()[:2]
    for opt, js in _LO_OPTS.items():
        out = d / opt
        srcs = [str(d / f"{n}.html") for n in _LO_DOCS]
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{d}/profile",
                        "--infilter=HTML (StarWriter)", "--convert-to", f"pdf:writer_pdf_Export:{{{js}}}",
                        "--outdir", str(out), *srcs], capture_output=True, text=True, timeout=600)
        for n in _LO_DOCS:
            pdf = out / f"{n}.pdf"
            if pdf.is_file():
                yield f"{' '.join(ver)}/{opt}/{n}", pdf.read_bytes()
            else:
                print(f"libreoffice failed on {n} ({opt})")


def weasyprint_files(tmp: Path):
    try:
        import weasyprint
    except Exception:  # noqa: BLE001
        print("skipped: weasyprint (not installed)")
        return
    from PIL import Image

    d = tmp / "wp"
    d.mkdir()
    Image.new("RGB", (200, 120), (30, 120, 200)).save(d / "rgb.png")
    Image.new("L", (100, 100), 90).save(d / "gray.jpg")
    Image.new("RGBA", (100, 100), (200, 30, 30, 128)).save(d / "alpha.png")
    for variant in ("pdf/a-2b", "pdf/a-2u"):
        for name, body in _LO_DOCS.items():
            html = (f'<html><head><meta charset="utf-8"><title>{name}</title>'
                    f"<style>img {{ image-rendering: pixelated }}</style></head><body>{body}</body></html>")
            data = weasyprint.HTML(string=html, base_url=str(d)).write_pdf(pdf_variant=variant)
            yield f"weasyprint {weasyprint.__version__}/{variant}/{name}", data


def ocrmypdf_files(tmp: Path, pdf_inputs: list[tuple[str, bytes]]):
    try:
        import ocrmypdf
    except Exception:  # noqa: BLE001
        print("skipped: ocrmypdf (not installed)")
        return
    if shutil.which("tesseract") is None:
        print("skipped: ocrmypdf (tesseract not installed)")
        return
    from PIL import Image, ImageDraw, ImageFont

    d = tmp / "ocr"
    d.mkdir()
    fonts = sorted(Path("/usr/share/fonts").rglob("NotoSansCJK-Regular.tt*"))
    font = ImageFont.truetype(str(fonts[0]), 40) if fonts else ImageFont.load_default()
    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(["起诉意见书", "犯罪嫌疑人张某，男，1988年出生。", "Case file 2026 page 1"]):
        draw.text((100, 150 + i * 80), line, font=font, fill=0)
    srcs = []
    for name, im, kw in (("scan.png", img, {}), ("scan.tif", img.convert("1"), {"compression": "group4"}),
                         ("scan.jpg", img.convert("RGB"), {"quality": 85})):
        im.save(d / name, dpi=(150, 150), **kw)
        srcs.append((name, d / name, []))
    for name, data in pdf_inputs:
        src = d / (name.replace("/", "_").replace(" ", "_") + ".pdf")
        src.write_bytes(data)
        srcs.append((name, src, ["--force-ocr"]))
    for name, src, extra in srcs:
        out = d / "out.pdf"
        r = subprocess.run([sys.executable, "-m", "ocrmypdf", "-q", "-l", "chi_sim+eng", "--output-type", "pdfa-2",
                            "--image-dpi", "150", *extra, str(src), str(out)], capture_output=True, text=True,
                           timeout=600)
        if r.returncode != 0 or not out.is_file():
            print(f"ocrmypdf failed on {name}: {r.stderr.strip()[-200:]}")
            continue
        yield f"ocrmypdf {ocrmypdf.__version__}/{name}", out.read_bytes()
        out.unlink()


def main() -> int:
    verbose = "-v" in sys.argv
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        files = list(edossier_files(tmp)) + list(pikepdf_files(tmp)) + list(pymupdf_files(tmp))
        gs_inputs = [f for f in files if f[0].startswith(("edossier/rgb.jpg", "edossier/all", "pymupdf/"))]
        files += list(weasyprint_files(tmp))
        lo = list(lo_files(tmp))
        files += lo
        gs_inputs += [f for f in lo if f[0].endswith(("/pdfa2b/cjk-text", "/pdfa2b/images-links"))]
        files += list(gs_files(tmp, gs_inputs))
        files += list(ocrmypdf_files(tmp, []))
        for name, data in files:
            rep = check_pdf(data, active_content=False)
            rows.append((name, rep))
    flagged = [(n, r) for n, r in rows if r.issues]
    by_producer: dict[str, list[int]] = {}
    for n, r in rows:
        c = by_producer.setdefault(n.split("/")[0], [0, 0])
        c[0] += 1
        c[1] += bool(r.issues)
    for n, r in rows:
        if verbose or r.issues:
            print(f"{'FLAGGED' if r.issues else 'ok     '} {n} [{r.claimed}] "
                  + "; ".join(f"{i.rule_id} {i.location} {i.message_en[-80:]}" for i in r.issues[:5]))
    for p, (n, f) in sorted(by_producer.items()):
        print(f"{p}: {n} files, {f} flagged")
    print(f"total: {len(rows)} conforming files, {len(flagged)} flagged")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
