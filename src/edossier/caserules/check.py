"""The case stage of validation (docs/caserules.md): code lists, identity numbers, stage profiles,
events and custody transfer, statutory deadlines. Pure function of the records; never raises."""

from __future__ import annotations

import datetime as dt
import re

from ..container.asic import record_name
from ..findings import Finding, finding
from ..i18n import t
from ..idcodes import (credit_code_structure, division_code_status, division_codes, is_valid_credit_code,
                       is_valid_resident_id, resident_id_check_char)
from ..record.model import Record
from . import codelist
from .calendar_cn import beijing_date
from .deadlines import compute
from .periods import Period, Timeline
from .legal import articles_text, basis_text
from .profiles import ProfileError, check_profile, load_profile, unknown_profile

# 〔2026〕 / （2026） / [2026] year, then anything, then a serial number and 号; or a system number.
_NUMBER_RE = re.compile(r"^.*[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）].*?\d+\s*号$")
_SYSTEM_NUMBER_RE = re.compile(r"^[A-Z0-9]{15,32}$")


# The rule groups, each run on its own: one that raises is reported as X006 and the others still run.
GROUPS = ("codes", "identity", "profiles", "events", "custody", "deadlines")
GROUPS_ZH = {"codes": "代码表", "identity": "身份号码", "profiles": "阶段要件", "events": "事件",
             "custody": "换押", "deadlines": "期限"}


def check_case(records: list[Record], *, profile: str | None = None, at: dt.datetime | None = None,
               now: dt.datetime | None = None, complete: bool = False, organization_code: bool = False):
    """All case-stage findings for the records of one package, given in layer order.

    `profile` is a profile asked for by the user (applied to the whole dossier), in addition to those the
    layers declare. `at` is the user's validation time; without it running periods are judged at `now`.
    With `complete`, returns (findings, True when every rule group ran to the end). With
    `organization_code`, the GB 11714 check character embedded in credit codes is checked too (K074);
    it is off by default because the demo police code of the bundled samples predates the check.
    """
    out: list[Finding] = []
    loc = record_name(records[-1].layer) if records else ""
    timeline: list = []

    def deadlines_timeline():
        timeline.append(compute(records, at=at, now=now))
        return _deadlines(timeline[0])

    def custody():
        if not timeline:
            timeline.append(compute(records, at=at, now=now))
        return _custody(records, timeline[0])

    groups = {"codes": lambda: _codes(records), "identity": lambda: _identity(records, organization_code),
              "profiles": lambda: _profiles(records, profile), "events": lambda: _events(records),
              "deadlines": deadlines_timeline, "custody": custody}
    ran = 0
    for name in ("codes", "identity", "profiles", "events", "deadlines", "custody"):
        try:
            out += groups[name]()
            ran += 1
        except Exception as exc:  # noqa: BLE001 - a rule bug makes this group unchecked, not the others
            out.append(finding("X006", loc, group=name, detail=f"{type(exc).__name__}: {str(exc)[:200]}",
                               detail_zh=f"{GROUPS_ZH[name]}：{type(exc).__name__}：{str(exc)[:200]}"))
    unique: dict[tuple, Finding] = {}
    for f in out:
        unique.setdefault((f.code, f.location, f.message_en), f)
    found = list(unique.values())
    return (found, ran == len(GROUPS)) if complete else found


def _loc(layer: int, xpath: str = "") -> str:
    return f"{record_name(layer)} {xpath}".strip()


# --- code lists ---------------------------------------------------------------------------------

