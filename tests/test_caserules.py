"""Case rules on records in memory: code lists, identity numbers, profiles, events, custody transfer."""

from __future__ import annotations

import pytest

from edossier.caserules.check import check_case
from edossier.caserules.profiles import load_profile, profile_names
from edossier.record.model import Agency, CodeListRef, Person
from test_caserules_support import AGENCIES, codes, doc, ev, rec

NOW = None


# --- code lists ---------------------------------------------------------------------------------

def test_unknown_document_type_is_an_error_with_suggestions():
    fs = check_case([rec(docs=["立按决定书", "讯问笔录"])])
    [f] = [f for f in fs if f.code == "K001"]
    assert f.severity == "error"
    assert f.location == "dossier/001.xml /DossierRecord/Documents/Document[1]/@type"
    assert "立案决定书 (A005)" in f.message_en and "立案决定书 (A005)" in f.message_zh


def test_code_or_name_both_accepted_and_typecode_must_agree():
    assert "K001" not in codes(check_case([rec(docs=["A005", "讯问笔录"])]))
    bad = doc(1, "立案决定书", type_code="C004")
    fs = check_case([rec(docs=[bad], events=[])])
    assert "K003" in codes(fs)


def test_unknown_event_type():
    fs = check_case([rec(events=[ev("抓人", "2026-11-01 10:00")])])
    assert "K002" in codes(fs)


def test_code_list_version_and_declaration():
    r = rec(docs=[doc(1, "立案决定书", type_code="A005")])
    assert "K005" in codes(check_case([r]))
    from dataclasses import replace

    other = replace(r, code_lists=(CodeListRef("document-type", "urn:edossier:codelist:document-type", "0.9"),))
    assert "K004" in codes(check_case([other]))


# --- identity ------------------------------------------------------------------------------------

@pytest.mark.parametrize("number,detail", [
    ("440305199003150015", "check character"),   # last digit wrong (should be 4)
    ("440305199002300014", "not a real birth date"),  # 30 February
])
def test_resident_id_errors_point_at_the_field(number, detail):
    fs = check_case([rec(persons=[Person("suspect", "张某某", number, "male")])])
    [f] = [f for f in fs if f.code == "K010"]
    assert f.severity == "error" and detail in f.message_en
    assert f.location == "dossier/001.xml /DossierRecord/Persons/Person[1]/@idNumber"


def test_resident_id_gender_mismatch_warns():
    fs = check_case([rec(persons=[Person("suspect", "张某某", "440305199003150014", "female")])])
    assert [f.severity for f in fs if f.code == "K011"] == ["warning"]


def test_valid_ids_pass():
    fs = check_case([rec(persons=[Person("suspect", "张某某", "440305199003150014", "male"),
                                  Person("victim", "李某", "440304199507220024", "female")])])
    assert not {"K010", "K011", "K012"} & set(codes(fs))


def test_credit_code_check_character():
    bad = Agency("深圳市公安局南山分局", "11440300MB2C123453", "police")
    [f] = [f for f in check_case([rec(agency=bad)]) if f.code == "K012"]
    assert f.location.endswith("/DossierRecord/Agency/@creditCode")


@pytest.mark.parametrize("number,ok", [("深南公(刑)立字〔2026〕00123号", True), ("（2026）粤0305刑初1234号", True),
                                       ("A4403055000002026100123", True), ("第123号", False), ("abc", False)])
def test_case_number_shape(number, ok):
    fs = check_case([rec(number=number)])
    assert ("K013" not in codes(fs)) == ok


# --- profiles: every profile, complete and with each required document missing ------------------

COMPLETE = {
    "arrest-request": (["受案登记表", "立案决定书", "拘留证", "拘留通知书", "讯问笔录", "犯罪嫌疑人诉讼权利义务告知书",
                        "提请批准逮捕书"], ["拘留"], None),
    "transfer-for-prosecution": (["受案登记表", "立案决定书", "拘留证", "拘留通知书", "讯问笔录", "起诉意见书",
                                  "犯罪嫌疑人诉讼权利义务告知书", "移送审查起诉告知书"], ["拘留"], None),
    "theft-fasttrack-transfer": (["受案登记表", "立案决定书", "讯问笔录", "询问笔录", "价格认定结论书", "扣押决定书",
                                  "到案经过", "户籍证明", "起诉意见书", "犯罪嫌疑人诉讼权利义务告知书",
                                  "移送审查起诉告知书", "认罪认罚材料"], [], "速裁"),
    "dui-fasttrack-transfer": (["受案登记表", "立案决定书", "讯问笔录", "呼气酒精含量检测单", "血样提取登记表",
                                "血液酒精含量检验鉴定意见书", "鉴定意见通知书", "到案经过", "驾驶证信息", "起诉意见书",
                                "犯罪嫌疑人诉讼权利义务告知书", "移送审查起诉告知书", "认罪认罚材料"], ["提取血样"], "速裁"),
    "supplementary-retransfer": (["受案登记表", "立案决定书", "讯问笔录", "起诉意见书", "犯罪嫌疑人诉讼权利义务告知书",
                                  "移送审查起诉告知书", "补充侦查决定书", "补充侦查提纲", "补充侦查报告书"], [], None),
    "public-prosecution": (["起诉意见书", "认罪认罚具结书", "量刑建议书", "起诉书"], [], "速裁"),
    "execution-handover": (["起诉书", "刑事判决书", "执行通知书", "结案登记表"], [], None),
    # 监察法 (2018) Art. 45 para 1 item 4: 起诉意见书 with the file and the evidence; Art. 25: seizure lists
    "supervision-transfer-for-prosecution": (["立案决定书", "讯问笔录", "询问笔录", "扣押决定书", "扣押清单",
                                              "起诉意见书"], [], None),
}


