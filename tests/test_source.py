"""dossier.toml: schema errors name the key and the line; sources cannot reach outside their folder."""

from __future__ import annotations

import pytest

from edossier.building.source import SourceError, load_source

GOOD = '''[case]
number = "深南公(刑)立字〔2026〕00123号"
name = "张某盗窃案"
charges = ["盗窃"]
[agency]
name = "深圳市公安局南山分局"
credit_code = "11440300MB2C123452"   # GB 32100 check character included
role = "police"
[[volumes]]
id = "v1"
title = "诉讼文书卷"
[[documents]]
id = "d1"
volume = "v1"
type = "立案决定书"
title = "立案决定书"
date = 2026-11-02
files = ["scans/d1-1.jpg", "scans/d1-2.jpg"]
'''


def write(tmp_path, text):
    (tmp_path / "dossier.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_issue_example_loads(tmp_path):
    src = load_source(write(tmp_path, GOOD))
    assert src.data["documents"][0]["date"] == "2026-11-02"
    assert src.data["agency"]["role"] == "police"


@pytest.mark.parametrize("old,new,key,line", [
    ('role = "police"', 'role = "polic"', "agency.role", 8),
    ('date = 2026-11-02', 'date = "2 Nov"', "documents[0].date", 17),
    ('title = "诉讼文书卷"', 'title = ""', "volumes[0].title", 11),
    ('credit_code = "11440300MB2C123452"', 'credit_code = "1144"', "agency.credit_code", 7),
    ('files = ["scans/d1-1.jpg", "scans/d1-2.jpg"]', 'files = []', "documents[0].files", 18),
    ('id = "d1"', 'id = "d1"\ncolour = "red"', "documents[0].colour", 14),
])
def test_schema_errors_name_key_and_line(tmp_path, old, new, key, line):
    with pytest.raises(SourceError) as exc:
        load_source(write(tmp_path, GOOD.replace(old, new)))
    assert f"'{key}'" in exc.value.en, exc.value.en
    assert f"dossier.toml:{line}:" in exc.value.en, exc.value.en
    assert f"'{key}'" in exc.value.zh


def test_toml_syntax_error(tmp_path):
    with pytest.raises(SourceError) as exc:
        load_source(write(tmp_path, GOOD + "\n[[documents]\n"))
    assert "TOML" in exc.value.en and "line" in exc.value.en


def test_naive_datetime_is_explained(tmp_path):
    text = GOOD + '[[events]]\ntype = "立案"\ntime = 2026-11-02T09:30:00\n'
    with pytest.raises(SourceError) as exc:
        load_source(write(tmp_path, text))
    assert "UTC offset" in exc.value.en and "events[0].time" in exc.value.en


def test_missing_toml_and_not_utf8(tmp_path):
    with pytest.raises(SourceError):
        load_source(tmp_path)
    (tmp_path / "dossier.toml").write_bytes("name = '张'".encode("gb18030"))
    with pytest.raises(SourceError) as exc:
        load_source(tmp_path)
    assert "UTF-8" in exc.value.en


def test_files_cannot_leave_the_source(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (tmp_path / "secret.jpg").write_bytes(b"x")
    src = load_source(write(folder, GOOD))
    for rel in ("../secret.jpg", "/etc/passwd", "scans/../../secret.jpg"):
        with pytest.raises(SourceError):
            src.file(rel)


def test_unknown_procedure_refused_with_suggestion(tmp_path):
    text = GOOD.replace('charges = ["盗窃"]', 'charges = ["盗窃"]\nprocedure = "速裁程式"')
    with pytest.raises(SourceError) as exc:
        load_source(write(tmp_path, text))
    assert "'case.procedure'" in exc.value.en and "速裁程序 (PR05)" in exc.value.en
    assert "办理程序" in exc.value.zh


@pytest.mark.parametrize("value", ["速裁", "PR02", "普通程序（认罪认罚）"])
def test_known_procedure_accepted(tmp_path, value):
    load_source(write(tmp_path, GOOD.replace('charges = ["盗窃"]', f'charges = ["盗窃"]\nprocedure = "{value}"')))
