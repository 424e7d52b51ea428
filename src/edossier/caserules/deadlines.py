"""Statutory periods computed from the events of all layers (docs/caserules.md#deadlines).

Counting (CPL 2018 Art. 105): the day on which a period starts does not count; a period of N days ends
at the end of day start+N; a period of N months ends at the end of the same day N months later, or of
the last day of that month when it has no such day (Jan 31 + 1 month = Feb 28/29), and a period that
starts on the last day of a month ends on the last day of the target month (公安部《公安机关适用刑事羁押
期限规定》2006, the month rule; docs/caserules.md#counting). Extensions run on from the end of the period
they extend, so 31 Jan → 28 Feb → (+1 month) 31 Mar, the same as counting from the start.

Dates are Beijing dates: every instant is converted to Asia/Shanghai before its date is taken, whatever
offset it was written with (an event at 2025-03-01T17:00Z is on 2 March in Beijing).

A period whose last day is a holiday ends on the next working day, except while the person is in custody
(Art. 105 para 4: 在押期间): custody is judged per person at the end of the period, so a release on bail or
an arrest in the middle of a stage period changes whether its end moves past a holiday. Travel time
(路途时间, Art. 105 para 3) recorded as an event extends the periods run by the agency that records it.

Periods are scoped to the stage in which they run: the two months of Art. 156 run only for an arrest during
investigation; an arrest in review or trial is bounded by the stage's own period (Arts. 172, 175, 208, 243).
The detaining authority decides the detention clock: police (Art. 91), the procuratorate's own detention
(Art. 167), a supervisory commission's 留置 (监察法 Art. 43) and the procuratorate's 先行拘留 (Art. 170).

The engine is a small state machine over the events in time order, one machine per person concerned
(events naming no person apply to everyone). It only reads events; findings are made in `check.py`.
"""

from __future__ import annotations

import datetime as dt

from ..record.model import Record
from .calendar_cn import add_days, add_months, beijing, beijing_date, holiday_calendar
from .periods import (collect_steps, CUSTODY_KINDS, DETENTION_KINDS, Issue, Period, STAGE_KINDS, Step,
                                        Timeline)


# --- calendar ---------------------------------------------------------------------------------


# --- periods ----------------------------------------------------------------------------------


def compute(records: list[Record], *, at: dt.datetime | None = None, now: dt.datetime | None = None) -> Timeline:
    """Every statutory period opened by the recorded events, with its state.

    With `at`, events after `at` are ignored and running periods are judged at `at`; otherwise running
    periods are judged at `now` (if given) and all events count.
    """
    steps = collect_steps(records, at)
    judge = at or now
    procedure = records[-1].case.procedure if records else None
    persons = sorted({s.event.person for s in steps if s.event.person})
    tl = Timeline(steps=steps, at=judge)
    for person in persons or [""]:
        own = [s for s in steps if not s.event.person or s.event.person == person or not persons]
        _Machine(person, procedure, tl).run(own)
    cal = holiday_calendar()
    for p in tl.periods:
        if not p.custody and p.raw_end is not None and p.raw_end.year not in cal.years:
            tl.unknown_years.add(p.raw_end.year)
        if p.state == "running" and judge is not None and p.deadline is not None:
            if judge >= p.deadline:
                p.state = "expired"
            elif p.warn_days and judge >= p.deadline - dt.timedelta(days=p.warn_days + 1):
                # from the start of the day `warn_days` days before the last day (看守所 warning rule)
                p.state = "due-soon"
    return tl


def _fast(procedure: str | None) -> bool:
    """速裁 by the procedure code list (a code such as PR05, a name, or older free text)."""
    from .codelist import procedure_facts

    return procedure_facts(procedure).track == "fast-track"


def _summary(procedure: str | None) -> bool:
    from .codelist import procedure_facts

    return procedure_facts(procedure).track == "summary"