def _codes(records: list[Record]) -> list[Finding]:
    out = []
    lists = {codelist.DOCUMENT_TYPES: codelist.document_types(), codelist.EVENT_TYPES: codelist.event_types()}
    for r in records:
        declared = {c.name: c for c in r.code_lists}
        for name, cl in lists.items():
            ref = declared.get(name)
            if ref is not None and (ref.uri != cl.uri or not cl.reads(ref.version)):
                out.append(finding("K004", _loc(r.layer, "/DossierRecord/CodeLists"), uri=ref.uri,
                                   version=ref.version, known=f"{cl.uri} {cl.version}"))
        for name, items in ((codelist.DOCUMENT_TYPES, r.documents), (codelist.EVENT_TYPES, r.events)):
            if any(i.type_code for i in items) and name not in declared:
                out.append(finding("K005", _loc(r.layer, "/DossierRecord"), list=lists[name].uri))
        for i, d in enumerate(r.documents, start=1):
            out += _coded(lists[codelist.DOCUMENT_TYPES], "K001", d.type, d.type_code,
                          _loc(r.layer, f"/DossierRecord/Documents/Document[{i}]/@type"))
        for i, e in enumerate(r.events, start=1):
            out += _coded(lists[codelist.EVENT_TYPES], "K002", e.type, e.type_code,
                          _loc(r.layer, f"/DossierRecord/Events/Event[{i}]/@type"))
    return out


def _coded(cl: codelist.CodeList, code: str, value: str, type_code: str | None, loc: str) -> list[Finding]:
    entry = cl.lookup(value)
    if entry is None:
        if type_code and cl.by_code(type_code):
            return []  # a local name with a known code: the code decides
        en, zh = codelist.suggestion_text(cl.suggest(value))
        return [finding(code, loc, value=value, detail=f"not in code list {cl.uri} {cl.version}; {en}",
                        detail_zh=f"不在代码表 {cl.uri} {cl.version} 中；{zh}")]
    if type_code and type_code != entry.code:
        other = cl.by_code(type_code)
        detail = f"{value} is {entry.code}" + (f", {type_code} is {other.zh}" if other else f", {type_code} is unknown")
        detail_zh = f"{value} 的编码为 {entry.code}，" + (f"{type_code} 是{other.zh}" if other else f"{type_code} 是未知编码")
        return [finding("K003", loc.replace("/@type", "/@typeCode"), value=value, type_code=type_code, detail=detail,
                        detail_zh=detail_zh)]
    return []


# --- identity numbers ----------------------------------------------------------------------------

def _agency_named_by(code: str, records: list[Record]) -> str | None:
    """The name of the agency an event's credit code stands for, so that K012 names the agency whose
    code is wrong (not the event): one of the package's agencies with that code, or, the usual slip,
    with the same first 17 characters (only the check character differs)."""
    agencies = [r.agency for r in records]
    for same in (lambda a: a.credit_code == code, lambda a: a.credit_code[:17] == code[:17]):
        names = {a.name for a in agencies if same(a)}
        if len(names) == 1:
            return names.pop()
    return None


def _event_agency(e, records: list[Record]) -> tuple[str, str]:
    """(en, zh) naming the agency whose credit code an event carries (K012, K072-K074): the package's
    agency with that code, else the event's recorded actor, else "the agency recorded for event X" —
    never the event itself as if it were the agency."""
    name = _agency_named_by(e.agency, records) or e.actor
    if name:
        return name, name
    return t("agency.of_event", "en", event=e.type), t("agency.of_event", "zh-CN", event=e.type)


