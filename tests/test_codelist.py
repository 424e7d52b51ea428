"""The document-type and event-type code lists (schemas/codelists/) and their use in records."""

from __future__ import annotations

import re

import pytest

from edossier.caserules import codelist
from edossier.caserules.profiles import load_profile, profile_names
from edossier.roles import ROLES


def test_document_types_size_uri_version():
    cl = codelist.document_types()
    assert len(cl) >= 150
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
