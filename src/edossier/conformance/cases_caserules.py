"""Conformance cases: case-rule cases (K). Registered in CASES (casekit.py) on import."""

from __future__ import annotations


from .casekit import case, D, doc, mini, police, second, T, with_record, xml_replace
from .builder import Workshop
from .pki import POLICE, PROCURATORATE


# --- case rules (K) -----------------------------------------------------------------------------------

def ev(type_, time, actor=POLICE.name, **kw) -> dict:
    return {"type": type_, "time": T(time), "actor": actor, **kw}


def with_events(w: Workshop, *events, **changes) -> bytes:
    return police(w, events=list(events), **changes)


def docs_plus(*extra) -> list[dict]:
    return mini()["documents"] + list(extra)


@case("bad", "K001", "unknown-document-type", "A document type that is not in the document-type code list.",
      "文书类型不在文书类型代码表中。")
def _(w):
    return with_record(w, xml_replace('type="讯问笔录" typeCode="C004"', 'type="神秘文书"'))


@case("bad", "K002", "unknown-event-type", "An event type that is not in the event-type code list.",
      "事件类型不在事件类型代码表中。")
def _(w):
    import re

    pkg = with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d1"))
    return with_record(w, lambda r: re.sub(rb'type="\xe7\xab\x8b\xe6\xa1\x88" typeCode="[^"]*"',
                                           'type="神秘事件"'.encode(), r), package=pkg)


@case("bad", "K003", "type-code-disagrees", "A 讯问笔录 whose typeCode is that of 立案决定书 (A005).",
      "讯问笔录的 typeCode 却是立案决定书的编码（A005）。")
def _(w):
    return with_record(w, xml_replace('type="讯问笔录" typeCode="C004"', 'type="讯问笔录" typeCode="A005"'))


@case("warn", "K004", "code-list-version", "The record names version 0.9 of the document-type code list.",
      "卷宗记录声明使用文书类型代码表 0.9 版。")
def _(w):
    from ..caserules.codelist import document_types

    current = f'uri="urn:edossier:codelist:document-type" version="{document_types().version}"'.encode()
    return with_record(w, lambda r: r.replace(current, b'uri="urn:edossier:codelist:document-type" version="0.9"'))


@case("warn", "K005", "code-list-not-named", "typeCode values without naming the code list (no CodeLists element).",
      "使用了 typeCode 编码但未声明代码表（缺少 CodeLists 元素）。")
def _(w):
    import re

    return with_record(w, lambda r: re.sub(rb"\s*<CodeLists>.*?</CodeLists>", b"", r, flags=re.S))


@case("bad", "K010", "id-number-check-character", "A suspect's resident ID number has a wrong check character.",
      "犯罪嫌疑人的公民身份号码校验码错误。")
def _(w):
    return police(w, persons=[{"role": "suspect", "name": "张某某", "id_number": "440305199003150015", "gender": "male"}])


@case("warn", "K011", "id-number-gender", "The ID number's sequence code says male; the record says female.",
      "公民身份号码顺序码表明为男性，卷宗记录却为女性。")
def _(w):
    return police(w, persons=[{"role": "suspect", "name": "张某某", "id_number": "440305199003150014", "gender": "female"}])


@case("bad", "K070", "id-number-address-000000", "A suspect's resident ID number has the address code 000000, "
      "which no GB/T 2260 revision contains (its check character is right).",
      "犯罪嫌疑人的公民身份号码地址码为 000000，任何版本的 GB/T 2260 都没有该代码（校验码正确）。")
def _(w):
    return police(w, persons=[{"role": "suspect", "name": "张某某", "id_number": "000000199003150014", "gender": "male"}])


@case("warn", "K071", "id-number-address-not-in-gb2260", "The ID number's address code 440399 is in province 44 "
      "but in no bundled GB/T 2260 revision.", "公民身份号码地址码 440399 属于44省，但不在内置的任何版本 GB/T 2260 中。")
def _(w):
    return police(w, persons=[{"role": "suspect", "name": "张某某", "id_number": "440399199003150014", "gender": "male"}])


