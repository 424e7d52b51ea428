"""docs/pdfa.md carries generated blocks (rule status table, corpus figures): fail when stale."""

from __future__ import annotations

from pathlib import Path

import pdfa_docs as gen_docs

DOC = Path(__file__).resolve().parents[1] / "docs" / "pdfa.md"


def test_rules_block_is_current():
    text = DOC.read_text(encoding="utf-8")
    assert "<!-- BEGIN GENERATED: rules -->" in text
    block = text.split("<!-- BEGIN GENERATED: rules -->\n", 1)[1].split("<!-- END GENERATED: rules -->", 1)[0]
    assert block == gen_docs.rules_block(), "docs/pdfa.md is stale: python tools/pdfa_docs.py"


def test_whole_document_is_current():
    # this also re-runs the corpus and compares the per-clause figures, so it needs the corpus
    from conftest import require_verapdf_corpus

    require_verapdf_corpus()
    text = DOC.read_text(encoding="utf-8")
    assert gen_docs.render(text, gen_docs.CORPUS) == text, \
        "docs/pdfa.md is stale: python tools/pdfa_docs.py"


def test_every_pdfa_rule_documented():
    text = DOC.read_text(encoding="utf-8")
    from edossier.pdfa.check import rule_table

    for r in rule_table():
        assert f"`{r.id}`" in text
