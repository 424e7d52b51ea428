"""The finding-code registry and the documentation generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edossier.findings import STAGES, codes_markdown, finding, registry

ROOT = Path(__file__).resolve().parents[1]


def test_codes_md_is_current():
    assert (ROOT / "docs" / "codes.md").read_text("utf-8") == codes_markdown(), \
        "docs/codes.md is stale: run python -m edossier.findings > docs/codes.md"


def test_every_code_is_well_formed():
    for code, c in registry().items():
        assert re.fullmatch(r"[CSIGDKXTRN][0-9]{3}", code)
        assert c.stage in STAGES and c.en and c.zh and c.spec
        # X: could not check, R: receipts and N: the exchange node (any stage); T: the trust list (signature stage)
        letters = {"container": "C", "schema": "S", "integrity": "I", "signature": "GT",
                   "document": "D", "case": "K"}[c.stage] + "XRN"
        assert code[0] in letters, code


def test_every_spec_anchor_exists():
    for c in registry().values():
        doc, _, anchor = c.spec.rpartition("#") if "#" in c.spec else ("spec.md", "#", c.spec)
        text = (ROOT / "docs" / doc).read_text("utf-8")
        assert f'<a id="{anchor}"></a>' in text, f"{c.code}: anchor {anchor} missing in docs/{doc}"


def test_messages_fill_in_and_missing_params_fail_loudly(monkeypatch):
    from edossier.i18n import STRICT_ENV, MessageParamError

    f = finding("G003", "META-INF/signature002.p7s", layer="002", agency="某院", role="procuratorate",
                role_zh="检察院", detail="x")
    assert "002" in f.message_en and "某院" in f.message_zh
    with pytest.raises(MessageParamError):  # tests run strict (conftest): an unfilled parameter is a bug
        finding("G003")
    monkeypatch.setenv(STRICT_ENV, "0")  # production: the template is shown as it is, never a guessed "?"
    g = finding("G003")
    assert "{layer}" in g.message_en and "?" not in g.message_en


def test_could_not_check_codes_are_always_errors():
    unchecked = [c for c in registry().values() if c.code.startswith("X")]
    assert len(unchecked) >= 7
    assert all(c.severity == "error" for c in unchecked)


def test_every_code_is_used_somewhere():
    src = "\n".join(p.read_text("utf-8") for p in (ROOT / "src" / "edossier").rglob("*.py"))
    unused = [code for code in registry() if f'"{code}"' not in src]
    assert not unused, f"codes never raised: {unused}"
