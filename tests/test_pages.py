"""Generated pages: 卷宗封面, 卷内目录, 备考表 per volume, in the package as documents of their own."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pikepdf
import pymupdf
import pytest

from conftest import make_source
from edossier.building.pipeline import BuildError, append_layer, build_package
from edossier.pdfmake.sheets import FontSet, GlyphError, TocEntry, VolumeSheet, cover_pdf, toc_pdf
from edossier.record.model import parse_record
from test_builder import assert_structure

WHEN = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _record(zf, layer):
    return parse_record(zf.read(f"dossier/{layer:03d}.xml"))


def _toc_rows(pdf_bytes):
    """(顺序号, 题名, 页号) read back from the table of contents' text."""
    rows = []
    with pymupdf.open(stream=pdf_bytes) as doc:
        for page in doc:
            words = page.get_text("words")
            by_line = {}
            for x0, y0, x1, y1, text, *_ in words:
                by_line.setdefault(round(y1), []).append((x0, text))
            for y in sorted(by_line):
                cells = [t for _, t in sorted(by_line[y])]
                if cells and cells[0].isdigit() and len(cells) >= 3:
                    rows.append(cells)
    return rows


def test_build_writes_one_set_per_volume_with_correct_page_numbers(tmp_path, agencies, creds):
    src = make_source(tmp_path / "src", agencies["police"],
                      docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 3), ("d3", "拘留证", 1)])
    out = tmp_path / "1.edp"
    res = build_package(src, out, creds["police"], generated_pages=True)
    assert res.generated == 3 and res.documents == 6
    with zipfile.ZipFile(out) as zf:
        rec = _record(zf, 1)
        types = [d.type for d in rec.documents]
        assert types == ["立案决定书", "讯问笔录", "拘留证", "卷宗封面", "卷内目录", "备考表"]
        assert [d.file for d in rec.documents][:3] == [f"documents/001/000{i}.pdf" for i in (1, 2, 3)]
        by_type = {d.type: d for d in rec.documents}
        for d in rec.documents:
            data = zf.read(d.file)
            with pikepdf.open(io.BytesIO(data)) as pdf:
                assert len(pdf.pages) == d.pages
            if d.type in ("卷宗封面", "卷内目录", "备考表"):
                assert_structure(data)
        toc = zf.read(by_type["卷内目录"].file)
        cover = zf.read(by_type["卷宗封面"].file)
    # actual page ranges of the documents, in reading order
    expected, page = [], 1
    for d in rec.documents[:3]:
        expected.append(f"{page}" if d.pages == 1 else f"{page}-{page + d.pages - 1}")
        page += d.pages
    rows = _toc_rows(toc)
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert [next(c for c in r if c[0].isdigit() and ("-" in c or c.isdigit()) and c != r[0] and len(c) < 8)
            for r in rows] == expected
    text = pymupdf.open(stream=cover)[0].get_text()
    assert "张某盗窃案" in text and "共 6 页" in text and "本案共 1 卷" in text and "第 1 卷" in text
    assert "卷内目录" in pymupdf.open(stream=toc)[0].get_text()


def test_append_to_earlier_volume_writes_new_set_and_keeps_old_bytes(tmp_path, agencies, creds):
    police = make_source(tmp_path / "p", agencies["police"], docs=[("d1", "立案决定书", 2)])
    proc = make_source(tmp_path / "q", agencies["procuratorate"], docs=[("p1", "起诉书", 1)], volumes=(),
                       with_case=False)
    one, two = tmp_path / "1.edp", tmp_path / "2.edp"
    build_package(police, one, creds["police"], generated_pages=True)
    res = append_layer(one, proc, two, creds["procuratorate"], generated_pages=True)
    assert res.generated == 3
    with zipfile.ZipFile(one) as z1, zipfile.ZipFile(two) as z2:
        for name in z1.namelist():
            if not name.startswith("META-INF/manifest"):
                assert z1.read(name) == z2.read(name) or name == "META-INF/manifest.xml"
        rec = _record(z2, 2)
        toc_doc = next(d for d in rec.documents if d.type == "卷内目录")
        assert toc_doc.volume == "v1" and toc_doc.file.startswith("documents/002/")
        toc = z2.read(toc_doc.file)
        remarks = z2.read(next(d for d in rec.documents if d.type == "备考表").file)
    rows = _toc_rows(toc)
    assert [r[0] for r in rows] == ["1", "2"]
    assert "3" in rows[1] and any("第2层新增" in c for c in rows[1])
    text = pymupdf.open(stream=remarks)[0].get_text()
    assert "第 1 层编制的卷宗封面、卷内目录和备考表保持原样" in text.replace("\n", "")


def test_source_may_not_supply_generated_types(tmp_path, agencies, creds):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "卷宗封面", 1)])
    with pytest.raises(BuildError) as exc:
        build_package(src, tmp_path / "o.edp", creds["police"], generated_pages=True)
    assert "--no-generated-pages" in exc.value.en
    build_package(src, tmp_path / "o.edp", creds["police"])  # a scanned cover is fine without generation


def _sheet(**kw):
    base = dict(case_number="深南公(刑)立字〔2026〕00123号", case_name="张某盗窃案", charges=("盗窃",),
                agency="深圳市公安局南山分局", volume_title="诉讼文书卷", volume_no=1, volume_count=1, layer=1,
                created=WHEN, entries=(TocEntry(1, "立案决定书", dt.date(2026, 11, 2), 1, 2),))
    base.update(kw)
    return VolumeSheet(**base)


def test_rare_character_error_or_fallback(tmp_path):
    rare = "\U00020000"  # CJK Extension B: not in Droid Sans Fallback
    sheet = _sheet(suspects=(f"张{rare}",))
    with pytest.raises(GlyphError) as exc:
        cover_pdf(sheet, FontSet(fallback_paths=[]))
    assert "U+20000" in exc.value.en and "U+20000" in exc.value.zh and "EDOSSIER_FALLBACK_FONTS" in exc.value.en

    # A character Droid Sans Fallback lacks but DejaVu Sans has is drawn from the fallback font.
    dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    import os

    if not os.path.isfile(dejavu):
        pytest.skip("DejaVu Sans is not installed; the fallback path cannot be shown here")
    fonts = FontSet(fallback_paths=[dejavu])
    ch = next(c for c in "ⱠꞀ₿⅏ↈ" if pymupdf.Font("cjk").has_glyph(ord(c)) == 0 and fonts.font_for(c) == 1)
    data = cover_pdf(_sheet(suspects=(f"张{ch}",)), fonts)
    assert_structure(data)
    assert f"张{ch}" in pymupdf.open(stream=data)[0].get_text()


def test_long_table_of_contents_spans_pages():
    entries, page = [], 1
    for i in range(1, 61):
        entries.append(TocEntry(i, f"询问笔录（第{i}次）", dt.date(2026, 11, 2), page, page + 1))
        page += 2
    data, pages = toc_pdf(_sheet(entries=tuple(entries)))
    assert pages >= 2
    assert_structure(data)
    rows = _toc_rows(data)
    assert [int(r[0]) for r in rows] == list(range(1, 61))
    assert rows[-1][-1].endswith("119-120") or "119-120" in rows[-1]