class _Machine:
    def __init__(self, person: str, procedure: str | None, tl: Timeline):
        self.person = person
        self.procedure = procedure
        self.tl = tl
        self.open: dict[str, Period] = {}
        self.pending: dict[str, Step] = {}
        self.in_custody = False
        self.returns = 0
        # the stage the case is in for this person: investigation, supervision (监察调查), review,
        # supplementary, trial, second-instance, execution, closed. Art. 156 runs only in investigation.
        self.stage = "investigation"

    # -- helpers
    def issue(self, code: str, step: Step, en: str, zh: str) -> None:
        self.tl.issues.append(Issue(code, step, en, zh))

    def set_custody(self, held: bool) -> None:
        """The person is (no longer) held: the running stage periods follow (Art. 105 para 4 looks at
        custody when the period ends, not when it opened)."""
        self.in_custody = held
        for p in self.open.values():
            if p.kind in STAGE_KINDS:
                p.custody = held

    def start(self, kind: str, step: Step, basis: str, raw_end: dt.date | None, length: str, *,
              custody: bool | None = None, warn_days: int | None = None, at: dt.datetime | None = None) -> Period:
        p = Period(kind, self.person, basis, at or step.time, step.name, step.layer, raw_end, length,
                   self.in_custody if custody is None else custody, warn_days)
        self.open[kind] = p
        self.tl.periods.append(p)
        return p

    def close(self, kind: str, step: Step, state: str = "closed") -> Period | None:
        p = self.open.pop(kind, None)
        if p is not None:
            p.closed_at, p.closed_by, p.closed_layer = step.time, step.name, step.layer
            if p.state != "expired":
                p.state = state
        return p

    def start_review(self, step: Step) -> Period:
        d = beijing_date(step.time)
        self.stage = "review"
        if _fast(self.procedure):
            return self.start("prosecution-review", step, "CPL 2018 Art. 172 para 1 (速裁)", add_days(d, 10),
                              "10 days / 10日")
        return self.start("prosecution-review", step, "CPL 2018 Art. 172 para 1", add_months(d, 1),
                          "1 month / 1个月")

    def start_trial(self, step: Step, basis_extra: str = "") -> Period:
        d = beijing_date(step.time)
        self.stage = "trial"
        if _fast(self.procedure):
            return self.start("trial", step, "CPL 2018 Art. 225" + basis_extra, add_days(d, 10), "10 days / 10日")
        if _summary(self.procedure):
            return self.start("trial", step, "CPL 2018 Art. 220" + basis_extra, add_days(d, 20), "20 days / 20日")
        return self.start("trial", step, "CPL 2018 Art. 208 para 1" + basis_extra, add_months(d, 2),
                          "2 months / 2个月")

    def from_pending(self, kind: str, step: Step) -> None:
        """Close `kind`; if it never opened (no 受理 recorded), open it retroactively at the transfer."""
        if kind not in self.open and kind in self.pending:
            origin = self.pending.pop(kind)
            if kind == "prosecution-review":
                self.start_review(origin)
            else:
                self.start_trial(origin)
        self.pending.pop(kind, None)
        self.close(kind, step)

    # -- the machine
    def run(self, steps: list[Step]) -> None:
        for step in steps:
            when = beijing(step.time)
            for p in list(self.open.values()):
                if p.deadline is not None and when >= p.deadline and p.state != "expired":
                    p.state = "expired"
                    p.overdue_step = (step.name, step.time)
                    p.overdue_end = p.end
            handler = getattr(self, "on_" + step.code, None)
            if handler:
                handler(step)

    # detaining authority → (period kind, base days, longest extension in days, article); issue #15 item 2
    _DETENTION = {
        "detention-request": (3, 4, "CPL 2018 Art. 91 para 1", "刑事诉讼法（2018）第91条第1款"),  # police
        "detention-decision": (14, 3, "CPL 2018 Art. 167", "刑事诉讼法（2018）第167条"),  # procuratorate (自侦)
        "preliminary-detention": (10, 4, "CPL 2018 Art. 170 para 2", "刑事诉讼法（2018）第170条第2款"),  # 先行拘留
    }

    def on_EV03(self, s: Step) -> None:  # 拘留
        self.set_custody(True)
        d = beijing_date(s.time)
        if s.role == "procuratorate":  # 自侦: the procuratorate decides on arrest itself (Art. 167)
            self.start("detention-decision", s, "CPL 2018 Art. 167", add_days(d, 14), "14 days / 14日", custody=True)
        elif s.role == "court":
            return  # a court does not run the detention clock (its arrest decision is bounded by the trial)
        else:
            self.start("detention-request", s, "CPL 2018 Art. 91 para 1", add_days(d, 3), "3 days / 3日",
                       custody=True)

    def _running_detention(self) -> Period | None:
        return next((self.open[k] for k in self._DETENTION if k in self.open), None)

    def on_EV04(self, s: Step) -> None:  # 延长拘留期限 (police 1-4, procuratorate 1-3, 先行拘留 1-4 days)
        p = self._running_detention()
        if p is None:
            self.issue("K053", s, "no detention period is running", "没有正在计算的拘留期限")
            return
        if p.state == "expired":
            return  # too late: an extension cannot revive an expired period (reported as K050)
        base, most, article, article_zh = self._DETENTION[p.kind]
        days = s.event.days or most
        if days > most or p.ext_count:
            self.issue("K053", s, f"{article} allows one extension of 1 to {most} days",
                       f"{article_zh}只允许延长一次，一日至{most}日")
            days = min(days, most)
        p.ext_count += 1
        p.raw_end = add_days(p.start_date, base + days)
        p.length = f"{base + days} days / {base + days}日"
        p.basis = article
        p.extensions.append(f"+{days}d {beijing_date(s.time).isoformat()}")

    def on_EV05(self, s: Step) -> None:  # 延长拘留期限至三十日
        p = self.open.get("detention-request")
        if p is None:
            other = self._running_detention()
            self.issue("K053", s, "no police detention period is running (Art. 91 para 2 is for police detention "
                       "only)" if other else "no detention period is running",
                       "没有正在计算的公安机关拘留期限（第91条第2款只适用于公安机关拘留）" if other
                       else "没有正在计算的拘留期限")
            return
        if p.state == "expired":
            return
        p.raw_end = add_days(p.start_date, 30)
        p.length = "30 days / 30日"
        p.basis = "CPL 2018 Art. 91 para 2"
        p.warn_days = 3
        p.extensions.append(f"→30d {beijing_date(s.time).isoformat()}")

    def on_EV06(self, s: Step) -> None:  # 提请批准逮捕
        self.close("detention-request", s)
        d = beijing_date(s.time)
        if self.in_custody:  # detained: 7 days (Art. 91 para 3)
            self.start("arrest-review", s, "CPL 2018 Art. 91 para 3", add_days(d, 7), "7 days / 7日", custody=True)
            return
        # not detained: 15 days, 20 for a major or complex case, declared as Event/@days = 20
        # (人民检察院刑事诉讼规则 2019 Art. 296)
        days = s.event.days or 15
        if days not in (15, 20):
            self.issue("K053", s, "a suspect who is not detained gets 15 days, or 20 in a major or complex case "
                       "(SPP Rules 2019 Art. 296); Event/@days may only say 15 or 20",
                       "未被拘留的犯罪嫌疑人审查批准逮捕期限为十五日，重大、复杂案件二十日（人民检察院刑事诉讼规则（2019）"
                       "第296条）；Event/@days 只能为15或20")
            days = 15
        self.start("arrest-review", s, "SPP Rules 2019 Art. 296", add_days(d, days), f"{days} days / {days}日",
                   custody=False)

    def on_EV07(self, s: Step) -> None:  # 批准逮捕
        if self.close("arrest-review", s) is None:
            self.issue("K032", s, "no request for arrest approval (提请批准逮捕) is recorded before it",
                       "此前未记录提请批准逮捕")

    def on_EV08(self, s: Step) -> None:  # 不批准逮捕
        self.on_EV07(s)

    def on_EV09(self, s: Step) -> None:  # 逮捕
        for kind in DETENTION_KINDS + ("arrest-review",):
            self.close(kind, s)
        self.set_custody(True)
        if self.stage != "investigation" or s.role == "court":
            # Art. 156 governs custody during investigation only; in review and trial custody is bounded
            # by the stage's own period (Arts. 172, 175, 208, 243), which keeps running
            return
        self.start("investigative-custody", s, "CPL 2018 Art. 156", add_months(beijing_date(s.time), 2), "2 months / 2个月",
                   custody=True, warn_days=7)

    def release(self, s: Step) -> None:
        self.set_custody(False)
        for kind in CUSTODY_KINDS:
            p = self.open.get(kind)
            if kind == "arrest-review" and p is not None and not p.custody:
                continue  # the review of a suspect who was never detained goes on (SPP Rules 2019 Art. 296)
            self.close(kind, s)

    on_EV10 = on_EV11 = on_EV12 = on_EV40 = release  # 释放, 取保候审, 监视居住, 撤销案件

    _EXTENSIONS = ((1, "CPL 2018 Art. 156"), (2, "CPL 2018 Art. 158"), (2, "CPL 2018 Art. 159"))

    def on_EV13(self, s: Step) -> None:  # 延长侦查羁押期限
        p = self.open.get("investigative-custody")
        if p is None:
            self.issue("K053", s, "no investigative custody period is running", "没有正在计算的侦查羁押期限")
            return
        if p.raw_end is None or p.state == "expired":
            return
        if p.ext_count >= len(self._EXTENSIONS):
            self.issue("K053", s, "CPL 2018 Arts. 156, 158 and 159 allow at most three extensions (7 months in all); "
                       "beyond that only a postponement approved by the NPC Standing Committee (Art. 157)",
                       "刑事诉讼法（2018）第156、158、159条至多延长三次（共七个月），此后只能依第157条报请全国人大常委会批准延期审理")
            return
        months, basis = self._EXTENSIONS[p.ext_count]
        p.ext_count += 1
        p.raw_end = add_months(p.raw_end, months)
        p.add_basis(basis.split('CPL 2018 ')[1])
        p.extensions.append(f"+{months}m ({basis.split('CPL 2018 ')[1]}) {beijing_date(s.time).isoformat()}")
        total = 2 + sum(m for m, _ in self._EXTENSIONS[:p.ext_count])
        p.length = f"{total} months / {total}个月"

    def on_EV14(self, s: Step) -> None:  # 重新计算侦查羁押期限
        if self.stage in ("review", "trial", "second-instance", "execution"):
            self.issue("K053", s, "recalculation of investigative custody (Art. 160) applies during investigation only",
                       "重新计算侦查羁押期限（第160条）只适用于侦查阶段")
            return
        old = self.close("investigative-custody", s, state="superseded")
        if old is None:
            self.issue("K053", s, "no investigative custody period is running", "没有正在计算的侦查羁押期限")
        self.set_custody(True)
        self.start("investigative-custody", s, "CPL 2018 Art. 160 para 1", add_months(beijing_date(s.time), 2),
                   "2 months / 2个月", custody=True, warn_days=7)

    def on_EV15(self, s: Step) -> None:  # 报请延期审理 (Art. 157)
        p = self.open.get("investigative-custody")
        if p is not None:
            p.raw_end = None
            p.state = "postponed"
            p.basis += ", Art. 157"
            p.extensions.append(f"Art. 157 {beijing_date(s.time).isoformat()}")

    def on_EV16(self, s: Step) -> None:  # 移送审查起诉 (also by a supervisory commission: 监察法 Art. 45)
        for kind in CUSTODY_KINDS:
            self.close(kind, s)
        self.stage = "review"
        self.pending["prosecution-review"] = s

    def on_EV20(self, s: Step) -> None:  # 重新移送审查起诉
        if self.close("supplementary", s) is None:
            self.issue("K032", s, "no return for supplementary investigation (退回补充侦查) is recorded before it",
                       "此前未记录退回补充侦查")
        self.stage = "review"
        self.pending["prosecution-review"] = s

    def on_EV17(self, s: Step) -> None:  # 受理
        if "prosecution-review" in self.pending or (s.role == "procuratorate" and "trial" not in self.pending):
            self.pending.pop("prosecution-review", None)
            p = self.start_review(s)
            if self.returns:
                p.basis += ", Art. 175 para 3 (restarted)"
        elif "trial" in self.pending or s.role == "court":
            self.pending.pop("trial", None)
            self.start_trial(s)

    def on_EV18(self, s: Step) -> None:  # 延长审查起诉期限
        p = self.open.get("prosecution-review")
        if p is None:
            self.issue("K053", s, "no prosecution review is running", "没有正在计算的审查起诉期限")
            return
        if p.state == "expired":
            return
        if p.ext_count:
            self.issue("K053", s, "CPL 2018 Art. 172 allows one extension", "刑事诉讼法（2018）第172条只允许延长一次")
            return
        p.ext_count = 1
        if _fast(self.procedure):
            p.raw_end = add_days(p.start_date, 15)
            p.length = "15 days / 15日"
        else:
            p.raw_end = add_days(p.raw_end, 15)
            p.length = "1 month + 15 days / 1个月又15日"
        p.extensions.append(f"+15d {beijing_date(s.time).isoformat()}" if not _fast(self.procedure)
                            else f"→15d {beijing_date(s.time).isoformat()}")

    def on_EV19(self, s: Step) -> None:  # 退回补充侦查
        self.from_pending("prosecution-review", s)
        self.returns += 1
        if self.returns > 2:
            self.issue("K053", s, "CPL 2018 Art. 175 para 3: at most two returns for supplementary investigation",
                       "刑事诉讼法（2018）第175条第3款：补充侦查以二次为限")
        self.stage = "supplementary"
        self.start("supplementary", s, "CPL 2018 Art. 175 para 3", add_months(beijing_date(s.time), 1), "1 month / 1个月")

    def on_EV21(self, s: Step) -> None:  # 提起公诉
        self.from_pending("prosecution-review", s)
        self.stage = "trial"
        self.pending["trial"] = s

    def on_EV22(self, s: Step) -> None:  # 不起诉
        self.from_pending("prosecution-review", s)
        self.set_custody(False)
        self.stage = "closed"

    def on_EV24(self, s: Step) -> None:  # 延长审理期限
        kind = "second-instance" if "second-instance" in self.open else "trial"
        p = self.open.get(kind)
        if p is None:
            self.issue("K053", s, "no trial period is running", "没有正在计算的审理期限")
            return
        if p.state == "expired":
            return
        d = p.start_date
        p.ext_count += 1
        when = beijing_date(s.time).isoformat()
        if kind == "trial" and _fast(self.procedure):
            if p.ext_count > 1:
                self.issue("K053", s, "CPL 2018 Art. 225: at most 15 days", "刑事诉讼法（2018）第225条：至多十五日")
                return
            p.raw_end, p.length = add_days(d, 15), "15 days / 15日"
        elif kind == "trial" and _summary(self.procedure):
            if p.ext_count > 1:
                self.issue("K053", s, "CPL 2018 Art. 220: at most one and a half months",
                           "刑事诉讼法（2018）第220条：至多一个半月")
                return
            p.raw_end, p.length = add_days(add_months(d, 1), 15), "1.5 months / 一个半月"
        elif kind == "trial" and p.ext_count == 1:
            p.raw_end, p.length = add_months(d, 3), "3 months / 3个月"
        elif kind == "trial" and p.ext_count == 2:
            p.raw_end, p.length = add_months(p.raw_end, 3), "6 months / 6个月"
            p.basis = "CPL 2018 Art. 208 para 1 (higher court)"
        elif kind == "second-instance" and p.ext_count == 1:
            p.raw_end, p.length = add_months(p.raw_end, 2), "4 months / 4个月"
        elif s.event.days:  # approved by the Supreme People's Court: the event says how long
            p.raw_end = add_days(p.raw_end, s.event.days)
            p.length += f" + {s.event.days}d"
            p.basis += " (SPC)"
        else:
            self.issue("K053", s, "a further extension needs the Supreme People's Court's approval and a length "
                       "(Event/@days)", "再次延长须经最高人民法院批准，并注明延长天数（Event/@days）")
            return
        p.extensions.append(f"ext {p.ext_count} {when}")

    def on_EV25(self, s: Step) -> None:  # 判决
        if "second-instance" in self.open:
            self.close("second-instance", s)
        else:
            self.from_pending("trial", s)

    on_EV26 = on_EV25  # 裁定

    def on_EV37(self, s: Step) -> None:  # 延期审理 (补充侦查)
        self.from_pending("trial", s)
        self.start("trial-supplementary", s, "CPL 2018 Art. 205", add_months(beijing_date(s.time), 1), "1 month / 1个月")

    def on_EV38(self, s: Step) -> None:  # 恢复审理
        self.close("trial-supplementary", s)
        self.start_trial(s, " (recalculated / 重新计算)")

    def on_EV29(self, s: Step) -> None:  # 二审受理
        self.stage = "second-instance"
        self.start("second-instance", s, "CPL 2018 Art. 243", add_months(beijing_date(s.time), 2), "2 months / 2个月")

    def on_EV30(self, s: Step) -> None:  # 二审裁判
        self.close("second-instance", s)

    def on_EV31(self, s: Step) -> None:  # 判决生效
        self.stage = "execution"
        self.start("execution-handover", s, "CPL 2018 Art. 264 para 1", add_days(beijing_date(s.time), 10), "10 days / 10日")

    def on_EV32(self, s: Step) -> None:  # 执行通知
        self.close("execution-handover", s)

    # -- supervisory commissions (监察机关, role `supervision`) and the procuratorate's 先行拘留
    def on_EV50(self, s: Step) -> None:  # 留置
        self.set_custody(True)
        self.stage = "supervision"
        self.start("retention", s, "监察法 Art. 43", add_months(beijing_date(s.time), 3), "3 months / 3个月",
                   custody=True)

    def on_EV51(self, s: Step) -> None:  # 延长留置期限: once, by at most 3 months (监察法 Art. 43)
        p = self.open.get("retention")
        if p is None:
            self.issue("K053", s, "no retention period is running", "没有正在计算的留置期限")
            return
        if p.state == "expired" or p.raw_end is None:
            return
        if p.ext_count:
            self.issue("K053", s, "监察法 Art. 43 allows one extension of retention", "监察法第43条只允许延长一次留置时间")
            return
        longest = add_months(p.raw_end, 3)
        p.ext_count = 1
        p.raw_end = min(add_days(p.raw_end, s.event.days), longest) if s.event.days else longest
        p.length = "3 months + extension / 3个月又延长"
        p.extensions.append(f"ext {beijing_date(s.time).isoformat()}")

    def on_EV52(self, s: Step) -> None:  # 先行拘留 (CPL 2018 Art. 170 para 2): 留置 ends, 10 days to decide
        self.close("retention", s)
        self.set_custody(True)
        self.stage = "review"
        self.start("preliminary-detention", s, "CPL 2018 Art. 170 para 2", add_days(beijing_date(s.time), 10),
                   "10 days / 10日", custody=True)

    # -- travel time (路途时间, CPL 2018 Art. 105 para 3): not counted in the periods of the recording agency
    def on_EV53(self, s: Step) -> None:
        days = s.event.days
        if not days or days < 1:
            self.issue("K053", s, "travel time needs its length in days (Event/@days)", "路途时间须注明天数（Event/@days）")
            return
        targets = [p for p in self.open.values() if p.start_layer == s.layer and p.raw_end is not None
                   and p.state != "expired"]
        if not targets:
            self.issue("K053", s, "no period of the agency that records the travel time is running",
                       "记录路途时间的机关没有正在计算的期限")
            return
        for p in targets:
            p.raw_end = add_days(p.raw_end, days)
            p.add_basis("Art. 105 para 3")
            p.length += f" + {days}d"
            p.extensions.append(f"+{days}d travel / 路途 {beijing_date(s.time).isoformat()}")
