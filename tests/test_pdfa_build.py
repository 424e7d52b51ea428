"""Scans in, PDF/A-2u out: lossless embedding, page sizes, PDF inputs kept or refused."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
import pytest
from PIL import Image

from conftest import scan
from edossier.building.pipeline import BuildError, build_package
from edossier.pdfmake.finish import pdfa_claim
from edossier.pdfmake.scans import ImageInputError, images_to_pdfa

WHEN = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def build(paths):
    return images_to_pdfa(paths, title="立案决定书", author="深圳市公安局南山分局", created=WHEN)


def test_jpeg_embedded_byte_for_byte_and_page_size(tmp_path):
    jpg = scan(tmp_path / "a.jpg", "a", size=(1654, 2339), dpi=200)
    data, infos = build([jpg])
    assert jpg.read_bytes() in data
    assert infos[0].dpi == 200 and infos[0].colour == "gray"
    with pikepdf.open(io.BytesIO(data)) as pdf:
        box = [float(x) for x in pdf.pages[0].MediaBox]
        assert box[2] == pytest.approx(595.4, abs=0.5) and box[3] == pytest.approx(842.0, abs=0.5)
        assert pdf.pages[0].Resources.XObject["/Im0"].Filter == "/DCTDecode"
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "2U"
        assert "立案决定书" in str(meta["dc:title"])
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
        assert pdf.trailer.ID
    assert pdfa_claim(data) == "2U"
    assert build([jpg])[0] == data  # deterministic


def test_png_rgba_and_multipage_tiff_are_lossless(tmp_path):
    png = tmp_path / "p.png"
    img = Image.new("RGBA", (100, 140), (200, 10, 10, 128))
    img.save(png)
    tif = tmp_path / "t.tif"
    frames = [Image.new("L", (100, 140), v) for v in (0, 128, 255)]
    frames[0].save(tif, save_all=True, append_images=frames[1:], compression="tiff_lzw", dpi=(300, 300))
    data, infos = build([png, tif])
    assert len(infos) == 4
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 4
        im = pdf.pages[0].Resources.XObject["/Im0"]
        assert "/SMask" in im
        assert pikepdf.PdfImage(im).as_pil_image().convert("RGBA").tobytes() == img.tobytes()
        for page, frame in zip(list(pdf.pages)[1:], frames):
            assert pikepdf.PdfImage(page.Resources.XObject["/Im0"]).as_pil_image().tobytes() == frame.tobytes()


def test_not_an_image(tmp_path):
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"\xff\xd8 not really")
    with pytest.raises(ImageInputError) as exc:
        build([bad])
    assert "x.jpg" in exc.value.en and "x.jpg" in exc.value.zh


def test_pdfa_input_kept_and_other_pdf_refused(tmp_path, agencies, creds):
    from conftest import make_source

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    pdfa, _ = build([scan(tmp_path / "s.jpg", "s")])
    (src / "scans" / "doc.pdf").write_bytes(pdfa)
    toml = src / "dossier.toml"
    toml.write_text(toml.read_text("utf-8").replace('files = ["scans/d1-1.jpg"]', 'files = ["scans/doc.pdf"]'), "utf-8")
    out = tmp_path / "out.edp"
    build_package(src, out, creds["police"])
    import zipfile

    with zipfile.ZipFile(out) as zf:
        assert zf.read("documents/001/0001.pdf") == pdfa

    plain = pikepdf.new()
    plain.add_blank_page()
    plain.save(src / "scans" / "doc.pdf")
    with pytest.raises(BuildError) as exc:
        build_package(src, tmp_path / "out2.edp", creds["police"])
    assert "not PDF/A-2" in exc.value.en and "PDF/A-2" in exc.value.zh
    assert not (tmp_path / "out2.edp").exists()