@case("warn", "K072", "credit-code-authority", "An event names an agency whose credit code has registration authority "
      "B, which GB 32100 does not define.", "事件所载机关的统一社会信用代码登记管理部门代码为 B，GB 32100 未定义。")
def _(w):
    return with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d1"),
                       ev("批准逮捕", "2026-11-06T16:00:00+08:00", PROCURATORATE.name, agency="B1440305MB2D10001J"),
                       ev("提请批准逮捕", "2026-11-03T10:00:00+08:00"))


@case("warn", "K073", "credit-code-division", "An event names an agency whose credit code has division digits 440399, "
      "not a GB/T 2260 code.", "事件所载机关的统一社会信用代码行政区划码为 440399，不是 GB/T 2260 代码。")
def _(w):
    return with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d1"),
                       ev("批准逮捕", "2026-11-06T16:00:00+08:00", PROCURATORATE.name, agency="11440399MB2D100012"),
                       ev("提请批准逮捕", "2026-11-03T10:00:00+08:00"))


@case("warn", "K077", "custody-period-change-not-notified", "Investigative custody is extended, but no notice of the "
      "changed period to the detention centre is recorded before the transfer.",
      "延长了侦查羁押期限，但移送审查起诉前未记录向看守所发出变更羁押期限通知书。")
def _(w):
    # arrested 11-04, extended 11-20 (Art. 156), transferred 11-25 with 换押: all before the corpus time 12-01
    events = ARREST + [ev("延长侦查羁押期限", "2026-11-20T10:00:00+08:00"),
                       ev("移送审查起诉", "2026-11-25T10:00:00+08:00"), ev("换押", "2026-11-25T10:00:00+08:00")]
    return police(w, events=with_certificate(events, "h1"), documents=docs_plus(CERT_POLICE))


@case("bad", "K012", "credit-code-check-character", "An event names an agency whose credit code has a wrong check character.",
      "事件所载机关的统一社会信用代码校验码错误。")
def _(w):
    return with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d1"),
                       ev("批准逮捕", "2026-11-06T16:00:00+08:00", PROCURATORATE.name, agency="11440305MB2D10001X"),
                       ev("提请批准逮捕", "2026-11-03T10:00:00+08:00"))


@case("warn", "K013", "document-number-shape", "A document number (文号) without year in brackets or 号.",
      "文号不含括号中的年份，也不以“号”结尾。")
def _(w):
    return police(w, documents=[doc("d1", "立案决定书", number="立案-123"), mini()["documents"][1]])


@case("bad", "K020", "unknown-profile", "The layer claims a stage profile that does not exist.",
      "该层声明了不存在的阶段规则。")
def _(w):
    pkg = police(w, layer={"stage": "提请批准逮捕", "profile": "arrest-request"})
    return with_record(w, xml_replace('profile="arrest-request"', 'profile="no-such-profile"'), package=pkg)


@case("bad", "K021", "required-document-missing", "Profile arrest-request without the 提请批准逮捕书.",
      "阶段规则“提请批准逮捕”缺少提请批准逮捕书。", allowed=("K022",))
def _(w):
    return police(w, layer={"stage": "提请批准逮捕", "profile": "arrest-request"})


@case("warn", "K022", "usual-document-missing", "Profile transfer-for-prosecution without the usual 受案登记表.",
      "阶段规则“移送审查起诉”缺少通常应随附的受案登记表。")
def _(w):
    return police(w, layer={"stage": "移送审查起诉", "profile": "transfer-for-prosecution"},
                  documents=docs_plus(doc("d8", "起诉意见书", number="深南公(刑)诉字〔2026〕00098号", date=D(2026, 11, 10))))


@case("bad", "K030", "event-document-missing", "An event refers to document d9, which is not in the dossier.",
      "事件引用的文书 d9 不在卷宗中。")
def _(w):
    return with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d9"))