def _identity(records: list[Record], organization_code: bool = False) -> list[Finding]:
    out = []
    for r in records:
        if not is_valid_credit_code(r.agency.credit_code):
            out.append(finding("K012", _loc(r.layer, "/DossierRecord/Agency/@creditCode"),
                               value=r.agency.credit_code, name=r.agency.name, name_zh=r.agency.name))
        out += _credit_structure(r.agency.credit_code, (r.agency.name, r.agency.name),
                                 _loc(r.layer, "/DossierRecord/Agency/@creditCode"), organization_code)
        for i, e in enumerate(r.events, start=1):
            if e.agency and not is_valid_credit_code(e.agency):
                name, name_zh = _event_agency(e, records)
                out.append(finding("K012", _loc(r.layer, f"/DossierRecord/Events/Event[{i}]/@agency"),
                                   value=e.agency, name=name, name_zh=name_zh))
            elif e.agency:
                out += _credit_structure(e.agency, _event_agency(e, records),
                                         _loc(r.layer, f"/DossierRecord/Events/Event[{i}]/@agency"), organization_code)
        for i, p in enumerate(r.persons, start=1):
            if p.id_number:
                out += _resident_id(p, r, _loc(r.layer, f"/DossierRecord/Persons/Person[{i}]/@idNumber"))
        if r.layer == records[0].layer or r.case.number != records[0].case.number:
            out += _number("case number", "案件编号", r.case.number, _loc(r.layer, "/DossierRecord/Case/@number"))
        for i, d in enumerate(r.documents, start=1):
            if d.number:
                out += _number("document number (文号)", "文号", d.number,
                               _loc(r.layer, f"/DossierRecord/Documents/Document[{i}]/@number"))
    return out


_CREDIT_PART_CODE = {"authority": "K072", "division": "K073", "organization": "K074"}


def _credit_structure(code: str, name: tuple[str, str], loc: str, organization_code: bool) -> list[Finding]:
    """GB 32100 structure beyond the check character (K072-K074), naming the agency (`name` is its
    (en, zh) description); silent when K012 already fired."""
    return [finding(_CREDIT_PART_CODE[part], loc, value=code, name=name[0], name_zh=name[1], detail=en, detail_zh=zh)
            for part, en, zh in credit_code_structure(code)
            if organization_code or part != "organization"]


def _id_address(p, loc: str) -> list[Finding]:
    """The address code (GB 11643 positions 1-6) against the GB/T 2260 union (docs/caserules.md#k-idaddress).
    Only a code that no revision can have is an error; one merely missing from the bundled data is a
    warning, because the data may not reach every code ever issued."""
    code = p.id_number[:6]
    status = division_code_status(code)
    if status == "invalid":
        if code in ("000000", "999999"):
            en, zh = f"{code} is reserved, never a division", f"{code} 不是任何行政区划的代码"
        else:
            en, zh = f"province {code[:2]} does not exist", f"省级代码 {code[:2]} 不存在"
        return [finding("K070", loc, name=p.name, value=code, detail=en, detail_zh=zh)]
    if status == "unknown":
        return [finding("K071", loc, name=p.name, value=code, version=division_codes().version)]
    return []


def _resident_id(p, r: Record, loc: str) -> list[Finding]:
    s = p.id_number
    if is_valid_resident_id(s):
        return _id_address(p, loc) + _resident_id_rest(p, r, loc)
    return _resident_id_rest(p, r, loc)


def _resident_id_rest(p, r: Record, loc: str) -> list[Finding]:
    s = p.id_number
    if not is_valid_resident_id(s):
        try:
            born = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
        except ValueError:
            born = None
        if len(s) != 18 or not s[:17].isdigit():
            en, zh = "it must be 17 digits and a check character", "应为17位数字加1位校验码"
        elif born is None or born.year < 1800:
            en, zh = f"{s[6:14]} is not a real birth date", f"出生日期 {s[6:14]} 不是真实日期"
        else:
            want = resident_id_check_char(s[:17])
            en, zh = f"the check character is {s[17]}, it should be {want}", f"校验码为 {s[17]}，应为 {want}"
        return [finding("K010", loc, name=p.name, detail=en, detail_zh=zh)]
    born = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    if born > r.created.date():
        return [finding("K010", loc, name=p.name, detail=f"the birth date {born} is after the record was made",
                        detail_zh=f"出生日期 {born} 晚于卷宗记录的制作时间")]
    if p.gender:
        implied = "male" if int(s[16]) % 2 else "female"
        if implied != p.gender:
            zh = {"male": "男", "female": "女"}
            return [finding("K011", loc, name=p.name, implied=implied, gender=p.gender, implied_zh=zh[implied],
                            gender_zh=zh[p.gender])]
    return []


