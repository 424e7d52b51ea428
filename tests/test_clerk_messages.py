"""Issue #16, the clerk's day: messages name the file, key and line and say what is wrong; a BOM is
accepted; a later layer's source may give only the case number."""

from __future__ import annotations

import pytest

from conftest import make_source
from edossier.building.base import _read_base
from edossier.building.pipeline import BuildError, append_layer, build_package
from edossier.building.source import SourceError, load_source
from test_source import GOOD


def write(tmp_path, text, encoding="utf-8"):
    (tmp_path / "dossier.toml").write_bytes(text.encode(encoding))
    return tmp_path


def test_utf8_bom_is_accepted(tmp_path):
    # Notepad's "UTF-8" writes EF BB BF first
    src = load_source(write(tmp_path, GOOD, "utf-8-sig"))
    assert (tmp_path / "dossier.toml").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert src.data["case"]["name"] == "张某盗窃案"  # the first key is read as `case`, not "\ufeffcase"


def test_bom_does_not_shift_error_lines(tmp_path):
    with pytest.raises(SourceError) as exc:
        load_source(write(tmp_path, GOOD.replace('role = "police"', 'role = "polic"'), "utf-8-sig"))
    assert "dossier.toml:8:" in exc.value.en, exc.value.en


def test_duplicate_volume_id_named_with_key_and_line(tmp_path):
    # GOOD's only volume is at lines 9-11; a second [[volumes]] with the same id becomes lines 12-14
    text = GOOD.replace('[[documents]]', '[[volumes]]\nid = "v1"\ntitle = "证据卷"\n[[documents]]')
    with pytest.raises(SourceError) as exc:
        load_source(write(tmp_path, text))
    en, zh = exc.value.en, exc.value.zh
    assert en.startswith("dossier.toml:13: key 'volumes[1].id':"), en
    assert "'v1'" in en and "volumes[0].id" in en and "line 10" in en
    assert "dossier.toml:13：键 'volumes[1].id'" in zh and "第 10 行" in zh
    assert "xs:" not in en and "unique" not in en.lower()  # no XSD wording


def test_duplicate_document_id_named_with_key_and_line(tmp_path):
    doc = GOOD[GOOD.index("[[documents]]"):]
    with pytest.raises(SourceError) as exc:
        load_source(write(tmp_path, GOOD + doc))
    # GOOD has 18 lines (its first document's id on line 13): the second [[documents]] is line 19, its id line 20
    assert exc.value.en.startswith("dossier.toml:20: key 'documents[1].id':"), exc.value.en
    assert "'documents[0].id' (line 13)" in exc.value.en


@pytest.mark.parametrize("content,expect_en,expect_zh", [
    (b"", "the file is empty (0 bytes)", "文件为空（0 字节）"),
    (b"hello, not a picture\n", "not a JPEG, PNG or TIFF image (the file starts with bytes 68 65 6c 6c 6f 2c 20 6e)",
     "不是 JPEG、PNG 或 TIFF 图像"),
    (b"%PDF-1.7\n%garbage", "but a PDF file", "而是 PDF 文件"),
])
def test_unreadable_scan_names_document_and_file(tmp_path, agencies, creds, content, expect_en, expect_zh):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2)])
    (src / "scans" / "d1-2.jpg").write_bytes(content)
    with pytest.raises(BuildError) as exc:
        build_package(src, tmp_path / "out.edp", creds["police"])
    en, zh = exc.value.en, exc.value.zh
    assert "document d1" in en and "d1-2.jpg" in en, en
    assert expect_en in en, en
    assert expect_zh in zh and "d1-2.jpg" in zh, zh
    assert "object at 0x" not in en and "BytesIO" not in en and "object at 0x" not in zh


@pytest.fixture(scope="module")
def police_package(tmp_path_factory, agencies, creds):
    base = tmp_path_factory.mktemp("inherit")
    src = make_source(base / "police", agencies["police"], docs=[("d1", "立案决定书", 1)])
    out = base / "1.edp"
    build_package(src, out, creds["police"])
    return out