@case("warn", "K031", "event-proof-type", "The 立案 event is proved by a 讯问笔录 instead of a 立案决定书.",
      "立案事件的证明文书是讯问笔录，而不是立案决定书。")
def _(w):
    return with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d2"))


@case("warn", "K032", "step-not-recorded", "批准逮捕 is recorded without an earlier 提请批准逮捕.",
      "记录了批准逮捕，但此前没有提请批准逮捕。")
def _(w):
    return with_events(w, ev("批准逮捕", "2026-11-06T16:00:00+08:00", PROCURATORATE.name, agency=PROCURATORATE.credit_code))


PROSECUTE = ev("提起公诉", "2026-11-13T15:00:00+08:00", PROCURATORATE.name, document="p1")
HANDOVER = ev("换押", "2026-11-13T15:00:00+08:00", PROCURATORATE.name)  # custody passes on to the court
ARREST = [ev("拘留", "2026-10-31T11:30:00+08:00"), ev("提请批准逮捕", "2026-11-02T10:00:00+08:00"),
          ev("批准逮捕", "2026-11-04T16:00:00+08:00", PROCURATORATE.name, agency=PROCURATORATE.credit_code),
          ev("逮捕", "2026-11-04T18:00:00+08:00")]


def with_certificate(events, cert: str) -> list:
    """The events, each 换押/换押接收 naming the 换押证 `cert` (the certificate the 看守所 receives, K076)."""
    return [dict(e, document=cert) if e["type"] in ("换押", "换押接收") and not e.get("document") else e
            for e in events]


def custody_layers(w: Workshop, police_events, proc_events) -> bytes:
    return w.build((mini(events=with_certificate(police_events, "h1"), documents=docs_plus(CERT_POLICE)),
                    w.cred("police")),
                   (second(events=with_certificate(proc_events, "h2"),
                           documents=second()["documents"] + [CERT_PROC]), w.cred("procuratorate", 2)))


CERT_POLICE = doc("h1", "换押证", title="换押证（张某某）", date=D(2026, 11, 10))
CERT_PROC = doc("h2", "换押证", "v3", title="换押证（张某某，检→法）", date=D(2026, 11, 13))


@case("bad", "K040", "custody-transfer-not-accepted", "The police record a custody transfer (换押); the procuratorate's "
      "later layer does not record accepting it.", "公安机关记录了换押，检察院的后续层未记录换押接收。")
def _(w):
    return custody_layers(w, [ev("移送审查起诉", "2026-11-10T10:00:00+08:00"), ev("换押", "2026-11-10T10:00:00+08:00")],
                          [ev("受理", "2026-11-11T09:30:00+08:00", PROCURATORATE.name), PROSECUTE])


@case("bad", "K041", "custody-acceptance-without-transfer", "The procuratorate records accepting a custody transfer that "
      "nobody sent.", "检察院记录了换押接收，但此前没有任何机关发出换押。")
def _(w):
    return custody_layers(w, [ev("移送审查起诉", "2026-11-10T10:00:00+08:00")],
                          [ev("受理", "2026-11-11T09:30:00+08:00", PROCURATORATE.name),
                           ev("换押接收", "2026-11-11T09:30:00+08:00", PROCURATORATE.name), PROSECUTE])


@case("warn", "K075", "custody-transfer-missing-on-change-of-venue", "The suspect is in custody and the case goes "
      "to another organ by change of jurisdiction (改变管辖); no 换押 is recorded.",
      "犯罪嫌疑人在押，案件因改变管辖移交其他机关，但未记录换押。")
def _(w):
    # arrested 11-04; custody runs to 01-04 (Art. 156), so only the missing 换押 is found at 12-01
    return with_events(w, *ARREST, ev("改变管辖", "2026-11-08T10:00:00+08:00"))


@case("warn", "K076", "custody-transfer-without-certificate", "The police record a 换押 that names no 换押证, so the "
      "detention centre's copy cannot be shown.", "公安机关记录的换押未指向换押证，无法证明看守所已收到。")
def _(w):
    return with_events(w, ev("移送审查起诉", "2026-11-10T10:00:00+08:00"), ev("换押", "2026-11-10T10:00:00+08:00"))


