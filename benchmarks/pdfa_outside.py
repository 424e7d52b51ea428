"""False alarms of the PDF/A-2 checker on conforming files from producers other than the veraPDF corpus.

Makes PDF/A-2 files with every producer available here and checks each one (PDF/A rules only, as for the
corpus figures; active-content policy is a separate question). Prints one line per file and the count of
files with any issue. Producers that are not installed are skipped and named as skipped.

- edossier: the project's own writer (edossier.pdfa.build.images_to_pdfa) on scans of several formats,
  with and without an OCR text layer;
- pikepdf: hand-made PDF/A-2b/2u files (tests/test_pdfa_check.py recipes) and the conforming edge cases of
  tests/test_pdfa_edge_cases.py;
- pymupdf: PyMuPDF text with an embedded subset CJK font, finished with pikepdf (PDFA.md §3.1);
- ghostscript: `gs -dPDFA=2 -dPDFACompatibilityPolicy=1` (when `gs` is installed) on PDFs of the other
  producers and on a PostScript page.

    PYTHONPATH=src:tests python benchmarks/pdfa_outside.py [-v]
"""

from __future__ import annotations

import datetime as dt
import io
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

    from edossier.pdfa.build import images_to_pdfa

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
    try:
        from edossier.ocr.layer import PageText  # noqa: F401
    except Exception:  # noqa: BLE001
        return


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


def main() -> int:
    verbose = "-v" in sys.argv
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        files = list(edossier_files(tmp)) + list(pikepdf_files(tmp)) + list(pymupdf_files(tmp))
        gs_inputs = [f for f in files if f[0].startswith(("edossier/rgb.jpg", "edossier/all", "pymupdf/"))]
        files += list(gs_files(tmp, gs_inputs))
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