def test_later_layer_with_only_case_number_inherits_the_rest(tmp_path, agencies, creds, police_package):
    number = "深南公(刑)立字〔2026〕00123号"  # conftest.CASE
    src = make_source(tmp_path / "proc", agencies["procuratorate"], docs=[("p1", "起诉书", 1)],
                      volumes=(("v2", "检察卷"),), with_case=False, extra=f'[case]\nnumber = "{number}"\n')
    load_source(src)  # the schema accepts it
    out = tmp_path / "2.edp"
    append_layer(police_package, src, out, creds["procuratorate"])
    case = _read_base(out).records[-1].case
    assert (case.number, case.name, case.charges) == (number, "张某盗窃案", ("盗窃",))


def test_later_layer_may_change_the_charges(tmp_path, agencies, creds, police_package):
    number = "深南公(刑)立字〔2026〕00123号"
    src = make_source(tmp_path / "proc", agencies["procuratorate"], docs=[("p1", "起诉书", 1)],
                      volumes=(("v2", "检察卷"),), with_case=False,
                      extra=f'[case]\nnumber = "{number}"\ncharges = ["盗窃", "诈骗"]\n')
    out = tmp_path / "2.edp"
    append_layer(police_package, src, out, creds["procuratorate"])
    case = _read_base(out).records[-1].case
    assert (case.name, case.charges) == ("张某盗窃案", ("盗窃", "诈骗"))


def test_first_layer_still_needs_name_and_charges(tmp_path, agencies, creds):
    src = make_source(tmp_path / "police", agencies["police"], docs=[("d1", "立案决定书", 1)], with_case=False,
                      extra='[case]\nnumber = "X-1"\n')
    with pytest.raises(BuildError) as exc:
        build_package(src, tmp_path / "1.edp", creds["police"])
    assert "'case.name', 'case.charges'" in exc.value.en and "first layer" in exc.value.en
    assert "第一层" in exc.value.zh


def test_later_layer_number_must_still_match(tmp_path, agencies, creds, police_package):
    src = make_source(tmp_path / "proc", agencies["procuratorate"], docs=[("p1", "起诉书", 1)],
                      volumes=(("v2", "检察卷"),), with_case=False, extra='[case]\nnumber = "other"\n')
    with pytest.raises(BuildError) as exc:
        append_layer(police_package, src, tmp_path / "2.edp", creds["procuratorate"])
    assert "differs from the package" in exc.value.en


def test_k012_for_an_event_names_the_agency_not_the_event():
    from edossier.caserules.check import check_case
    from test_caserules_support import ev, rec

    # the police agency's code 11440300MB2C123452 with a slip in the check character (2 → 3)
    slip = ev("提取血样", "2026-11-02 10:00", agency="11440300MB2C123453")
    [f] = [f for f in check_case([rec(events=[slip])]) if f.code == "K012"]
    assert f.location.endswith("/Events/Event[1]/@agency")
    assert "深圳市公安局南山分局" in f.message_en and "11440300MB2C123453" in f.message_en, f.message_en
    assert f.message_zh.startswith("深圳市公安局南山分局 的统一社会信用代码 11440300MB2C123453"), f.message_zh
    assert "提取血样" not in f.message_en + f.message_zh


def test_k012_for_an_unknown_agency_falls_back_to_the_actor():
    from edossier.caserules.check import check_case
    from test_caserules_support import ev, rec

    other = ev("提取血样", "2026-11-02 10:00", agency="12440300455000000X", actor="深圳市南山区人民医院")
    [f] = [f for f in check_case([rec(events=[other])]) if f.code == "K012"]
    assert "深圳市南山区人民医院" in f.message_zh and "提取血样" not in f.message_zh


def test_lint_of_a_relative_source_with_an_empty_scan(tmp_path, agencies, monkeypatch):
    # `edossier lint police` from the folder above it: found on the #16 walk-through as an internal error
    from click.testing import CliRunner

    from edossier.cli.main import main

    src = make_source(tmp_path / "police", agencies["police"], docs=[("d1", "立案决定书", 2)])
    (src / "scans" / "d1-2.jpg").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["lint", "police", "--lang", "en"])
    assert res.exit_code == 1, res.output
    assert "internal error" not in res.output
    assert "D006" in res.output and "scans/d1-2.jpg" in res.output and "the file is empty (0 bytes)" in res.output
