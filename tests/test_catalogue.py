"""The process catalogue (schemas/catalogue/processes.toml) and the profiles that are views of it."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from edossier.caserules import catalogue as cat
from edossier.caserules.check import check_case
from edossier.caserules.codelist import resolve_document_type
from edossier.caserules.profiles import Requirement, _with_process, load_profile, profile_names
from edossier.resources import schema_bytes
from test_caserules_support import rec

ROOT = Path(__file__).resolve().parents[1]


def test_at_least_twenty_processes_each_complete():
    c = cat.catalogue()
    assert len(c.processes) >= 20  # issue #15
    for p in c.processes:
        assert p.steps and p.carries and p.sources and p.senders and p.receivers, p.id
        assert set(p.requires) <= set(p.carries), p.id


@pytest.mark.parametrize("zh", ["提请批准逮捕", "移送审查起诉", "退回补充侦查", "补充侦查完毕重新移送审查起诉", "提起公诉",
                                "上诉、抗诉二审移送", "发回重审", "交付执行", "减刑、假释", "暂予监外执行", "社区矫正交接",
                                "监察机关移送起诉"])
def test_processes_named_in_the_issue(zh):
    assert any(p.zh == zh for p in cat.catalogue().processes), zh


def test_periods_started_and_stopped_are_defined_with_a_basis():
    c = cat.catalogue()
    for p in c.processes:
        for pid in (*p.starts, *p.stops):
            assert c.period(pid) is not None and c.period(pid).basis
    # the transfer for prosecution ends investigative custody and opens the review period (CPL 162, 172)
    t = c.process("transfer-for-prosecution")
    assert t.stops == ("investigative-custody",) and t.starts == ("prosecution-review",)


def _raw():
    return tomllib.loads(schema_bytes("catalogue/processes.toml").decode("utf-8"))


@pytest.mark.parametrize("field,value,message", [
    ("carries", ["不存在的文书"], "unknown document type"),
    ("from", ["mayor"], "unknown role"),
    ("starts", ["no-such-period"], "unknown period"),
    ("requires", ["再审决定书"], "not among those it carries"),
    ("sources", [], "`sources` is missing"),
])
def test_inconsistent_catalogue_refused(field, value, message):
    raw = copy.deepcopy(_raw())
    raw["process"][0][field] = value
    with pytest.raises(cat.CatalogueError, match=message):
        cat.parse(raw)


def test_duplicate_process_id_refused():
    raw = copy.deepcopy(_raw())
    raw["process"][1]["id"] = raw["process"][0]["id"]
    with pytest.raises(cat.CatalogueError, match="used twice"):
        cat.parse(raw)


# --- profiles are views of the catalogue ------------------------------------------------------------

def test_every_profile_names_a_process_and_requires_what_it_requires():
    for name in profile_names():
        prof = load_profile(name)
        proc = cat.process(prof.process)
        assert proc is not None, name
        covered = {c for r in prof.requirements if r.level == "require" and not r.conditional for c in r.any}
        assert set(proc.requires) <= covered, (name, set(proc.requires) - covered)


def test_process_requirements_are_added_to_a_profile_that_omits_them():
    # a profile naming the supplementary re-transfer but listing nothing still needs both of its documents
    reqs = _with_process("supplementary-retransfer", [], "test")
    names = {resolve_document_type(c).zh for r in reqs for c in r.any}
    assert names == {"补充侦查报告书", "补充侦查决定书"} and all(r.level == "require" for r in reqs)
    # an alternative in the profile (起诉书 for its copy) keeps the process's document from being added twice
    wider = [Requirement(any=(resolve_document_type("起诉书副本").code, resolve_document_type("起诉书").code),
                         level="require", basis="test")]
    added = _with_process("execution-handover", wider, "test")
    assert [r for r in added if r.any == (resolve_document_type("起诉书副本").code,)] == []


def test_process_requirement_enforced_through_the_profile():
    # execution hand-over without the 执行通知书 the catalogue requires (CPL 264; 监狱法 Art. 16)
    fs = check_case([rec(3, "court", docs=["起诉书副本", "刑事判决书", "结案登记表"], profile="execution-handover")])
    assert [f.params["doc"] for f in fs if f.code == "K021"] == ["执行通知书"]


# --- the documentation is generated from the data ---------------------------------------------------

def test_caserules_md_catalogue_is_current():
    text = (ROOT / "docs" / "caserules.md").read_text("utf-8")
    assert cat.replace_section(text) == text, \
        "docs/caserules.md is stale: run python -m edossier.caserules.catalogue --update docs/caserules.md"


def test_rendered_table_lists_every_process_and_period():
    md = cat.markdown()
    for p in cat.catalogue().processes:
        assert f"| {p.code} `{p.id}` |" in md
    for x in cat.catalogue().periods:
        assert f"| `{x.id}` |" in md


def test_update_rewrites_only_the_section(tmp_path):
    doc = tmp_path / "caserules.md"
    doc.write_text(f"before\n{cat.BEGIN}\nold\n{cat.END}\nafter\n", encoding="utf-8")
    assert cat.main(["--update", str(doc)]) == 0
    text = doc.read_text("utf-8")
    assert text.startswith("before\n") and text.endswith("\nafter\n") and "\nold\n" not in text
    assert cat.markdown() in text


def test_closing_note_counts_match_the_data():
    from edossier.caserules import codelist

    text = (ROOT / "docs" / "caserules.md").read_text("utf-8")
    entries = codelist.document_types().entries
    marked = sum(1 for e in entries if "[U" in e.src or "[S" in e.src)
    assert f"holds {len(entries)} document types" in text and f"{marked} of them carry" in text
    assert f"catalogue holds {len(cat.catalogue().processes)} processes" in text