def _number(what: str, what_zh: str, value: str, loc: str) -> list[Finding]:
    if _NUMBER_RE.match(value) or _SYSTEM_NUMBER_RE.match(value):
        return []
    return [finding("K013", loc, what=what, what_zh=what_zh, value=value,
                    detail="expected a year in brackets such as 〔2026〕 or （2026） and a serial number ending in 号",
                    detail_zh="应含括号中的年份（如〔2026〕或（2026））和以“号”结尾的序号")]


# --- profiles ------------------------------------------------------------------------------------

def _profiles(records: list[Record], requested: str | None) -> list[Finding]:
    out = []
    for i, r in enumerate(records):
        if r.profile:
            out += _apply(r.profile, records[: i + 1], _loc(r.layer, "/DossierRecord/Layer/@profile"))
    if requested and records:
        out += _apply(requested, records, f"{record_name(records[-1].layer)} (--profile {requested})")
    return out


def _apply(name: str, records: list[Record], loc: str) -> list[Finding]:
    try:
        prof = load_profile(name)
    except ProfileError:
        return [unknown_profile(name, loc)]
    return check_profile(prof, records, loc)


# --- events --------------------------------------------------------------------------------------

def _events(records: list[Record]) -> list[Finding]:
    out = []
    docs = {d.id: d for r in records for d in r.documents}
    for r in records:
        for i, e in enumerate(r.events, start=1):
            if not e.document:
                continue
            loc = _loc(r.layer, f"/DossierRecord/Events/Event[{i}]/@document")
            d = docs.get(e.document)
            if d is None:
                out.append(finding("K030", loc, event=e.type, document=e.document))
                continue
            ev = codelist.resolve_event_type(e.type_code or "") or codelist.resolve_event_type(e.type)
            dt_entry = codelist.resolve_document_type(d.type_code or "") or codelist.resolve_document_type(d.type)
            if ev and ev.proof and dt_entry and dt_entry.code not in ev.proof:
                out.append(finding("K031", loc, event=e.type, document=d.id, doc_type=dt_entry.zh,
                                   expected="、".join(codelist.doc_name(c) for c in ev.proof)))
    return out


# --- custody transfer (换押) ---------------------------------------------------------------------
#
# Per person: a co-suspect's 取保 must not silence another's missing 换押 (issue #15). Events that name
# no person concern everyone. Triggers follow the 2014 两高一部 换押 notice (docs/caserules.md#k-custody).

_TRANSFERS = {"EV16", "EV19", "EV20", "EV21"}  # steps that move a detained suspect to another organ (K043)
# Further triggers (K075): code -> (legal basis, True when the sending organ records the step itself).
# code -> (CPL 2018 articles as spans, the 换押 notice's (2014) case, True when the sending organ records the step)
_MORE_TRIGGERS = {
    "EV29": ([(227, 229), (243, 243)], "一审→二审", False),
    "EV71": ([(236, 236)], "发回重审", True),
    "EV37": ([(204, 205)], "延期审理补充侦查", True),
    "EV38": ([(205, 205)], "恢复审理", True),
    "EV60": ([(246, 247)], "死刑复核", True),
    "EV73": ([(250, 250)], "死刑复核发回", False),
    "EV74": ([(25, 27)], "改变管辖", True),
}


def _trigger_basis(spans, case: str) -> tuple[str, str]:
    return (f"{articles_text('CPL', spans, 'en')}; 换押 notice (2014): {case}",
            f"{articles_text('CPL', spans, 'zh-CN')}；换押通知（2014）：{case}")
_INTO_CUSTODY = ("EV03", "EV09", "EV14", "EV52")  # EV52 先行拘留 (Art. 170): into the 看守所; 留置 (EV50) is not
_OUT_OF_CUSTODY = ("EV10", "EV11", "EV12", "EV22", "EV40")
# Period changes without a change of organ: the organ notifies the 看守所 (变更羁押期限通知书, K077).
_PERIOD_CHANGES = {"EV13", "EV14", "EV15", "EV18", "EV24"}
_WINDOW = dt.timedelta(days=3)  # practice: 换押 the same day or within 3 days [S] (DOMAIN.md §5.3)


