"""OCR text layer (双层PDF): one small page per engine; skipped, with the reason, where an engine is absent."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pikepdf
import pymupdf
import pytest
from PIL import Image

from conftest import make_source
from edossier.ocr import OcrUnavailable, check_engine
from edossier.ocr.accuracy import character_accuracy
from test_builder import assert_structure

WHEN = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
LINES = ["犯罪嫌疑人张某于二〇二六年一月在深圳市南山区", "盗窃他人财物价值人民币三千元，已被刑事拘留。",
         "经审查，本案事实清楚，证据确实充分。", "根据《中华人民共和国刑事诉讼法》第一百一十二条",
         "之规定，决定立案侦查。深圳市公安局南山分局"]


def _available(engine):
    try:
        check_engine(engine)
        return None
    except OcrUnavailable as exc:
        return exc.en


def _needs(engine):
    reason = _available(engine)
    return pytest.mark.skipif(reason is not None, reason=f"OCR engine {engine} absent: {reason}")


def page_scan(path, dpi=300, lines=LINES):
    """A generated A4 page with known Chinese text, as a grey JPEG scan at `dpi`: line i's baseline is
    at 100 + 32 i points from the top (`baseline`)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595.28, height=841.89)
    tw = pymupdf.TextWriter(page.rect)
    for i, line in enumerate(lines):
        tw.append((60, baseline(i)), line, font=pymupdf.Font("cjk"), fontsize=16)
    tw.write_text(page)
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, clip=pymupdf.Rect(0, 0, 595.28, 300))
    Image.frombytes("L", (pix.width, pix.height), pix.samples).save(path, "JPEG", quality=90, dpi=(dpi, dpi))
    return path


def baseline(i: int) -> float:
    return 100 + 32 * i


accuracy = character_accuracy


def _check_layer(data: bytes, jpeg: bytes) -> str:
    assert jpeg in data  # the image stays as scanned
    assert_structure(data)  # PDF/A-2u: ToUnicode, no .notdef, embedded subset font
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        assert "/Ocr0" in page.Resources.XObject
        assert b"3 Tr" in page.Resources.XObject["/Ocr0"].read_bytes()  # invisible text
    with pymupdf.open(stream=data) as doc:
        return doc[0].get_text()


@_needs("rapidocr")
def test_default_engine_in_a_build(tmp_path, agencies, creds):
    from edossier.building.documents import OcrOptions
    from edossier.building.pipeline import build_package

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    jpg = page_scan(src / "scans" / "d1-1.jpg")
    res = build_package(src, tmp_path / "o.edp", creds["police"], ocr=OcrOptions("rapidocr", jobs=1))
    assert not res.warnings  # 300 dpi: no DA/T 31 warning
    with zipfile.ZipFile(tmp_path / "o.edp") as zf:
        data = zf.read("documents/001/0001.pdf")
    text = _check_layer(data, jpg.read_bytes())
    assert accuracy("".join(LINES), text) >= 0.98, text


@_needs("tesseract")
def test_tesseract_engine(tmp_path):
    from edossier.ocr import get_engine
    from edossier.ocr.types import PageRef, load_upright
    from edossier.pdfmake.scans import images_to_pdfa

    jpg = page_scan(tmp_path / "p.jpg")
    result = get_engine("tesseract").recognise(load_upright(PageRef(jpg)))
    data, _ = images_to_pdfa([jpg], title="t", author=None, created=WHEN, text_layers=[result])
    text = _check_layer(data, jpg.read_bytes())
    assert accuracy("".join(LINES), text) >= 0.85, text


def test_without_the_extra_ocr_fails_with_an_install_hint(tmp_path, monkeypatch, agencies, pki):
    import importlib.util

    from click.testing import CliRunner

    from edossier.cli.main import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name.startswith("rapidocr") else real(name, *a))
    with pytest.raises(OcrUnavailable) as exc:
        check_engine("rapidocr")
    assert "pip install 'edossier[ocr]'" in exc.value.en and "edossier[ocr]" in exc.value.zh
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    res = CliRunner().invoke(main, ["--lang", "en", "build", str(src), "-o", str(tmp_path / "o.edp"),
                                    "--signer", str(pki / "police.p12"), "--ocr"])
    assert res.exit_code == 2 and "edossier[ocr]" in res.output
    assert not (tmp_path / "o.edp").exists()


def _runtimes():
    import importlib.util

    return [pytest.param("openvino", marks=pytest.mark.skipif(importlib.util.find_spec("openvino") is None,
                                                             reason="OpenVINO not installed")), "onnxruntime"]


@_needs("rapidocr")
@pytest.mark.parametrize("runtime", _runtimes())
def test_lines_in_reading_order_with_their_boxes(tmp_path, runtime):
    """Each written line comes back once, in order, with a box round its baseline (points → pixels at
    300 dpi: × 300/72), on either runtime."""
    from edossier.ocr.engines import RapidOcrEngine
    from edossier.ocr.types import PageRef, load_upright

    page = RapidOcrEngine(runtime=runtime).recognise(load_upright(PageRef(page_scan(tmp_path / "p.jpg"))))
    assert [line.text for line in page.lines] and len(page.lines) == len(LINES), [x.text for x in page.lines]
    for i, (want, got) in enumerate(zip(LINES, page.lines)):
        assert accuracy(want, got.text) >= 0.95, (want, got.text)
        assert got.y0 < baseline(i) * 300 / 72 < got.y1, (i, got)
        assert 0 <= got.x0 < 60 * 300 / 72 + 20 < got.x1 <= page.width
    assert accuracy("".join(LINES), "".join(x.text for x in page.lines)) >= 0.99


