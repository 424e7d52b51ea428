"""The document-type and event-type code lists (schemas/codelists/) and their use in records."""

from __future__ import annotations

import re

import pytest

from edossier.caserules import codelist
from edossier.caserules.profiles import load_profile, profile_names
from edossier.roles import ROLES


def test_document_types_size_uri_version():
    cl = codelist.document_types()
    assert len(cl) >= 260  # issue #15 target
    assert cl.uri == "urn:edossier:codelist:document-type"
    assert re.fullmatch(r"\d+\.\d+", cl.version)


def test_every_entry_is_complete_and_codes_unique():
    roles = set(ROLES) | {"other"}  # every agency role (edossier.roles, 监察机关 included since #15)
    stages = {"intake", "coercive", "investigation", "closing", "procuratorate", "trial", "execution", "file"}
    seen = set()
    for e in codelist.document_types().entries:
        assert re.fullmatch(r"[A-Z]\d{3}", e.code) and e.code not in seen, e
        seen.add(e.code)
        assert e.zh and e.en and e.src, e
        # every type names a legal source: a statute or rule (法, 规定, 解释, 规则, 办法, 意见, CPL, PF, SPP,
        # SPC, PL) or a row of the DOMAIN catalogue (D§); "[U]" alone is not a source
        assert re.search(r"D§|CPL|PF|SPP|SPC|PL|法|规|解释|办法|意见|条例|GB", e.src), e
        assert e.issuer and set(e.issuer) <= roles, e
        assert e.stage in stages, e
        assert e.transfer in {"yes", "if-any", "no", "n/a"}, e


def test_domain_list_and_generated_pages_included():
    cl = codelist.document_types()
    for name in ("受案登记表", "立案决定书", "拘留证", "提请批准逮捕书", "起诉意见书", "起诉书", "认罪认罚具结书",
                 "刑事判决书", "执行通知书", "结案登记表", "血液酒精含量检验鉴定意见书", "价格认定结论书", "换押证",
                 "卷宗封面", "卷内目录", "备考表"):
        assert cl.lookup(name) is not None, name
    # 108 numbered rows in DOMAIN.md §4 are all cited
    rows = {m for e in cl.entries for m in re.findall(r"D§4\.\d#(\d+)", e.src or "")}
    assert {str(n) for n in range(1, 109)} <= rows


@pytest.mark.parametrize("value,code", [("立案决定书", "A005"), ("A005", "A005"), ("a005", "A005"),
                                        ("接受刑事案件登记表", "A001"), ("判决书", "F010"), (" 起诉书 ", "E010")])
def test_lookup_by_code_name_alias(value, code):
    assert codelist.resolve_document_type(value).code == code


@pytest.mark.parametrize("typo,best", [("立按决定书", "立案决定书"), ("讯问记录", "讯问笔录"),
                                       ("血液酒精鉴定", "血液酒精含量检验鉴定意见书"), ("判决", "刑事判决书")])
def test_suggestions(typo, best):
    assert codelist.resolve_document_type(typo) is None
    assert codelist.document_types().suggest(typo)[0].zh == best


def test_event_types_and_proofs_resolve():
    ev = codelist.event_types()
    assert ev.uri == "urn:edossier:codelist:event-type" and len(ev) >= 30
    for e in ev.entries:
        for code in e.proof:
            assert codelist.document_types().by_code(code) is not None, (e.code, code)
    for name in ("立案", "拘留", "提请批准逮捕", "批准逮捕", "不批准逮捕", "逮捕", "延长侦查羁押期限", "重新计算",
                 "移送审查起诉", "受理", "退回补充侦查", "提起公诉", "开庭", "判决", "执行通知", "换押", "换押接收"):
        assert ev.lookup(name) is not None, name


def test_all_profiles_load():
    names = profile_names()
    assert {"arrest-request", "transfer-for-prosecution", "supplementary-retransfer", "public-prosecution",
            "execution-handover", "theft-fasttrack-transfer", "dui-fasttrack-transfer"} <= set(names)
    for n in names:
        p = load_profile(n)
        assert p.zh and p.basis and any(r.level == "require" for r in p.requirements)
        for r in p.requirements:
            assert r.basis and ("CPL" in r.basis or "法" in r.basis or "意见" in r.basis or "practice" in r.basis
                                or "规" in r.basis), (n, r)


# --- #15: corrected entries, new families, suggestions that do not mislead -----------------------------