def test_every_profile_has_a_scenario():
    assert set(COMPLETE) == set(profile_names())


def _scenario(name, drop=None):
    docs, events, procedure = COMPLETE[name]
    docs = [d for d in docs if d != drop]
    return [rec(docs=docs, events=[ev(e, "2026-11-01 10:00") for e in events], procedure=procedure, profile=name)]


@pytest.mark.parametrize("name", sorted(COMPLETE))
def test_complete_scenario_accepted(name):
    fs = check_case(_scenario(name))
    assert not [f for f in fs if f.severity == "error"], [f.message_en for f in fs]
    assert not [f for f in fs if f.code == "K022"], [f.message_en for f in fs]


REQUIRED = [(name, doc_) for name, (docs, _, _) in sorted(COMPLETE.items()) for doc_ in docs
            if any(r.level == "require" and r.names() == doc_ for r in load_profile(name).requirements)]


def test_required_scenarios_cover_every_profile():
    assert {name for name, _ in REQUIRED} == set(COMPLETE)


@pytest.mark.parametrize("name,missing", REQUIRED)
def test_each_required_document_missing_rejected(name, missing):
    fs = check_case(_scenario(name, drop=missing))
    errors = [f for f in fs if f.code == "K021"]
    assert errors, (name, missing)
    assert any(missing in f.message_zh and missing in f.message_en for f in errors)


def test_conditional_requirements():
    # detention recorded → 拘留证 required for an arrest request; without detention it is not
    base = ["立案决定书", "讯问笔录", "提请批准逮捕书"]
    assert "K021" in codes(check_case([rec(docs=base, events=[ev("拘留", "2026-11-01 10:00")], profile="arrest-request")]))
    assert "K021" not in codes(check_case([rec(docs=base, profile="arrest-request")]))
    # drunk driving: blood drawn → blood-alcohol report required even with a breath test
    dui = ["立案决定书", "讯问笔录", "起诉意见书", "呼气酒精含量检测单"]
    fs = check_case([rec(docs=dui, events=[ev("提取血样", "2026-11-01 10:00")], profile="dui-fasttrack-transfer")])
    assert any("血液酒精含量检验鉴定意见书" in f.message_zh for f in fs if f.code == "K021")
    fs = check_case([rec(docs=dui, profile="dui-fasttrack-transfer")])
    assert "K021" not in codes(fs)


def test_profile_applies_to_the_layers_up_to_the_declaring_one():
    police = rec(1, docs=["立案决定书", "讯问笔录"], profile="transfer-for-prosecution")
    proc = rec(2, "procuratorate", docs=["起诉意见书"])  # added later: does not cure layer 1
    fs = check_case([police, proc])
    assert any("起诉意见书" in f.message_zh and f.location.startswith("dossier/001.xml") for f in fs if f.code == "K021")


def test_requested_profile_and_unknown_profile():
    fs = check_case([rec(docs=["立案决定书"])], profile="execution-handover")
    assert codes(fs).count("K021") == 4
    assert "--profile execution-handover" in fs[0].location
    assert "K020" in codes(check_case([rec(profile="no-such-profile")]))


# --- events and custody transfer -------------------------------------------------------------------

def test_event_document_reference():
    r = rec(docs=[doc(1, "拘留证", id="d3"), doc(2, "讯问笔录", id="d4")],
            events=[ev("拘留", "2026-10-31 11:30", document="d3"), ev("立案", "2026-10-31 09:00", document="zz"),
                    ev("逮捕", "2026-11-06 10:00", document="d4")])
    fs = check_case([r])
    assert codes(fs).count("K030") == 1 and codes(fs).count("K031") == 1


def _chain(accept_end="2026-11-21", with_accept=True, with_send=True):
    import datetime as dt

    police = rec(1, events=[ev("拘留", "2026-10-31 11:30"), ev("提请批准逮捕", "2026-11-03 10:00"),
                            ev("批准逮捕", "2026-11-06 16:00"), ev("逮捕", "2026-11-06 18:00"),
                            ev("移送审查起诉", "2026-11-10 10:00")]
                 + ([ev("换押", "2026-11-10 10:00")] if with_send else []), procedure="速裁")
    proc_events = [ev("受理", "2026-11-11 09:30")]
    if with_accept:
        proc_events.append(ev("换押接收", "2026-11-11 09:30", period_start=dt.date(2026, 11, 11),
                              period_end=dt.date.fromisoformat(accept_end)))
    return [police, rec(2, "procuratorate", events=proc_events, procedure="速裁")]


def test_custody_transfer_pair_is_clean():
    fs = check_case(_chain())
    assert not {"K040", "K041", "K042", "K043"} & set(codes(fs)), [f.message_en for f in fs]


def test_custody_transfer_not_accepted_by_the_receiving_layer():
    assert "K040" in codes(check_case(_chain(with_accept=False)))
    # only the sender's layer so far: nothing to complain about yet
    assert "K040" not in codes(check_case(_chain(with_accept=False)[:1]))


def test_custody_acceptance_without_transfer_and_missing_transfer():
    fs = check_case(_chain(with_send=False))
    assert "K041" in codes(fs) and "K043" in codes(fs)


def test_declared_period_differs_from_statute():
    [f] = [f for f in check_case(_chain(accept_end="2026-12-11")) if f.code == "K042"]
    assert "2026-11-21" in f.message_en and "2026-12-11" in f.message_en