@_needs("rapidocr")
def test_runtimes_read_the_same_page_alike(tmp_path):
    """OpenVINO (bf16 where the CPU has it) and onnxruntime (fp32) run the same models: same lines."""
    import importlib.util

    if importlib.util.find_spec("openvino") is None:
        pytest.skip("OpenVINO not installed")
    from edossier.ocr.engines import RapidOcrEngine
    from edossier.ocr.types import PageRef, load_upright

    img = load_upright(PageRef(page_scan(tmp_path / "p.jpg")))
    ov, ort = (RapidOcrEngine(runtime=r).recognise(img) for r in ("openvino", "onnxruntime"))
    assert len(ov.lines) == len(ort.lines) == len(LINES)
    # bf16 moves the detector's probability map a little (a pixel of the 960-pixel detection image is
    # 2.6 here, and the margin grown round a line follows its area): boxes agree within a tenth of the
    # line's height
    for a, b in zip(ov.lines, ort.lines):
        assert accuracy(a.text, b.text) >= 0.95, (a.text, b.text)
        tol = 0.1 * (b.y1 - b.y0)
        assert max(abs(a.x0 - b.x0), abs(a.y0 - b.y0), abs(a.x1 - b.x1), abs(a.y1 - b.y1)) <= tol, (a, b)


@_needs("rapidocr")
def test_vertical_line_is_read_turned(tmp_path):
    """A line turned a quarter clockwise (a tall box) is read after turning it back, as RapidOCR does."""
    from edossier.ocr.engines import RapidOcrEngine

    img = Image.open(page_scan(tmp_path / "p.jpg", lines=LINES[:1]))
    y = baseline(0) * 300 / 72
    line = img.crop((0, int(y - 120), img.width, int(y + 60))).rotate(-90, expand=True)  # clockwise
    page = RapidOcrEngine().recognise(line)
    assert len(page.lines) == 1 and page.lines[0].y1 - page.lines[0].y0 > 3 * (page.lines[0].x1 - page.lines[0].x0)
    assert accuracy(LINES[0], page.lines[0].text) >= 0.9, page.lines[0].text


@_needs("rapidocr")
@pytest.mark.parametrize("size", [(2480, 3508), (8, 8), (1, 600), (700, 1)])
def test_blank_and_degenerate_pages_have_no_lines(size):
    from edossier.ocr.engines import RapidOcrEngine

    page = RapidOcrEngine().recognise(Image.new("L", size, 255))
    assert page.lines == [] and (page.width, page.height) == size


def test_reading_order_of_boxes():
    """Top to bottom; within one line (tops closer than half the line height) left to right."""
    import numpy as np

    from edossier.ocr.ppocr import reading_order

    def box(x, y, w=200, h=60):
        return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float32)

    right_higher, left, next_line = box(900, 100), box(100, 120), box(100, 200)
    # 20 px of skew in a 60 px line: still one line; the next line's top is 100 px lower
    got = reading_order([next_line, right_higher, left])
    assert [b[0].tolist() for b in got] == [[100, 120], [900, 100], [100, 200]]


@_needs("rapidocr")
def test_ocr_pages_of_several_documents_keep_their_own_text(tmp_path, agencies, creds):
    """Pages are submitted to the workers file by file while later files are still being checked: every
    page's text layer is still its own (two documents, three distinct pages, two workers)."""
    from edossier.building.documents import OcrOptions
    from edossier.building.pipeline import build_package

    texts = {"d1-1": LINES[:2], "d1-2": LINES[2:4], "d2-1": LINES[4:]}
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 1)])
    for name, lines in texts.items():
        page_scan(src / "scans" / f"{name}.jpg", lines=lines)
    build_package(src, tmp_path / "o.edp", creds["police"], ocr=OcrOptions("rapidocr", jobs=2),
                  generated_pages=False)
    with zipfile.ZipFile(tmp_path / "o.edp") as zf:
        docs = sorted(n for n in zf.namelist() if n.startswith("documents/") and n.endswith(".pdf"))
        pages = []
        for name in docs:
            with pymupdf.open(stream=zf.read(name)) as doc:
                pages += [p.get_text() for p in doc]
    assert len(pages) == 3
    for got, want in zip(pages, texts.values()):
        assert accuracy("".join(want), got) >= 0.95, (want, got)


@_needs("rapidocr")
def test_a_broken_openvino_falls_back_to_onnxruntime(monkeypatch, tmp_path):
    """OpenVINO is the default runtime only when it runs: one that fails to load the models leaves the
    engine on onnxruntime (same models, same text); asked for by name, its failure is not hidden."""
    import importlib.util

    if importlib.util.find_spec("openvino") is None:
        pytest.skip("OpenVINO not installed")
    from edossier.ocr import ppocr
    from edossier.ocr.engines import RapidOcrEngine
    from edossier.ocr.types import PageRef, load_upright

    def broken(self, path, threads):
        raise RuntimeError("no CPU plugin")

    monkeypatch.setattr(ppocr._OpenVinoModel, "__init__", broken)
    engine = RapidOcrEngine()
    assert engine.runtime == "onnxruntime"
    page = engine.recognise(load_upright(PageRef(page_scan(tmp_path / "p.jpg"))))
    assert accuracy("".join(LINES), "".join(x.text for x in page.lines)) >= 0.98
    with pytest.raises(RuntimeError, match="no CPU plugin"):
        RapidOcrEngine(runtime="openvino")
    with pytest.raises(ValueError, match="unknown runtime"):
        RapidOcrEngine(runtime="tensorflow")
