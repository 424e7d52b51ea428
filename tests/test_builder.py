"""The builder (issue 8): lossless image inputs, image-only PDF re-wrap, PDF/A structure of everything
written, reproducible packages, progress."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pikepdf
import pytest
from PIL import Image, ImageCms, ImageDraw, ImageOps

from conftest import make_source, scan
from edossier.building.pipeline import BuildError, build_package
from edossier.pdfmake.scans import images_to_pdfa, rewrap_image_pdf, NotImageOnly
from edossier.pdfa.check import check_pdf

WHEN = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def make(paths, **kw):
    return images_to_pdfa(paths, title="立案决定书", author="深圳市公安局南山分局", created=WHEN, **kw)


def _objects_with_streams(pdf):
    """Every content stream (pages and form XObjects, recursively) with its resources."""
    seen = set()

    def walk(contents_owner, resources):
        res = resources or pikepdf.Dictionary()
        yield contents_owner, res
        for _, xo in (res.get("/XObject") or {}).items():
            if xo.get("/Subtype") == "/Form" and xo.objgen not in seen:
                seen.add(xo.objgen)
                yield from walk(xo, xo.get("/Resources"))

    for page in pdf.pages:
        yield from walk(page, page.obj.get("/Resources"))


def assert_structure(data: bytes) -> None:
    """The acceptance's structural tests, plus the project's PDF/A checker."""
    report = check_pdf(data)
    assert report.conformant, [(i.rule_id, i.location, i.detail) for i in report.issues]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.trailer.ID and len(pdf.trailer.ID) == 2
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1"
        icc = intents[0].DestOutputProfile.read_bytes()
        assert icc[16:20] == b"RGB " and ImageCms.getProfileDescription(
            ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip().lower().startswith("srgb")
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "U"
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            assert re.search(r"(Z|[+-]\d\d:\d\d)$", str(meta[key])), key
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
                if obj.get("/Subtype") == "/Type0":
                    assert "/ToUnicode" in obj
                    desc = obj.DescendantFonts[0]
                    assert desc.get("/CIDToGIDMap") == "/Identity" or "/CIDToGIDMap" in desc
                    assert "/FontFile2" in desc.FontDescriptor or "/FontFile3" in desc.FontDescriptor
                else:
                    assert obj.get("/Subtype") == "/Type3" or "/FontDescriptor" in obj
        for owner, res in _objects_with_streams(pdf):
            fonts = res.get("/Font") or {}
            current = None
            if isinstance(owner, pikepdf.Page):
                ops = pikepdf.parse_content_stream(owner)
            else:
                ops = pikepdf.parse_content_stream(owner)
            for operands, op in ops:
                if str(op) == "Tf":
                    current = fonts.get(str(operands[0]))
                elif str(op) in ("Tj", "TJ", "'", '"') and current is not None and current.get("/Subtype") == "/Type0":
                    strings = [o for o in (operands[-1] if str(op) == "TJ" else [operands[-1]])
                               if isinstance(o, pikepdf.String)]
                    for s in strings:
                        raw = bytes(s)
                        cids = [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]
                        assert 0 not in cids, "a .notdef glyph (CID 0) is drawn"


# ---------------------------------------------------------------------------------------------
# Images in


def test_exif_orientation_upright_and_bytes_kept(tmp_path):
    import numpy as np
    import pymupdf

    base = Image.new("RGB", (120, 80), "white")
    d = ImageDraw.Draw(base)
    d.rectangle([5, 5, 40, 30], fill="red")
    d.rectangle([80, 50, 115, 75], fill="blue")
    for orientation in (3, 6, 8, 5):
        p = tmp_path / f"o{orientation}.jpg"
        exif = Image.Exif()
        exif[0x0112] = orientation
        base.save(p, "JPEG", quality=95, exif=exif.tobytes(), dpi=(72, 72))
        data, infos = make([p])
        assert p.read_bytes() in data and infos[0].passthrough
        upright = ImageOps.exif_transpose(Image.open(p)).convert("RGB")
        pix = pymupdf.open(stream=data)[0].get_pixmap(dpi=72)
        shown = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
        assert shown.size == upright.size
        assert np.abs(np.asarray(shown, int) - np.asarray(upright, int)).mean() < 3
        assert_structure(data)


def test_g4_tiff_strip_passed_through(tmp_path):
    img = Image.new("1", (200, 100), 1)
    ImageDraw.Draw(img).rectangle([20, 10, 80, 50], fill=0)
    tif = tmp_path / "g4.tif"
    img.save(tif, compression="group4", dpi=(300, 300))
    with Image.open(tif) as t:  # closed: an open file left to the garbage collector warns at a random later moment
        strip = tif.read_bytes()[t.tag_v2[273][0]:t.tag_v2[273][0] + t.tag_v2[279][0]]
    data, infos = make([tif])
    assert infos[0].passthrough and infos[0].colour == "bilevel" and infos[0].dpi == 300
    with pikepdf.open(io.BytesIO(data)) as pdf:
        im = pdf.pages[0].Resources.XObject["/Im0"]
        assert im.Filter == "/CCITTFaxDecode" and im.read_raw_bytes() == strip
        assert pikepdf.PdfImage(im).as_pil_image().convert("1").tobytes() == img.tobytes()
        box = [float(v) for v in pdf.pages[0].MediaBox]
        assert box[2] == pytest.approx(200 * 72 / 300, abs=0.01)
    assert_structure(data)


def test_lzw_tiff_becomes_flate_and_cmyk_jpeg_keeps_its_profile(tmp_path):
    tif = tmp_path / "lzw.tif"
    src = Image.new("RGB", (60, 40), (10, 200, 30))
    src.save(tif, compression="tiff_lzw")
    data, infos = make([tif])
    assert infos[0].dpi is None
    with pikepdf.open(io.BytesIO(data)) as pdf:
        im = pdf.pages[0].Resources.XObject["/Im0"]
        assert im.Filter == "/FlateDecode"
        assert pikepdf.PdfImage(im).as_pil_image().tobytes() == src.tobytes()
        assert float(pdf.pages[0].MediaBox[2]) == pytest.approx(595.28, abs=0.01)  # A4 width without DPI
    assert_structure(data)

    # A CMYK JPEG with an embedded (here: a stand-in CMYK) ICC profile: ICCBased with that profile.
    cmyk_icc = _cmyk_profile()
    if cmyk_icc is None:
        pytest.skip("no CMYK ICC profile available on this machine to make a CMYK test JPEG")
    jpg = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (50, 70), (0, 50, 100, 0)).save(jpg, "JPEG", icc_profile=cmyk_icc, dpi=(300, 300))
    data, _ = make([jpg])
    assert jpg.read_bytes() in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        cs = pdf.pages[0].Resources.XObject["/Im0"].ColorSpace
        assert cs[0] == "/ICCBased" and cs[1].read_bytes() == cmyk_icc


def _cmyk_profile() -> bytes | None:
    from pathlib import Path

    for p in ("/usr/share/color/icc/ghostscript/default_cmyk.icc", "/usr/share/color/icc/colord/FOGRA39L_coated.icc"):
        if Path(p).is_file():
            return Path(p).read_bytes()
    try:
        import pymupdf

        # MuPDF's own CMYK profile: write a CMYK image and take the profile back out.
        doc = pymupdf.open()
        page = doc.new_page()
        buf = io.BytesIO()
        Image.new("CMYK", (4, 4), (0, 0, 0, 0)).save(buf, "JPEG")
        page.insert_image(page.rect, stream=buf.getvalue())
        pdf = pikepdf.open(io.BytesIO(doc.tobytes()))
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/N") == 4:
                return obj.read_bytes()
    except Exception:  # noqa: BLE001
        return None
    return None


def test_rgb_jpeg_with_icc_and_png_alpha(tmp_path):
    jpg = tmp_path / "icc.jpg"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (40, 40), (200, 100, 50)).save(jpg, "JPEG", icc_profile=icc, dpi=(300, 300))
    png = tmp_path / "a.png"
    Image.new("RGBA", (40, 40), (0, 0, 255, 100)).save(png)
    data, infos = make([jpg, png])
    assert jpg.read_bytes() in data and [i.passthrough for i in infos] == [True, False]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.pages[0].Resources.XObject["/Im0"].ColorSpace[0] == "/ICCBased"
        assert "/SMask" in pdf.pages[1].Resources.XObject["/Im0"]
    assert_structure(data)


def test_image_only_pdf_rewrapped_other_pdf_refused(tmp_path):
    jpg = scan(tmp_path / "s.jpg", "scan", size=(413, 585), dpi=50)
    plain = pikepdf.new()
    img = pikepdf.Stream(plain, jpg.read_bytes(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=413,
                         Height=585, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                         Filter=pikepdf.Name.DCTDecode)
    page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
                                           Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im1=img))))
    plain.pages.append(page)
    plain.pages[0].Contents = plain.make_stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q")
    buf = io.BytesIO()
    plain.save(buf)
    data, pages = rewrap_image_pdf(buf.getvalue(), title="t", author=None, created=WHEN)
    assert pages == 1 and jpg.read_bytes() in data
    assert_structure(data)

    doc = pikepdf.new()
    doc.add_blank_page()
    doc.pages[0].Contents = doc.make_stream(b"0 0 m 100 100 l S")
    buf = io.BytesIO()
    doc.save(buf)
    with pytest.raises(NotImageOnly) as exc:
        rewrap_image_pdf(buf.getvalue(), title="t", author=None, created=WHEN)
    assert "'m'" in exc.value.en


def test_image_pdf_input_in_a_build_is_rewrapped(tmp_path, agencies, creds):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    data, _ = make([src / "scans" / "d1-1.jpg"])
    with pikepdf.open(io.BytesIO(data)) as pdf:  # the same scan, but without any PDF/A claim
        del pdf.Root.Metadata
        del pdf.Root.OutputIntents
        buf = io.BytesIO()
        pdf.save(buf)
    (src / "scans" / "scan.pdf").write_bytes(buf.getvalue())
    toml = src / "dossier.toml"
    toml.write_text(toml.read_text("utf-8").replace('"scans/d1-1.jpg"', '"scans/scan.pdf"'), "utf-8")
    res = build_package(src, tmp_path / "o.edp", creds["police"])
    assert any("re-wrapped" in en for en, _ in res.warnings)
    with zipfile.ZipFile(tmp_path / "o.edp") as zf:
        out = zf.read("documents/001/0001.pdf")
    assert (src / "scans" / "d1-1.jpg").read_bytes() in out
    assert_structure(out)


# ---------------------------------------------------------------------------------------------
# Whole packages


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_reproducible_with_source_date_epoch(tmp_path, agencies, creds, monkeypatch):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 1)])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793318400")  # 2026-10-30T00:00:00Z
    a, b = tmp_path / "a.edp", tmp_path / "b.edp"
    build_package(src, a, creds["police"], generated_pages=True)
    build_package(src, b, creds["police"], generated_pages=True)
    ma, mb = _members(a), _members(b)
    assert ma.keys() == mb.keys()
    differ = [n for n in ma if ma[n] != mb[n]]
    assert differ in ([], ["META-INF/signature001.p7s"])
    assert b'created="2026-10-30T00:00:00+00:00"' in ma["dossier/001.xml"]
    for name, data in ma.items():
        if name.endswith(".pdf"):
            assert_structure(data)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(BuildError):
        build_package(src, tmp_path / "c.edp", creds["police"])


def test_reproducible_across_processes(tmp_path, agencies, pki):
    # Two builds in two processes more than a second apart: LittleCMS dates the sRGB profile it makes
    # to the second, so on its own every document of the second build differed in the profile's header.
    import os
    import subprocess
    import sys
    import time

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1793318400"}
    built = []
    for name in ("a.edp", "b.edp"):
        if built:
            time.sleep(1.1)
        res = subprocess.run([sys.executable, "-m", "edossier.cli.main", "build", str(src), "-o", str(tmp_path / name),
                              "--signer", str(pki / "police.p12"), "--no-crl"], capture_output=True, text=True,
                             timeout=120, env=env)
        assert res.returncode == 0, res.stderr
        built.append(_members(tmp_path / name))
    ma, mb = built
    assert ma.keys() == mb.keys()
    assert [n for n in ma if ma[n] != mb[n]] in ([], ["META-INF/signature001.p7s"])
    pdf = pikepdf.open(io.BytesIO(ma["documents/001/0001.pdf"]))
    icc = pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes()
    # ICC.1 header bytes 24-35: 2026 (0x07ea), 10, 1, 0 h, 0 min, 0 s; bytes 84-99: profile ID "not computed"
    assert icc[24:36] == bytes([0x07, 0xEA, 0, 10, 0, 1, 0, 0, 0, 0, 0, 0])
    assert icc[84:100] == bytes(16)


def test_progress_counts_pages(tmp_path, agencies, creds):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 3)])
    calls = []
    build_package(src, tmp_path / "o.edp", creds["police"], progress=lambda *a: calls.append(a))
    assert calls[0] == (0, 5, "立案决定书") and calls[-1][:2] == (5, 5)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_cli_build_and_quiet_off_terminal(tmp_path, agencies, pki):
    from click.testing import CliRunner

    from edossier.cli.main import main

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    res = CliRunner().invoke(main, ["--lang", "en", "build", str(src), "-o", str(tmp_path / "o.edp"),
                                    "--signer", str(pki / "police.p12")])
    assert res.exit_code == 0, res.output
    assert "including 3 generated" in res.output and "pages/s" in res.output
    assert "\r" not in res.output  # no progress bar when not on a terminal
    res = CliRunner().invoke(main, ["--lang", "en", "build", str(src), "-o", str(tmp_path / "p.edp"),
                                    "--signer", str(pki / "police.p12"), "--no-generated-pages"])
    assert res.exit_code == 0 and "generated" not in res.output