@case("warn", "K050", "detention-overdue", "Detention on 10-31, but the request for arrest approval only on 11-08 "
      "(3 days allowed).", "10月31日拘留，11月8日才提请批准逮捕（法定3日）。")
def _(w):
    return with_events(w, ev("拘留", "2026-10-31T11:30:00+08:00"), ev("提请批准逮捕", "2026-11-08T10:00:00+08:00"),
                       ev("批准逮捕", "2026-11-09T16:00:00+08:00", PROCURATORATE.name, agency=PROCURATORATE.credit_code),
                       ev("逮捕", "2026-11-09T18:00:00+08:00"))


@case("warn", "K051", "detention-still-running", "Detention on 11-05 and nothing after it: the period ended long before "
      "the validation time.", "11月5日拘留后再无记录：拘留期限早在验证时间之前届满。")
def _(w):
    return with_events(w, ev("拘留", "2026-11-05T11:30:00+08:00"))


@case("bad", "K053", "extension-without-detention", "An extension of detention (延长拘留期限) without any detention.",
      "没有拘留却记录了延长拘留期限。")
def _(w):
    return with_events(w, ev("延长拘留期限", "2026-11-03T10:00:00+08:00", days=4))


@case("good", (), "custody-transfer", "Arrest, transfer for prosecution with custody transfer (换押), acceptance and "
      "public prosecution within the periods.", "逮捕、移送审查起诉并换押、换押接收、在期限内提起公诉。")
def _(w):
    return custody_layers(w, ARREST + [ev("移送审查起诉", "2026-11-10T10:00:00+08:00"), ev("换押", "2026-11-10T10:00:00+08:00")],
                          [ev("受理", "2026-11-11T09:30:00+08:00", PROCURATORATE.name),
                           ev("换押接收", "2026-11-11T09:30:00+08:00", PROCURATORATE.name, period_start=D(2026, 11, 11),
                              period_end=D(2026, 11, 21)), PROSECUTE, HANDOVER])


@case("warn", "K042", "custody-period-declared-wrong", "The custody-transfer acceptance declares a period ending 11-30; "
      "the statutory period (速裁, 10 days) ends 11-21.", "换押接收所填期限至11月30日，而法定期限（速裁，十日）至11月21日。")
def _(w):
    return custody_layers(w, ARREST + [ev("移送审查起诉", "2026-11-10T10:00:00+08:00"), ev("换押", "2026-11-10T10:00:00+08:00")],
                          [ev("受理", "2026-11-11T09:30:00+08:00", PROCURATORATE.name),
                           ev("换押接收", "2026-11-11T09:30:00+08:00", PROCURATORATE.name, period_start=D(2026, 11, 11),
                              period_end=D(2026, 11, 30)), PROSECUTE, HANDOVER])


@case("warn", "K043", "custody-transfer-not-recorded", "The suspect is in custody and the case is transferred for "
      "prosecution, but no custody transfer (换押) is recorded.", "犯罪嫌疑人在押，案件移送审查起诉，但未记录换押。")
def _(w):
    return custody_layers(w, ARREST + [ev("移送审查起诉", "2026-11-10T10:00:00+08:00")],
                          [ev("受理", "2026-11-11T09:30:00+08:00", PROCURATORATE.name), PROSECUTE])


@case("warn", "K052", "custody-period-ends-soon", "Investigative custody after the arrest on 10-02 ends on 12-02, one day "
      "after the validation time.", "10月2日逮捕后的侦查羁押期限于12月2日届满，距验证时间仅一日。")
def _(w):
    return with_events(w, ev("拘留", "2026-09-28T11:30:00+08:00"), ev("提请批准逮捕", "2026-09-30T10:00:00+08:00"),
                       ev("批准逮捕", "2026-10-02T16:00:00+08:00", PROCURATORATE.name, agency=PROCURATORATE.credit_code),
                       ev("逮捕", "2026-10-02T18:00:00+08:00"))
