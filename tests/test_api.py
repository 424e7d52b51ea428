"""The public API (docs/api.md): every `python` block of the page runs as written, in order, in an empty
folder, and does what the page says it does."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import edossier

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def _blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.M | re.S)


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    namespace: dict = {"__name__": "api_doc"}
    outputs = []
    old = Path.cwd()
    import os

    os.chdir(folder)
    try:
        for block in _blocks():
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - the doc's own examples
            outputs.append(out.getvalue())
    finally:
        os.chdir(old)
    return folder, namespace, outputs


def test_the_page_has_the_promised_examples():
    text = DOC.read_text(encoding="utf-8")
    for title in ("## Build a package from a source dict", "## Validate a package and print its findings",
                  "## Check a PDF"):
        assert title in text
    assert len(_blocks()) >= 5


def test_setup_makes_a_trust_list_with_the_three_roles(ran):
    _, ns, out = ran
    assert {"police", "procuratorate", "court"} <= set(eval(out[0]))  # noqa: S307 - our own printed list


def test_build_from_a_dict(ran):
    folder, ns, out = ran
    # one document of one scanned page, as the dict says; the builder adds no sheet of its own to count
    assert re.match(r"layer 1: \d+ document\(s\), \d+ page\(s\)", out[1])
    assert ns["built"].layer == 1 and (folder / "case.edp").is_file()
    written = tomllib.loads((folder / "source" / "dossier.toml").read_text(encoding="utf-8"))
    assert written["documents"][0]["files"] == ["scans/d1-1.jpg"]
    assert written["agency"]["role"] == "police"


def test_validate_prints_verdict_and_findings(ran):
    _, ns, out = ran
    lines = out[2].splitlines()
    assert lines[0] == "accept"
    report = ns["report"]
    # every finding printed, one a line, code first
    assert len(lines) == 1 + len(report.findings)
    assert [line.split()[0] for line in lines[1:]] == [f.code for f in report.sorted_findings()]


def test_strict_policy_turns_warnings_into_errors(ran):
    _, ns, out = ran
    verdict, severities = out[3].split(" ", 1)
    assert "warning" not in severities  # --strict: WARN becomes FAIL
    # a warning of the plain run would now be an error and reject
    plain = edossier.validate_package(ran[0] / "case.edp", trust=ns["trust"])
    assert (verdict == "reject") == any(f.severity in ("warning", "error") for f in plain.findings)


def test_check_pdf_on_a_built_document(ran):
    _, ns, out = ran
    first = out[4].splitlines()[0].split()
    assert first[0].startswith("documents/") and first[1] == "2U"  # the builder writes PDF/A-2u (pdfmake/scans.py)
    assert ns["result"].conformant and first[-1] == "conformant"


def test_errors_are_bilingual(ran):
    _, _, out = ran
    en, zh = out[5].splitlines()[:2]
    assert "no-such-trustlist.xml" in en and "no-such-trustlist.xml" in zh and en != zh


def test_public_names_resolve_and_are_typed():
    for name in edossier.__all__:
        assert getattr(edossier, name) is not None
    assert (Path(edossier.__file__).parent / "py.typed").is_file()
    with pytest.raises(AttributeError):
        edossier.no_such_name  # noqa: B018


def test_import_edossier_loads_no_heavy_library():
    code = "import sys, edossier; print(sorted(m for m in ('pikepdf', 'pyhanko', 'lxml', 'fitz') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_write_source_refuses_what_the_schema_refuses(tmp_path):
    with pytest.raises(edossier.UserError) as exc:
        edossier.write_source(tmp_path, {"agency": {"name": "x", "credit_code": "y", "role": "nobody"}})
    assert exc.value.en and exc.value.zh


def test_write_source_round_trips_toml(tmp_path):
    from edossier.building.source import _toml_table

    data = {"a": 'quote " back\\slash 中文\n', "n": 3, "b": True, "l": ["x", "y"],
            "t": {"k": "v", "inner": {"z": 1}}, "arr": [{"i": 1, "sub": {"s": "t"}}, {"i": 2}]}
    lines: list[str] = []
    _toml_table(lines, [], data)
    assert tomllib.loads("\n".join(lines)) == data


def test_every_user_facing_error_is_a_bilingual_user_error():
    from edossier.caserules.profiles import ProfileError, load_profile
    from edossier.container.asic import ManifestError
    from edossier.pdfmake.sheets import GlyphError
    from edossier.record.model import RecordError
    from edossier.signing.trustlist_model import TrustListError

    for cls in (TrustListError, GlyphError, ProfileError):
        assert issubclass(cls, edossier.UserError), cls
    assert ManifestError is RecordError  # one class: a finding code and its detail
    glyph = GlyphError(["\U00020000"], "cover")
    assert "U+20000" in glyph.en and "U+20000" in glyph.zh and glyph.en != glyph.zh
    with pytest.raises(ProfileError) as exc:
        load_profile("no-such-profile")
    assert "no-such-profile" in exc.value.message("en") and "no-such-profile" in exc.value.message("zh-CN")
    assert exc.value.en != exc.value.zh


def test_public_functions_are_annotated_and_the_hints_resolve():
    import inspect
    import typing

    for name in ("validate_package", "build_package", "append_layer", "write_source", "load_trustlist",
                 "load_credential", "check_pdf", "load_policy", "quiet_libraries"):
        fn = getattr(edossier, name)
        hints = typing.get_type_hints(fn)  # raises if an annotation names something that does not exist
        params = list(inspect.signature(fn).parameters)
        assert "return" in hints, name
        assert all(p in hints for p in params), (name, [p for p in params if p not in hints])
