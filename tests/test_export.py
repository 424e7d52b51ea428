"""`edossier export`: one volume as a PDF/A-2u reading copy with bookmarks and page labels."""

from __future__ import annotations

import hashlib
import io

import pikepdf
import pymupdf
from click.testing import CliRunner

from conftest import make_source
from edossier.building.pipeline import append_layer, build_package
from edossier.cli.main import main
from edossier.export import export_volume
from test_builder import assert_structure


def _labels(pdf):
    nums = list(pdf.Root.PageLabels.Nums)
    return [(int(nums[i]), str(nums[i + 1].get("/P", "")), str(nums[i + 1].get("/S", ""))) for i in range(0, len(nums), 2)]


def test_export_volume_with_bookmarks_and_labels(tmp_path, agencies, creds, pki):
    police = make_source(tmp_path / "p", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 1)])
    proc = make_source(tmp_path / "q", agencies["procuratorate"], docs=[("p1", "起诉书", 1)], volumes=(),
                       with_case=False)
    one, two = tmp_path / "1.edp", tmp_path / "2.edp"
    build_package(police, one, creds["police"], generated_pages=True)
    append_layer(one, proc, two, creds["procuratorate"], generated_pages=True)
    before = hashlib.sha256(two.read_bytes()).digest()

    res = export_volume(two, tmp_path / "v1.pdf", volume="1")
    assert hashlib.sha256(two.read_bytes()).digest() == before  # the package is not changed
    data = (tmp_path / "v1.pdf").read_bytes()
    assert_structure(data)
    assert res.documents == 3 and res.pages == 1 + 1 + 4 + 1 and not res.issues
    with pymupdf.open(stream=data) as doc:
        toc = doc.get_toc()
        assert [t[1] for t in toc] == ["卷宗封面", "卷内目录", "1 立案决定书（第 1-2 页）", "2 讯问笔录（第 3 页）",
                                       "3 起诉书（第 4 页）", "备考表"]
        assert [t[2] for t in toc] == [1, 2, 3, 5, 6, 7]
        # the latest (layer 2) table of contents is the one in the reading copy
        assert "第2层新增" in doc[1].get_text()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert _labels(pdf) == [(0, "封面", ""), (1, "目录-", "/D"), (2, "", "/D"), (6, "备考表", "")]

    # a package built without generated pages still gets them in the reading copy
    plain = tmp_path / "plain.edp"
    build_package(police, plain, creds["police"])
    res = CliRunner().invoke(main, ["--lang", "en", "export", str(plain), "-o", str(tmp_path / "r.pdf")])
    assert res.exit_code == 0, res.output
    assert_structure((tmp_path / "r.pdf").read_bytes())
    res = CliRunner().invoke(main, ["--lang", "en", "export", str(plain), "--volume", "7", "-o", str(tmp_path / "x.pdf")])
    assert res.exit_code == 1 and "no volume '7'" in res.output