def _concerns(step, person: str) -> bool:
    return not step.event.person or step.event.person == person


def _custody(records: list[Record], tl: Timeline) -> list[Finding]:
    out = []
    steps = tl.steps
    by_layer = {r.layer: r for r in records}
    sends = [s for s in steps if s.code == "EV33"]
    accepts = [s for s in steps if s.code == "EV34"]
    used: set[int] = set()
    for send in sends:
        sender = by_layer[send.layer].agency
        # The receiver is another agency (self-acceptance is K041) and the same person, if either names one.
        match = next((i for i, a in enumerate(accepts) if i not in used and a.layer > send.layer
                      and a.time >= send.time and by_layer[a.layer].agency.credit_code != sender.credit_code
                      and (not a.event.person or not send.event.person or a.event.person == send.event.person)),
                     None)
        if match is None:
            later = [r for r in records if r.layer > send.layer and r.agency.credit_code != sender.credit_code]
            if later:
                out.append(finding("K040", _event_loc(send, records), time=_t(send.time), agency=sender.name))
            continue
        used.add(match)
        out += _declared_period(accepts[match], tl, records)
    for i, a in enumerate(accepts):
        if i not in used:
            out.append(finding("K041", _event_loc(a, records), time=_t(a.time)))
    for s in sends + accepts:
        if not s.event.document:
            out.append(finding("K076", _event_loc(s, records), event=s.name, time=_t(s.time)))
    persons = sorted({s.event.person for s in steps if s.event.person}) or [""]
    for person in persons:
        out += _custody_of(person, [s for s in steps if _concerns(s, person)], sends, records)
    return out


def _custody_of(person: str, steps: list, sends: list, records: list[Record]) -> list[Finding]:
    """Missing 换押 at a trigger (K043/K075) and missing 变更羁押期限通知 (K077) for one person."""
    out = []
    who = person or "the suspect"
    who_zh = person or "犯罪嫌疑人"
    mine = [x for x in sends if _concerns(x, person)]
    in_custody = False
    for n, s in enumerate(steps):
        if s.code in _INTO_CUSTODY:
            in_custody = True
        if s.code in _OUT_OF_CUSTODY:
            in_custody = False
        elif s.code in _TRANSFERS and in_custody:
            if not [x for x in mine if x.layer == s.layer and abs(x.time - s.time) <= _WINDOW]:
                out.append(finding("K043", _event_loc(s, records), event=s.name, time=_t(s.time)))
        elif s.code in _MORE_TRIGGERS and in_custody:
            spans, case, sender_records = _MORE_TRIGGERS[s.code]
            basis, basis_zh = _trigger_basis(spans, case)
            if sender_records:
                near = [x for x in mine if abs(x.time - s.time) <= _WINDOW]
            else:
                # the sending court's 换押 precedes the receiver's step: any since the last judgment
                since = max((x.time for x in steps[:n] if x.code in ("EV25", "EV26", "EV27", "EV28", "EV30")),
                            default=s.time - dt.timedelta(days=30))
                near = [x for x in mine if since <= x.time <= s.time + _WINDOW]
            if not near:
                out.append(finding("K075", _event_loc(s, records), event=s.name, time=_t(s.time),
                                   person=who, person_zh=who_zh, basis=basis, basis_zh=basis_zh))
        if s.code in _PERIOD_CHANGES and in_custody:
            out += _period_notice(s, steps[n + 1:], person, records)
    return out


_NEXT_STAGE = _TRANSFERS | set(_MORE_TRIGGERS) | {"EV25", "EV26", "EV30"} | set(_OUT_OF_CUSTODY)