def test_corrected_entries():
    cl = codelist.document_types()
    # CPL 2018 Art. 298 para 2: 公安机关…应当写出没收违法所得意见书 — the statutory name; the old one still resolves
    assert cl.by_code("D010").zh == "没收违法所得意见书"
    assert codelist.resolve_document_type("提请批准没收违法所得意见书").code == "D010"
    # Art. 265 para 5: after hand-over, 暂予监外执行 is approved by the prison administration or the police
    assert {"court", "justice", "police"} <= set(cl.by_code("G005").issuer)
    # 监察法 (2018) Art. 45: the supervisory commission issues the 起诉意见书 of its cases
    assert "supervision" in cl.by_code("D002").issuer
    # a final ruling is not a final judgment (execution hand-over needs the judgment, CPL Art. 264)
    assert codelist.resolve_document_type("生效裁定书").code != cl.lookup("生效判决书").code


@pytest.mark.parametrize("name", [
    "和解协议书", "社会调查报告", "法定代理人到场通知书", "犯罪记录封存决定书", "社区矫正调查评估意见书",
    "提请减刑建议书", "提请假释建议书", "拘留决定书", "先行拘留决定书", "留置决定书", "留置通知书", "刑事自诉状",
    "再审决定书", "强制医疗申请书", "强制医疗决定书", "刑事附带民事调解书", "执行死刑命令", "涉案财物处理决定书",
    "被取保候审人义务告知书", "对保证人罚款决定书", "监视居住执行通知书", "被监视居住人义务告知书"])
def test_families_named_in_issue_15_present(name):
    assert codelist.resolve_document_type(name) is not None, name


@pytest.mark.parametrize("value", ["拘押决定书", "刑事拘留决定", "通缉决定书", "假释决定书", "减刑决定书",
                                   "留置书", "取保决定书"])
def test_suggestions_do_not_mislead(value):
    # none of these is a filing decision: sharing the form word 决定书 must not make 立案决定书 a suggestion
    assert codelist.resolve_document_type(value) is None
    names = [e.zh for e in codelist.document_types().suggest(value)]
    assert names and "立案决定书" not in names, names


@pytest.mark.parametrize("value,best", [("拘押决定书", "拘留决定书"), ("通缉决定书", "通缉令"), ("假释决定书", "假释裁定书"),
                                        ("留置书", "留置决定书"), ("取保决定书", "取保候审决定书")])
def test_suggestions_name_the_near_type_first(value, best):
    assert codelist.document_types().suggest(value)[0].zh == best


# --- procedures: a code list, 认罪认罚 in every track ----------------------------------------------------

@pytest.mark.parametrize("value,code,track,plea", [
    ("速裁", "PR05", "fast-track", True),  # CPL Art. 222: 速裁 only for 认罪认罚 cases
    ("速裁程序", "PR05", "fast-track", True), ("PR05", "PR05", "fast-track", True),
    ("普通程序", "PR01", "ordinary", False), ("普通程序（认罪认罚）", "PR02", "ordinary", True),
    ("简易程序（认罪认罚）", "PR04", "summary", True), ("简易", "PR03", "summary", False),
    ("认罪认罚", "PR06", "undecided", True)])
def test_procedure_codes(value, code, track, plea):
    f = codelist.procedure_facts(value)
    assert (f.code, f.track, f.plea) == (code, track, plea)


@pytest.mark.parametrize("text,track,plea", [("适用普通程序，被告人认罪认罚", "ordinary", True),
                                             ("拟适用速裁", "fast-track", True), ("简易审", "summary", False),
                                             (None, None, False), ("其他", None, False)])
def test_free_text_procedure_is_read_by_its_words(text, track, plea):
    f = codelist.procedure_facts(text)
    assert (f.code, f.track, f.plea) == (None, track, plea)


def test_procedure_list_entries_complete():
    cl = codelist.procedures()
    assert cl.uri == "urn:edossier:codelist:procedure" and len(cl) >= 8
    for e in cl.entries:
        assert re.fullmatch(r"PR\d\d", e.code) and e.src and e.track in {
            "ordinary", "summary", "fast-track", "special", "undecided"}, e
    assert all(e.plea for e in cl.entries if e.track == "fast-track")


def test_older_code_list_version_is_read_without_k004():
    cl = codelist.document_types()
    assert cl.reads(cl.version) and cl.reads("1.0") and not cl.reads("9.9")
