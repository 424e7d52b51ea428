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


def page_scan(path, dpi=300):
    """A generated A4 page with known Chinese text, as a grey JPEG scan at `dpi`."""
    doc = pymupdf.open()
    page = doc.new_page(width=595.28, height=841.89)
    tw = pymupdf.TextWriter(page.rect)
    for i, line in enumerate(LINES):
        tw.append((60, 100 + 32 * i), line, font=pymupdf.Font("cjk"), fontsize=16)
    tw.write_text(page)
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, clip=pymupdf.Rect(0, 0, 595.28, 300))
    Image.frombytes("L", (pix.width, pix.height), pix.samples).save(path, "JPEG", quality=90, dpi=(dpi, dpi))
    return path


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