def _period_notice(change, later: list, person: str, records: list[Record]) -> list[Finding]:
    """A 变更羁押期限通知 must follow a period change before the case moves on (DOMAIN.md §5.3: before
    the original period expires; that date is not checked here, only that the notice exists)."""
    for x in later:
        if x.code == "EV35":
            return []
        if x.code in _NEXT_STAGE or x.code in _PERIOD_CHANGES:
            until, until_zh = f"{x.name} at {_t(x.time)}", f"{_t(x.time)} {x.name}"
            break
    else:
        until, until_zh = "the last recorded event", "最后记录的事件"
    return [finding("K077", _event_loc(change, records), event=change.name, time=_t(change.time),
                    person=person or "the suspect", person_zh=person or "犯罪嫌疑人", until=until, until_zh=until_zh)]


def _declared_period(accept, tl: Timeline, records) -> list[Finding]:
    e = accept.event
    if not e.period_end:
        return []
    candidates = [p for p in tl.periods if p.start_layer == accept.layer and p.start >= accept.time - dt.timedelta(days=3)
                  and p.kind in ("prosecution-review", "trial", "second-instance", "supplementary", "investigative-custody")]
    if not candidates:
        return []
    p = min(candidates, key=lambda p: abs(p.start - accept.time))
    if p.end is None:
        return []
    start = p.start_date + dt.timedelta(days=1)  # the first counted day (a Beijing date)
    declared_start = e.period_start or start
    if p.end != e.period_end or declared_start not in (start, p.start_date):
        declared = f"{e.period_start or '?'} – {e.period_end}"
        computed = f"{p.start_date} – {p.end} ({basis_text(p.basis, 'en')})"
        computed_zh = f"{p.start_date} – {p.end}（{basis_text(p.basis, 'zh-CN')}）"
        return [finding("K042", _event_loc(accept, records), time=_t(accept.time), declared=declared,
                        computed=computed, computed_zh=computed_zh)]
    return []


def _event_loc(step, records) -> str:
    for r in records:
        if r.layer == step.layer:
            for i, e in enumerate(r.events, start=1):
                if e is step.event:
                    return _loc(r.layer, f"/DossierRecord/Events/Event[{i}]")
    return _loc(step.layer)


def _t(when: dt.datetime) -> str:
    return when.isoformat(timespec="minutes")


# --- deadlines -----------------------------------------------------------------------------------

def _deadlines(tl: Timeline) -> list[Finding]:
    out = []
    for p in tl.periods:
        who = f" ({p.person})" if p.person else ""
        base = dict(period=f"{p.en[0].upper()}{p.en[1:]}{who}", period_zh=p.zh + who,
                    basis=basis_text(p.basis, "en"), basis_zh=basis_text(p.basis, "zh-CN"),
                    end=p.end.isoformat() if p.end else "-")
        if p.state == "expired" and p.overdue_step:
            step, when = p.overdue_step
            base["end"] = (p.overdue_end or p.end).isoformat()
            out.append(finding("K050", _loc(p.closed_layer or p.start_layer), step=step, time=_t(when), **base))
        elif p.state == "expired" and tl.at is not None:
            out.append(finding("K051", _loc(p.start_layer), at=_t(tl.at), **base))
        elif p.state == "due-soon" and tl.at is not None and p.deadline is not None:
            days = max(0, (p.end - beijing_date(tl.at)).days)  # Beijing dates (Art. 105; issue #15 item 4)
            out.append(finding("K052", _loc(p.start_layer), at=_t(tl.at), days=days, **base))
    for issue in tl.issues:
        loc = _loc(issue.step.layer)
        if issue.code == "K032":
            out.append(finding("K032", loc, event=issue.step.name, time=_t(issue.step.time), detail=issue.en,
                               detail_zh=issue.zh))
        else:
            out.append(finding("K053", loc, event=issue.step.name, time=_t(issue.step.time), detail=issue.en,
                               detail_zh=issue.zh))
    return out


__all__ = ["check_case", "Period"]
